package io.percore.images.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * An image's root file system, extracted, and run without Docker: {@code unshare} gives each run
 * private mount, network and PID namespaces, {@code sandbox.sh} mounts what a runtime mounts and
 * switches to the image's root, user, working directory and environment. Needs root (mount,
 * chroot, setuid); {@link #skipReason()} says when that is missing.
 */
public final class Sandbox {

    /**
     * What runs: argv, environment, user, working directory, as a runtime reads them from the config; with
     * {@code hostNetwork} in the host's network namespace (a pod's {@code hostNetwork: true}), so that it reaches servers
     * the test started on 127.0.0.1, else in a fresh loopback-only one.
     */
    public record Spec(List<String> argv, Map<String, String> env, int uid, int gid, String workingDir, boolean readOnlyRoot, boolean hostNetwork) {

        public Spec {
            argv = List.copyOf(argv);
            env = Map.copyOf(new LinkedHashMap<>(env));
        }

        /** The image's own command, environment, user and working directory. */
        public static Spec of(OciImage image) {
            String user = image.containerConfig().path("User").asText("0:0");
            String[] ids = user.split(":");
            String dir = image.containerConfig().path("WorkingDir").asText("");
            return new Spec(image.command(), image.env(), Integer.parseInt(ids[0]), Integer.parseInt(ids.length > 1 ? ids[1] : ids[0]),
                    dir.isEmpty() ? "/" : dir, false, false);
        }

        public Spec withArgv(List<String> newArgv) {
            return new Spec(newArgv, env, uid, gid, workingDir, readOnlyRoot, hostNetwork);
        }

        /** The image's environment with these added or replaced (a pod's env does the same). */
        public Spec withEnv(Map<String, String> more) {
            Map<String, String> merged = new LinkedHashMap<>(env);
            merged.putAll(more);
            return new Spec(argv, merged, uid, gid, workingDir, readOnlyRoot, hostNetwork);
        }

        public Spec withReadOnlyRoot() {
            return new Spec(argv, env, uid, gid, workingDir, true, hostNetwork);
        }

        public Spec withHostNetwork() {
            return new Spec(argv, env, uid, gid, workingDir, readOnlyRoot, true);
        }
    }

    /** A finished run. */
    public record Result(int exitCode, String output) {
    }

    private final Path rootfs;
    private final Path work;
    private final Path script;
    private int runs;

    private Sandbox(Path rootfs, Path work, Path script) {
        this.rootfs = rootfs;
        this.work = work;
        this.script = script;
    }

    /**
     * Empty when images can be run here; otherwise why not. Only a missing root is a reason to
     * skip: as root, anything else missing (namespaces, util-linux, iproute2) fails the run.
     */
    public static Optional<String> skipReason() {
        if (!"Linux".equals(System.getProperty("os.name"))) {
            return Optional.of("not Linux (" + System.getProperty("os.name") + "): running the image's root file system needs Linux namespaces");
        }
        if (!OciImage.isRoot()) {
            return Optional.of("not root (user " + System.getProperty("user.name") + "): mounting /proc and changing root, user and "
                    + "namespaces to run the image's own Java needs root; only the static checks of the tarball ran");
        }
        return Optional.empty();
    }

    /** Extracts the image into {@code work}/rootfs (replacing an earlier one) and adds the runtime's mount points. */
    public static Sandbox extract(OciImage image, Path work) throws IOException {
        Files.createDirectories(work);
        Path rootfs = work.resolve("rootfs");
        deleteTree(rootfs);
        image.extractTo(rootfs);
        for (String mountPoint : List.of("proc", "dev", "sys", "tmp")) {
            Files.createDirectories(rootfs.resolve(mountPoint));
        }
        Path script = work.resolve("sandbox.sh");
        try (InputStream in = Sandbox.class.getResourceAsStream("sandbox.sh")) {
            Files.write(script, in.readAllBytes());
        }
        return new Sandbox(rootfs, work, script);
    }

    public Path rootfs() {
        return rootfs;
    }

    /** Runs {@code spec} to completion (killed after {@code timeout}); output is stdout and stderr. */
    public Result run(Spec spec, Duration timeout) throws IOException, InterruptedException {
        Path log = work.resolve("run-" + (++runs) + ".log");
        try (Running running = start(spec, log)) {
            if (!running.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("still running after " + timeout + ": " + spec.argv() + "\n" + running.log());
            }
            return new Result(running.process.exitValue(), running.log());
        }
    }

    /** Starts {@code spec} in the background; stdout and stderr go to {@code log}. */
    public Running start(Spec spec, Path log) throws IOException {
        Path envFile = work.resolve("env-" + (++runs));
        StringBuilder env = new StringBuilder();
        spec.env().forEach((k, v) -> env.append(k).append('=').append(v).append('\0'));
        Files.writeString(envFile, env, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of("unshare", "--mount"));
        if (!spec.hostNetwork()) {
            command.add("--net");
        }
        command.addAll(List.of("--pid", "--fork", "--kill-child", "bash", script.toString(), rootfs.toString(), spec.readOnlyRoot() ? "1" : "0", spec.workingDir(),
                Integer.toString(spec.uid()), Integer.toString(spec.gid()), envFile.toString(), "--"));
        command.addAll(spec.argv());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Running(process, log);
    }

    /** Removes the extracted file system, after checking that nothing is still mounted in it. */
    public void delete() throws IOException {
        deleteTree(rootfs);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        String prefix = dir.toAbsolutePath().normalize() + "/";
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String mountPoint = line.split(" ")[4];
            if (mountPoint.startsWith(prefix)) {
                throw new IllegalStateException("not deleting " + dir + ": " + mountPoint + " is mounted");
            }
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** A command running in the sandbox; closing it kills it. */
    public static final class Running implements AutoCloseable {

        private final Process process;
        private final Path log;

        Running(Process process, Path log) {
            this.process = process;
            this.log = log;
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        public String log() {
            try {
                return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Runs a bash script on the host, in the sandbox's network namespace (its 127.0.0.1). */
        public Result inNetwork(String bashScript, Duration timeout) throws IOException, InterruptedException {
            Process p = new ProcessBuilder("nsenter", "--target", Long.toString(process.pid()), "--net", "--", "bash", "-c", bashScript)
                    .redirectErrorStream(true).start();
            byte[] out;
            try (InputStream in = p.getInputStream()) {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor();
                    return new Result(-1, new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
                }
                out = in.readAllBytes();
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.ISO_8859_1));
        }

        /** The first line a RESP server answers to an inline command, e.g. {@code +PONG}; empty if it does not. */
        public String resp(int port, String inlineCommand) throws IOException, InterruptedException {
            Result r = inNetwork("exec 3<>/dev/tcp/127.0.0.1/" + port + " || exit 1\n"
                    + "printf '%s\\r\\n' '" + inlineCommand.replace("'", "") + "' >&3\n"
                    + "IFS= read -r -t 10 line <&3 || true\nprintf '%s' \"${line%$'\\r'}\"", Duration.ofSeconds(15));
            return r.exitCode() == 0 ? r.output() : "";
        }

        /**
         * As {@link #resp(int, String)}, on a connection that first sends {@code AUTH <password>} (a server that requires
         * one): the first line of the command's own reply.
         */
        public String resp(int port, String password, String inlineCommand) throws IOException, InterruptedException {
            Result r = inNetwork("exec 3<>/dev/tcp/127.0.0.1/" + port + " || exit 1\n"
                    + "printf '%s\\r\\n' 'AUTH " + password.replace("'", "") + "' >&3\n"
                    + "IFS= read -r -t 10 auth <&3 || true\n"
                    + "printf '%s\\r\\n' '" + inlineCommand.replace("'", "") + "' >&3\n"
                    + "IFS= read -r -t 10 line <&3 || true\nprintf '%s' \"${line%$'\\r'}\"", Duration.ofSeconds(15));
            return r.exitCode() == 0 ? r.output() : "";
        }

        /** An HTTP/1.0 GET on 127.0.0.1: status line, headers and body; empty if nothing answers. */
        public String httpGet(int port, String path) throws IOException, InterruptedException {
            Result r = inNetwork("exec 3<>/dev/tcp/127.0.0.1/" + port + " || exit 1\n"
                    + "printf 'GET " + path + " HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3\ntimeout 10 cat <&3", Duration.ofSeconds(15));
            return r.exitCode() == 0 ? r.output() : "";
        }

        /** Listening TCP sockets in the sandbox, as {@code address:port} ({@code 0.0.0.0:6380}, {@code [::]:8080}). */
        public Set<String> listeningSockets() throws IOException, InterruptedException {
            Result r = inNetwork("cat /proc/net/tcp /proc/net/tcp6", Duration.ofSeconds(10));
            Set<String> sockets = new TreeSet<>();
            for (String line : r.output().split("\n")) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 4 || !f[3].equals("0A")) {  // 0A: LISTEN
                    continue;
                }
                String[] local = f[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                String address = local[0].chars().allMatch(c -> c == '0') ? (local[0].length() == 8 ? "0.0.0.0" : "[::]")
                        : local[0].length() == 8 ? ipv4(local[0]) : "[" + local[0] + "]";
                sockets.add(address + ":" + port);
            }
            return sockets;
        }

        private static String ipv4(String hex) {
            long v = Long.parseLong(hex, 16);  // little-endian on x86
            return (v & 0xff) + "." + ((v >> 8) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 24) & 0xff);
        }

        /** SIGTERM to the container's PID 1 (as {@code docker stop}); its exit code, or -1 if it had to be killed. */
        public int stop(Duration grace) throws InterruptedException {
            Optional<ProcessHandle> init = process.toHandle().children().findFirst();
            if (init.isEmpty()) {
                return process.isAlive() ? -1 : process.exitValue();
            }
            init.get().destroy();
            if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            close();
            return -1;
        }

        @Override
        public void close() {
            // --kill-child: the container's PID 1, and with it its PID namespace, dies with unshare.
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
