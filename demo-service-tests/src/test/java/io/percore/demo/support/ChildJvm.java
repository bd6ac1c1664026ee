package io.percore.demo.support;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import java.util.zip.Deflater;

/**
 * How {@link AppProcess} and {@link DemoProcess} launch the app in a JVM of its own: the test class path, with the
 * module's two class directories packed as jars and a class data archive made by one training run of the app. The
 * suite starts about fifty of these JVMs, and loading and verifying the app's classes is most of each start (about
 * 5 s of CPU on the 2-core machine under the suite's load); the archive holds them loaded. JDK 17 archives classes
 * from jars only, hence the packing. The same classes run either way: when packing or training fails the test class
 * path itself runs, and stderr says why.
 */
public final class ChildJvm {

    /**
     * The JVM options every child gets before its own: C1 and the serial collector (see AppProcess), and Netty's leak
     * detector at the suite's level (the app turns it off when none is given, as a server in production runs).
     */
    static final List<String> OPTIONS = List.of("-XX:+ExitOnOutOfMemoryError", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
            "-Dio.netty.leakDetection.level=" + System.getProperty("io.netty.leakDetection.level", "simple"));

    private static List<String> classPath;

    private ChildJvm() {
    }

    /** {@code java}, then the class path options ({@code -XX:SharedArchiveFile} when there is an archive, {@code -cp}). */
    static List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(classPathOptions());
        return command;
    }

    private static synchronized List<String> classPathOptions() {
        if (classPath != null) {
            return classPath;
        }
        String testClassPath = System.getProperty("java.class.path");
        classPath = List.of("-cp", testClassPath);
        Path home = Path.of("target", "child-jvm").toAbsolutePath();
        try {
            Files.createDirectories(home);
            // The module's test JVMs (surefire forks) start side by side and each settles this: the lock keeps one from
            // rewriting the jars another has just started a child from.
            try (FileChannel channel = FileChannel.open(home.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                List<String> entries = new ArrayList<>();
                StringBuilder stamp = new StringBuilder(testClassPath).append('\n');
                for (String entry : testClassPath.split(java.io.File.pathSeparator)) {
                    Path p = Path.of(entry);
                    if (Files.isDirectory(p)) {
                        Path jar = home.resolve(p.getFileName() + ".jar");
                        entries.add(jar.toString());
                        stamp.append(entry).append(' ').append(newestChange(p)).append('\n');
                    } else {
                        entries.add(entry);
                    }
                }
                String packed = String.join(java.io.File.pathSeparator, entries);
                Path archive = home.resolve("app.jsa");
                // the class path and its directories' newest change, written last: jars and archive of these very classes
                Path made = home.resolve("made-from");
                if (!Files.isRegularFile(made) || !Files.readString(made).contentEquals(stamp)) {
                    Files.deleteIfExists(made);
                    for (String entry : testClassPath.split(java.io.File.pathSeparator)) {
                        Path p = Path.of(entry);
                        if (Files.isDirectory(p)) {
                            pack(p, home.resolve(p.getFileName() + ".jar"));
                        }
                    }
                    train(home, packed, archive);
                    Files.writeString(made, stamp);
                }
                classPath = List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-cp", packed);
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("ChildJvm: running the test class path itself, no class data archive: " + e);
        }
        return classPath;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static long newestChange(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            long newest = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
            }
            return newest;
        }
    }

    private static void pack(Path dir, Path jar) throws IOException {
        Path partial = jar.resolveSibling(jar.getFileName() + ".partial");
        try (OutputStream out = Files.newOutputStream(partial); JarOutputStream zip = new JarOutputStream(out)) {
            zip.setLevel(Deflater.BEST_SPEED);
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path f : (Iterable<Path>) files.sorted(Comparator.naturalOrder())::iterator) {
                    String name = dir.relativize(f).toString().replace('\\', '/');
                    if (Files.isDirectory(f) && !name.isEmpty()) {
                        // directory entries too, as the jar tool writes them: Spring's component scan lists a package through them
                        zip.putNextEntry(new JarEntry(name + "/"));
                        zip.closeEntry();
                    } else if (Files.isRegularFile(f)) {
                        zip.putNextEntry(new JarEntry(name));
                        Files.copy(f, zip);
                        zip.closeEntry();
                    }
                }
            }
        }
        Files.move(partial, jar, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * One start of the app until it answers PING, then SIGTERM: the classes it loaded on the way, and in its stop, are
     * archived as the JVM exits.
     */
    private static void train(Path home, String packed, Path archive) throws IOException, InterruptedException {
        Files.deleteIfExists(archive);
        Path data = Files.createTempDirectory(home, "data");
        int port = TestPorts.free();
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(OPTIONS);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-cp", packed, "io.percore.demo.app.DemoApplication",
                "--percore.servers.resp.port=" + port, "--percore.servers.http.port=0", "--management.server.port=0",
                "--percore.engine.shards=2", "--percore.engine.idle-poll=0s", "--percore.demo.persistence.dir=" + data));
        Path log = home.resolve("training.log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
            while (!answers(port)) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("the training run did not answer PING: " + Files.readString(log));
                }
                Thread.sleep(50);
            }
            p.destroy();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                throw new IOException("the training run did not end within 120 s of SIGTERM: " + log);
            }
            if (!Files.isRegularFile(archive)) {
                throw new IOException("the training run ended with " + p.exitValue() + ", no archive: " + Files.readString(log));
            }
        } finally {
            p.destroyForcibly();
        }
    }

    private static boolean answers(int port) {
        try (RespTestClient c = new RespTestClient(port)) {
            return "PONG".equals(c.cmd("PING"));
        } catch (IOException | RuntimeException notYet) {
            return false;
        }
    }
}
