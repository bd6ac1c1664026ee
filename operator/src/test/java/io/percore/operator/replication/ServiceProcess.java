package io.percore.operator.replication;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real server standing in for one pod of a replicated service, on 127.0.0.1: {@code redis-server}
 * (7.0, the contract's reference), or the demo service's jar when the system property
 * {@value #SERVICE_JAR} names one. Killed with SIGKILL, paused with SIGSTOP, as a pod's process can be.
 */
public final class ServiceProcess implements AutoCloseable {

    public static final String SERVICE_JAR = "percore.it.serviceJar";

    public final int port;
    private final Process process;
    private final Path log;

    private ServiceProcess(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /**
     * Whether the servers are the demo service's processes (else redis-server's, as in an IDE that sets no jar). A jar the
     * build names but that is not there fails rather than falls back: the tests would pass against redis-server and the
     * demo-only classes skip, so a reactor that ran this module before demo-service's package would look green.
     */
    public static boolean service() {
        return service(System.getProperty(SERVICE_JAR, ""));
    }

    static boolean service(String jar) {
        if (jar.isBlank()) {
            return false;
        }
        if (!Files.isRegularFile(Path.of(jar))) {
            throw missing(jar);
        }
        return true;
    }

    private static IllegalStateException missing(String jar) {
        return new IllegalStateException("-D" + SERVICE_JAR + " names " + jar + ", which is not there: build demo-service first"
                + " (./mvnw -pl operator -am verify builds it, or ./mvnw -o -q -pl demo-service package -DskipTests)");
    }

    /** Starts an empty server (a master with no data) and waits until it answers. */
    public static ServiceProcess start(String password, Path dir) throws IOException, InterruptedException {
        return start(password, dir, List.of());
    }

    /**
     * Starts an empty server with {@code serviceArgs} added when it is the demo service's jar (the
     * reference server takes none of them).
     */
    public static ServiceProcess start(String password, Path dir, List<String> serviceArgs) throws IOException, InterruptedException {
        return start(password, dir, serviceArgs, System.getProperty(SERVICE_JAR, ""));
    }

    /**
     * A redis-server whatever the build's service jar: a Redis that is moved into the service (spec.migrateFrom), with
     * {@code redisArgs} added to its command line ({@code --databases 32} ...).
     */
    public static ServiceProcess startRedis(String password, Path dir, String... redisArgs) throws IOException, InterruptedException {
        return start(password, dir, List.of(), "", null, List.of(redisArgs));
    }

    /**
     * A redis-server with {@code args} of its own (an {@code --aclfile}, a {@code --masteruser}), ready once {@code user}
     * (null: the default user) answers PING with {@code password}: what the rendered template and aclfile give a pod.
     */
    public static ServiceProcess startRedis(Path dir, List<String> args, String user, String password) throws IOException, InterruptedException {
        return started(port -> {
            List<String> command = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save",
                    "", "--appendonly", "no", "--repl-diskless-sync-delay", "0", "--dir", dir.toString()));
            command.addAll(args);
            return command;
        }, dir, user, password, Duration.ofSeconds(20));
    }

    /**
     * The demo service's jar whatever the build says (it must be built), with its data directory {@code dataDir}: a pod
     * that loads what is there at start (a restored snapshot).
     */
    public static ServiceProcess startServiceOn(String password, Path dataDir) throws IOException, InterruptedException {
        String jar = System.getProperty(SERVICE_JAR, "");
        if (!service()) {
            throw new IllegalStateException("no demo service jar at '" + jar + "': ./mvnw -o -q -pl demo-service package -DskipTests");
        }
        return start(password, dataDir.getParent(), List.of(), jar, dataDir, List.of());
    }

    /**
     * The demo service's jar on {@code dataDir} with {@code serviceArgs}: a pod started again on its volume (what its files
     * hold), e.g. as a replica of the primary Service.
     */
    public static ServiceProcess startServiceOn(String password, Path dataDir, List<String> serviceArgs) throws IOException, InterruptedException {
        if (!service()) {
            throw new IllegalStateException("no demo service jar at '" + System.getProperty(SERVICE_JAR, "")
                    + "': ./mvnw -o -q -pl demo-service package -DskipTests");
        }
        return start(password, dataDir.getParent(), serviceArgs, System.getProperty(SERVICE_JAR, ""), dataDir, List.of());
    }

    /** Where the demo service's process started by {@link #start(String, Path, List)} in {@code dir} keeps its files. */
    public Path dataDir(Path dir) {
        return dir.resolve("data-" + port);
    }

    private static ServiceProcess start(String password, Path dir, List<String> serviceArgs, String jar) throws IOException, InterruptedException {
        return start(password, dir, serviceArgs, jar, null, List.of());
    }

    private static ServiceProcess start(String password, Path dir, List<String> serviceArgs, String jar, Path dataDir, List<String> redisArgs)
            throws IOException, InterruptedException {
        service(jar); // a jar named but not there fails here
        String server = jar;
        // a bound on a hung start, not a timing: the demo's JVMs, started side by side, took over 120 s at a load of 50
        return started(port -> command(port, password, dir, serviceArgs, server, dataDir, redisArgs), dir, null, password,
                Duration.ofSeconds(jar.isBlank() ? 20 : 300));
    }

    private static List<String> command(int port, String password, Path dir, List<String> serviceArgs, String jar, Path dataDir,
                                        List<String> redisArgs) throws IOException {
        List<String> command = new ArrayList<>();
        if (!jar.isBlank()) {
            command.add(java());
            command.addAll(JVM);
            command.addAll(launch(Path.of(jar)));
            command.addAll(List.of("--percore.servers.resp.port=" + port, "--percore.servers.http.port=0", NO_SERVLET,
                    "--percore.engine.shards=2", "--percore.demo.persistence.dir="
                            + Files.createDirectories(dataDir != null ? dataDir : dir.resolve("data-" + port)),
                    "--percore.demo.replication.repl-diskless-sync-delay=0")); // as the reference server below
            command.addAll(serviceArgs);
            if (password != null) {
                command.add("--percore.demo.resp.requirepass=" + password);
                command.add("--percore.demo.replication.masterauth=" + password);
            }
        } else {
            command.addAll(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--repl-diskless-sync-delay", "0", "--dir", dir.toString()));
            if (password != null) {
                command.addAll(List.of("--requirepass", password, "--masterauth", password));
            }
            command.addAll(redisArgs);
        }
        return command;
    }

    /** The command line of a server on {@code port}. */
    interface CommandFor {
        List<String> on(int port) throws IOException;
    }

    /** Starts attempts this many times on a new port each when the last one was taken. */
    private static final int BIND_ATTEMPTS = 3;

    /**
     * Starts the server {@code commandFor} gives on a free port and waits until it answers. A port seen free can be taken
     * before the server binds it (a CI-like run under load: "bind: Address already in use", whose holder was gone by the
     * time the failure was read); as Redis's own test suite does, the start is then tried again on another port.
     */
    static ServiceProcess started(CommandFor commandFor, Path dir, String user, String password, Duration bound)
            throws IOException, InterruptedException {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Path log = Files.createTempFile(dir, "server-" + port + "-", ".log");
            Process process = new ProcessBuilder(commandFor.on(port)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            ServiceProcess server = new ServiceProcess(port, process, log);
            long deadline = System.nanoTime() + bound.toNanos();
            while (true) {
                try (TestResp c = new TestResp(port, user, password)) {
                    c.call("PING");
                    return server;
                } catch (IOException e) {
                    if (process.isAlive() && System.nanoTime() <= deadline) {
                        Thread.sleep(100);
                        continue;
                    }
                    process.destroyForcibly();
                    String output = Files.readString(log);
                    if (attempt < BIND_ATTEMPTS && output.contains("Address already in use")) {
                        System.err.println("ServiceProcess: port " + port + " was taken before the server bound it; another port");
                        break;
                    }
                    throw new IOException("server on port " + port + " did not start: " + output, e);
                }
            }
        }
    }

    private static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
    /**
     * The pods' Actuator (two Tomcats: the app's and the management port's) is not what these tests ask of a pod: the
     * operator speaks RESP to it, and the pods' readiness is the test's to set. Without them a start takes about 2.4 s
     * of CPU instead of 3.0 (three starts each, 2026-11-30), and the operator's tests start about eighty.
     */
    private static final String NO_SERVLET = "--spring.main.web-application-type=none";
    /** How the demo's JVMs are launched, settled by the first start: see {@link #launch}. */
    private static List<String> launch;

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The demo's jar run from Spring Boot's extracted layout with a class data archive made by one training run: the
     * failover and cluster tests start a few dozen of these JVMs, and loading the app's classes from the nested jars
     * is most of a start: 2.7 to 3.2 s from the jar on two cores, 1.0 to 1.6 s from the layout with the archive. The
     * same classes run either way; when extracting or training fails the jar itself is run, and stderr says why.
     */
    private static synchronized List<String> launch(Path jar) {
        if (launch != null) {
            return launch;
        }
        launch = List.of("-jar", jar.toString());
        // The module's test JVMs (surefire forks) start side by side and each settles this: the lock keeps one from
        // deleting the layout another has just made and runs its processes from.
        Path lockFile = jar.resolveSibling(jar.getFileName() + ".cds.lock");
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            Path home = jar.resolveSibling(jar.getFileName() + ".cds");
            Path extracted = home.resolve(jar.getFileName());
            Path archive = home.resolve("app.jsa");
            // the jar's time, written last: a layout and archive of this very jar, made whole (a rebuilt jar gets new ones)
            Path made = home.resolve("made-from");
            String stamp = Long.toString(Files.getLastModifiedTime(jar).toMillis());
            if (!Files.isRegularFile(made) || !Files.readString(made).equals(stamp)) {
                deleteTree(home);
                Files.createDirectories(home);
                Path log = home.resolve("training.log");
                run(log, java(), "-Djarmode=tools", "-jar", jar.toString(), "extract", "--destination", home.toString(), "--force");
                Path data = Files.createTempDirectory(home, "data");
                List<String> training = new ArrayList<>(List.of(java()));
                training.addAll(JVM);
                training.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-Dspring.context.exit=onRefresh", "-jar", extracted.toString(),
                        "--percore.servers.resp.port=0", "--percore.servers.http.port=0", NO_SERVLET,
                        "--percore.engine.shards=2", "--percore.demo.persistence.dir=" + data, "--percore.demo.cluster.enabled=true"));
                run(log, training.toArray(String[]::new));
                Files.writeString(made, stamp);
            }
            launch = List.of("-XX:SharedArchiveFile=" + archive, "-jar", extracted.toString());
        } catch (IOException | InterruptedException e) {
            System.err.println("ServiceProcess: running " + jar + " itself, no class data archive: " + e);
        }
        return launch;
    }

    private static void deleteTree(Path root) throws IOException {
        if (Files.exists(root)) {
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void run(Path log, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(300, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        if (p.exitValue() != 0) {
            throw new IOException("exit " + p.exitValue() + " of " + String.join(" ", command) + ": " + Files.readString(log));
        }
    }

    /** SIGKILL: no shutdown, no flush, as a node loss. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    public void pause() throws IOException, InterruptedException {
        signal("-STOP");
    }

    public void resume() throws IOException, InterruptedException {
        signal("-CONT");
    }

    private void signal(String signal) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed: " + rc);
        }
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            try {
                resume();
            } catch (IOException ignored) {
                // best effort: a stopped process does not die of SIGKILL until continued on some kernels
            }
            kill();
        }
    }

    /** Ports handed out of this JVM's slice, each once, so two processes starting side by side never share one. */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT = new java.util.concurrent.atomic.AtomicInteger();
    /** {@code -Dpercore.it.ports=7200-7299}: the servers' ports from that range (a machine shared with others). */
    static final String PORTS = "percore.it.ports";
    /**
     * Below the range the system hands out for outgoing connections and {@code bind(0)} (Linux: 32768-60999), and apart
     * from demo-service's tests' (20000-29999): a port from {@code bind(0)} could be taken by an outgoing connection
     * between this check and the server's bind (a CI run failed on "Address already in use" that way).
     */
    static final String DEFAULT_PORTS = "16000-19999";

    /**
     * A port nothing listens on now, of this JVM's slice of {@value #PORTS} (else {@value #DEFAULT_PORTS}): the surefire
     * JVMs a module runs side by side ({@code test.fork} of {@code test.forks}) each take their own slice.
     */
    public static int freePort() throws IOException {
        String range = System.getProperty(PORTS, "");
        String[] ends = (range.isBlank() ? DEFAULT_PORTS : range).trim().split("-");
        int first = Integer.parseInt(ends[0].trim());
        int last = Integer.parseInt(ends[ends.length - 1].trim());
        int forks = Math.max(1, number("test.forks"));
        int fork = Math.floorMod(number("test.fork") - 1, forks);
        int size = Math.max(1, (last - first + 1) / forks);
        int from = first + fork * size;
        for (int i = 0; i < size; i++) {
            int port = from + Math.floorMod(NEXT_PORT.getAndIncrement(), size);
            if (!reserve(port)) {
                continue; // handed out by another JVM
            }
            try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getByName("0.0.0.0"))) {
                return s.getLocalPort();
            } catch (IOException inUse) {
                // taken by someone else: the next one
            }
        }
        throw new IOException("no free port left in " + from + "-" + (from + size - 1) + " (" + PORTS + "=" + range + ")");
    }

    /** The lock of each port this JVM handed out, held for its life (released by the OS when it exits). */
    private static final List<java.nio.channels.FileChannel> RESERVED = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * Takes {@code port} for this JVM, or false when another JVM has: a file lock per port, under the temporary directory.
     * The slices of {@code test.fork} alone did not keep the surefire JVMs apart: surefire numbered a module's two forks 1
     * and 3 (a CI run), both took the same slice, and a demo process failed to bind a port the other JVM's check had
     * just seen free ("Address already in use", ClusterScalingTest).
     */
    private static boolean reserve(int port) {
        try {
            Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"), "percore-test-ports"));
            java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(dir.resolve(port + ".lock"),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            java.nio.channels.FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException heldHere) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                return false;
            }
            RESERVED.add(channel);
            return true;
        } catch (IOException e) {
            return true; // no lock to take here: the bind check alone, as before
        }
    }

    /** A surefire fork property (set by the build), 1 without it. */
    private static int number(String property) {
        try {
            return Integer.parseInt(System.getProperty(property, "1").trim());
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
