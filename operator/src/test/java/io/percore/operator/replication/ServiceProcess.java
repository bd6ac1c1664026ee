package io.percore.operator.replication;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
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

    /** Whether the servers are the demo service's processes (else redis-server's). */
    public static boolean service() {
        String jar = System.getProperty(SERVICE_JAR, "");
        return !jar.isBlank() && Files.isRegularFile(Path.of(jar));
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
        int port = freePort();
        List<String> command = new ArrayList<>();
        String jar = System.getProperty(SERVICE_JAR, "");
        if (!jar.isBlank() && !Files.isRegularFile(Path.of(jar))) {
            // the build sets it to the demo's jar, made before this module in the reactor; a build of this module
            // alone (-pl operator) has none: the reference server stands in, and the log says so
            System.err.println("ServiceProcess: no service jar at " + jar + ", using redis-server");
            jar = "";
        }
        if (!jar.isBlank()) {
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar,
                    "--percore.servers.resp.port=" + port, "--percore.servers.http.port=0", "--management.server.port=0",
                    "--percore.engine.shards=2", "--percore.demo.persistence.dir=" + Files.createDirectories(dir.resolve("data-" + port)),
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
        }
        Path log = Files.createTempFile(dir, "server-" + port + "-", ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        ServiceProcess server = new ServiceProcess(port, process, log);
        // a bound on a hung start, not a timing: the demo's JVMs, started side by side, took over 120 s at a load of 50
        long deadline = System.nanoTime() + Duration.ofSeconds(jar.isBlank() ? 20 : 300).toNanos();
        while (true) {
            try (TestResp c = new TestResp(port, password)) {
                c.call("PING");
                return server;
            } catch (IOException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly();
                    throw new IOException("server on port " + port + " did not start: " + Files.readString(log), e);
                }
                Thread.sleep(100);
            }
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

    String log() throws IOException {
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

    /** Ports handed out from {@value #PORTS} (when set): each once, so two processes starting side by side never share one. */
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PORT = new java.util.concurrent.atomic.AtomicInteger();
    /** {@code -Dpercore.it.ports=7200-7299}: the servers' ports from that range (a machine shared with others), else any free one. */
    static final String PORTS = "percore.it.ports";

    private static int freePort() throws IOException {
        String range = System.getProperty(PORTS, "");
        if (range.isBlank()) {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
        int first = Integer.parseInt(range.substring(0, range.indexOf('-')));
        int last = Integer.parseInt(range.substring(range.indexOf('-') + 1));
        NEXT_PORT.compareAndSet(0, first);
        for (int port = NEXT_PORT.getAndIncrement(); port <= last; port = NEXT_PORT.getAndIncrement()) {
            try (ServerSocket s = new ServerSocket(port)) {
                return s.getLocalPort();
            } catch (IOException inUse) {
                // taken by someone else: the next one
            }
        }
        throw new IOException("no free port left in " + PORTS + "=" + range);
    }
}
