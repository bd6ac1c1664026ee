package io.percore.operator.backup;

import io.percore.operator.replication.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;

/**
 * A real S3 API server for the tests: S3Proxy (its jar with every dependency, copied by the build) as a child JVM,
 * SigV4 authentication on ({@code aws-v2-or-v4}, one identity and its credential, so a wrong key is refused as AWS
 * refuses it), storing objects in a temporary directory ({@code filesystem-nio2}). One per test JVM, started at first
 * use and stopped when the JVM exits: each start costs a JVM's start.
 */
final class S3ProxyProcess {

    static final String JAR = "percore.it.s3proxyJar";
    static final String IDENTITY = "percore-test";
    static final String CREDENTIAL = "percore-test-secret-0123456789";

    private static S3ProxyProcess shared;

    final int port;
    final Path store;
    private final Process process;
    private final Path log;
    /** Its directory (store, properties, log): removed once it stopped, as its objects take tens of MB a test JVM. */
    private final Path dir;

    private S3ProxyProcess(int port, Path store, Process process, Path log, Path dir) {
        this.port = port;
        this.store = store;
        this.process = process;
        this.log = log;
        this.dir = dir;
    }

    /** The test JVM's S3Proxy, started on first use. */
    static synchronized S3ProxyProcess shared() throws IOException, InterruptedException {
        if (shared == null || !shared.process.isAlive()) {
            shared = start(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
            S3ProxyProcess s = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
        }
        return shared;
    }

    static S3ProxyProcess start(List<String> jvmOptions) throws IOException, InterruptedException {
        String jar = System.getProperty(JAR, "");
        if (jar.isBlank() || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("no S3Proxy jar at '" + jar + "' (-D" + JAR + "): the build copies it (execution copy-s3proxy)");
        }
        Path dir = Files.createTempDirectory("s3proxy-");
        Path store = Files.createDirectories(dir.resolve("store"));
        int port = ServiceProcess.freePort(); // reserved for this JVM: no server of the tests is handed it too
        Path properties = dir.resolve("s3proxy.properties");
        Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + port,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + IDENTITY,
                "s3proxy.credential=" + CREDENTIAL,
                "jclouds.provider=filesystem-nio2",
                "jclouds.filesystem.basedir=" + store,
                "jclouds.identity=" + IDENTITY,
                "jclouds.credential=" + CREDENTIAL, ""));
        Path log = dir.resolve("s3proxy.log");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar, "--properties", properties.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos(); // a bound on a hung start, not a timing
        // Its own log says it listens: a connection that succeeds proves only that something holds the port (a
        // redis-server handed the same port answers HTTP by closing: "Unexpected end of file from server").
        String listening = "Started ServerConnector@";
        String address = "{127.0.0.1:" + port + "}";
        while (!Files.readString(log).lines().anyMatch(l -> l.contains(listening) && l.contains(address))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IOException("S3Proxy did not start on port " + port + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
        return new S3ProxyProcess(port, store, p, log, dir);
    }

    /** The store's settings with the right credentials, for {@code bucket} and {@code prefix}. */
    StorageSettings settings(String bucket, String prefix) {
        return new StorageSettings(URI.create("http://127.0.0.1:" + port), "us-east-1", bucket, prefix, true, IDENTITY, CREDENTIAL, null, null,
                Duration.ofSeconds(5), Duration.ofSeconds(60));
    }

    /** The environment variables of those settings, as a Job would carry them. */
    java.util.Map<String, String> env(String bucket, String prefix) {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        env.put("PERCORE_S3_ENDPOINT", "http://127.0.0.1:" + port);
        env.put("PERCORE_S3_REGION", "us-east-1");
        env.put("PERCORE_S3_BUCKET", bucket);
        env.put("PERCORE_S3_PREFIX", prefix);
        env.put("PERCORE_S3_PATH_STYLE", "true");
        env.put("PERCORE_S3_ACCESS_KEY_ID", IDENTITY);
        env.put("PERCORE_S3_SECRET_ACCESS_KEY", CREDENTIAL);
        return env;
    }

    /** A new bucket of a unique name. */
    String bucket(String stem) throws BackupException {
        String name = stem + "-" + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
        try (ObjectStore store = ObjectStore.open(settings(name, ""))) {
            try {
                store.s3.createBucket(b -> b.bucket(name));
            } catch (BucketAlreadyOwnedByYouException e) {
                // fine
            }
        }
        return name;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** Stops it and removes its directory. */
    void stop() {
        process.destroyForcibly();
        try {
            process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            try (var files = Files.walk(dir)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // a file still held: left for the system's temporary directory cleaner
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
