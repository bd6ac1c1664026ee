package io.percore.images.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.images.testing.ImageChecks;
import io.percore.images.testing.Sandbox;
import io.percore.operator.OperatorSettings;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** percore/percore-operator: the checks of every image, then the operator started from it as the chart runs it. */
class OperatorImageIT extends ImageChecks {

    @Override
    protected String mainClass() {
        return "io.percore.operator.OperatorMain";
    }

    @Override
    protected String applicationJar() {
        return "/app/libs/percore-operator-0.1.0-SNAPSHOT.jar";
    }

    @Override
    protected Set<Integer> expectedPorts() {
        return Set.of(OperatorSettings.DEFAULT_HTTP_PORT);
    }

    @Override
    protected String expectedWorkingDir() {
        return "/home/" + user;
    }

    @Override
    protected Map<String, String> expectedEnv() {
        return Map.of();
    }

    @Override
    protected Set<String> ownedPaths() {
        return Set.of("/home/" + user);
    }

    @Override
    protected Set<String> requiredModules() {
        // java.net.http: the Kubernetes client's transport; jdk.httpserver: health and metrics;
        // jdk.crypto.ec: TLS to API servers with EC certificates (no class names it: jdeps cannot see it).
        // java.xml: S3's replies (the backup and restore programs' AWS SDK)
        return Set.of("java.net.http", "jdk.httpserver", "java.management", "jdk.crypto.ec", "java.xml");
    }

    /**
     * The operator as the chart runs it (read-only root, a tmpfs /tmp, the chart's JAVA_TOOL_OPTIONS),
     * with no API server to reach: leader election keeps retrying, the HTTP server must serve
     * liveness and metrics on the exposed port, on every interface.
     */
    @Test
    void servesHealthAndMetricsWithAReadOnlyRoot() throws Exception {
        Sandbox s = sandbox();
        int port = OperatorSettings.DEFAULT_HTTP_PORT;
        Sandbox.Spec spec = Sandbox.Spec.of(image).withReadOnlyRoot().withEnv(Map.of(
                "JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError",
                "POD_NAMESPACE", "percore-system",
                "POD_NAME", "percore-operator-0",
                "KUBERNETES_MASTER", "https://127.0.0.1:6443"));  // nothing listens: no cluster here
        Path log = s.rootfs().resolveSibling("operator.log");
        try (Sandbox.Running operator = s.start(spec, log)) {
            await(operator, Duration.ofSeconds(120), "GET /healthz/live on " + port,
                    () -> operator.httpGet(port, "/healthz/live").startsWith("HTTP/1.1 200"));
            String metrics = operator.httpGet(port, "/metrics");
            assertThat(metrics).startsWith("HTTP/1.1 200").contains("percore_operator_leader 0", "jvm_memory_used_bytes");
            assertThat(operator.listeningSockets()).as("one listener, on every interface").hasSize(1)
                    .allMatch(a -> a.equals("[::]:" + port) || a.equals("0.0.0.0:" + port));
            assertThat(operator.stop(Duration.ofSeconds(30))).as(tail(operator.log())).isIn(0, 143);
        }
    }

    /**
     * The backup and restore programs, run by the image's own Java as a Job and an init container would run them
     * ({@code java -cp @/app/jib-classpath-file <main>}, the image's user): a redis-server's snapshot to a real S3 API
     * (S3Proxy, SigV4) and back into a data directory, where redis-check-rdb accepts it. The servers listen on the
     * host's loopback, so these runs share the host's network (a pod's hostNetwork); settings that are wrong exit 2.
     */
    @Test
    void backupAndRestoreRunFromTheImage() throws Exception {
        Sandbox s = sandbox();
        Path work = s.rootfs().resolveSibling("backup");
        deleteTree(work);
        Path store = Files.createDirectories(work.resolve("store"));
        Files.createDirectories(store.resolve("backups")); // a bucket of S3Proxy's filesystem store is a directory
        int s3Port = freePort(-1);
        int redisPort = freePort(s3Port); // not the same: a redis-server on S3Proxy's port answers HTTP by closing
        Files.writeString(work.resolve("s3proxy.properties"), String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + s3Port,
                "s3proxy.authorization=aws-v2-or-v4", "s3proxy.identity=image-test", "s3proxy.credential=image-test-secret",
                "jclouds.provider=filesystem-nio2", "jclouds.filesystem.basedir=" + store, "jclouds.identity=image-test",
                "jclouds.credential=image-test-secret", ""));
        Process s3 = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-jar", System.getProperty("percore.it.s3proxyJar"), "--properties", work.resolve("s3proxy.properties").toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("s3proxy.log").toFile()).start();
        Process redis = new ProcessBuilder("redis-server", "--port", Integer.toString(redisPort), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes", "--dir", work.toString())
                .redirectErrorStream(true).redirectOutput(work.resolve("redis.log").toFile()).start();
        try {
            awaitS3Proxy(s3Port, s3, work.resolve("s3proxy.log"));
            awaitPort(redisPort, redis);
            Process seed = new ProcessBuilder("redis-cli", "-p", Integer.toString(redisPort), "debug", "populate", "5000", "key", "100")
                    .redirectErrorStream(true).start();
            assertThat(new String(seed.getInputStream().readAllBytes()).trim()).isEqualTo("OK");

            Map<String, String> storeEnv = Map.of("PERCORE_S3_ENDPOINT", "http://127.0.0.1:" + s3Port, "PERCORE_S3_BUCKET", "backups",
                    "PERCORE_S3_PATH_STYLE", "true", "PERCORE_S3_ACCESS_KEY_ID", "image-test", "PERCORE_S3_SECRET_ACCESS_KEY", "image-test-secret",
                    "PERCORE_BACKUP_NAMESPACE", "ns1", "PERCORE_BACKUP_SERVICE", "kv", "PERCORE_TERMINATION_LOG", "/tmp/termination-log");
            Sandbox.Spec program = Sandbox.Spec.of(image).withHostNetwork().withEnv(storeEnv);

            Sandbox.Result backup = s.run(program.withArgv(List.of("java", "-cp", "@/app/jib-classpath-file", "io.percore.operator.backup.BackupMain"))
                    .withEnv(Map.of("PERCORE_BACKUP_SOURCES", "127.0.0.1:" + redisPort)), Duration.ofSeconds(180));
            assertThat(backup.exitCode()).as(backup.output()).isZero();
            assertThat(backup.output()).contains("{\"outcome\":\"Succeeded\"", "\"keys\":5000", "\"sourceVersion\":\"7.0.15\"");
            assertThat(Files.readString(s.rootfs().resolve("tmp/termination-log"))).startsWith("{\"outcome\":\"Succeeded\"");

            Sandbox.Result restore = s.run(program.withArgv(List.of("java", "-cp", "@/app/jib-classpath-file", "io.percore.operator.backup.RestoreMain"))
                    .withEnv(Map.of("PERCORE_DATA_DIR", "/home/" + user + "/data")), Duration.ofSeconds(180));
            assertThat(restore.exitCode()).as(restore.output()).isZero();
            assertThat(restore.output()).contains("{\"outcome\":\"Restored\"", "\"keys\":5000", "\"verifiedAgainst\":\"manifest\"");
            Path restored = s.rootfs().resolve("home/" + user + "/data/dump.rdb");
            assertThat(Files.getOwner(restored).getName()).as("written as the image's user").isIn(user, Integer.toString(uid));
            Process check = new ProcessBuilder("redis-check-rdb", restored.toString()).redirectErrorStream(true).start();
            String checked = new String(check.getInputStream().readAllBytes());
            assertThat(check.waitFor()).as(checked).isZero();
            assertThat(checked).contains("5000 keys read", "Checksum OK");

            Sandbox.Result invalid = s.run(program.withArgv(List.of("java", "-cp", "@/app/jib-classpath-file", "io.percore.operator.backup.BackupMain")),
                    Duration.ofSeconds(120));
            assertThat(invalid.exitCode()).as(invalid.output()).isEqualTo(2);
            assertThat(invalid.output()).contains("\"reason\":\"InvalidSettings\"", "PERCORE_BACKUP_SOURCES is required");
        } finally {
            redis.destroyForcibly().waitFor();
            s3.destroyForcibly().waitFor();
        }
    }

    private static void awaitPort(int port, Process p) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos(); // a bound on a hung start
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException e) {
                if (!p.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("nothing listens on " + port, e);
                }
                Thread.sleep(100);
            }
        }
    }

    /**
     * S3Proxy's own log says it listens on {@code port}: a connection that succeeds proves only that something holds it
     * (a CI run's backup met "Unexpected end of file from server" four times: what answers HTTP that way is a redis-server).
     */
    private static void awaitS3Proxy(int port, Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos(); // a bound on a hung start
        String address = "{127.0.0.1:" + port + "}";
        while (!Files.readString(log).lines().anyMatch(l -> l.contains("Started ServerConnector@") && l.contains(address))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                throw new IOException("S3Proxy did not start on " + port + ": " + Files.readString(log));
            }
            Thread.sleep(50);
        }
    }

    /**
     * A port of 16000-19999 other than {@code not}: below the system's ephemeral range (32768-60999), so no outgoing
     * connection takes it meanwhile, and below Kubernetes' NodePorts; the servers are told theirs before they start.
     */
    private static int freePort(int not) throws IOException {
        int start = ThreadLocalRandom.current().nextInt(4000);
        for (int i = 0; i < 4000; i++) {
            int port = 16000 + (start + i) % 4000;
            if (port == not) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (IOException taken) {
                // the next
            }
        }
        throw new IOException("no free port in 16000-19999");
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
}
