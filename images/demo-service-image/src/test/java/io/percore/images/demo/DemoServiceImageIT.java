package io.percore.images.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.images.testing.ImageChecks;
import io.percore.images.testing.OciImage.Entry;
import io.percore.images.testing.Sandbox;
import io.percore.operator.reconcile.WorkloadRenderer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** percore/percore-demo-service: the checks of every image, then the demo served from it. */
class DemoServiceImageIT extends ImageChecks {

    private static final String VERSION = "0.1.0-SNAPSHOT";

    @Override
    protected String mainClass() {
        return "io.percore.demo.app.DemoApplication";
    }

    /** The application's class data archive (README.md), made by the build's training run. */
    @Override
    protected List<String> jvmFlags() {
        return List.of("-XX:SharedArchiveFile=/app/app.jsa");
    }

    /**
     * The archive the build's training run made maps on the image's class path as the image carries it (its jars' sizes
     * and times): -Xshare:on refuses to start with an archive it cannot use.
     */
    @Test
    void itsJavaMapsTheApplicationsClassDataArchive() throws Exception {
        Sandbox.Result r = sandbox().run(Sandbox.Spec.of(image).withArgv(List.of("java", "-Xshare:on",
                "-XX:SharedArchiveFile=/app/app.jsa", "-Xlog:cds=info", "-cp", "@/app/jib-classpath-file", "-version")), Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("Opened archive /app/app.jsa");
    }

    /**
     * The image's Java puts the heap (and the code) on huge pages by default where the kernel lends them on request
     * (transparent_hugepage "madvise" or "always"), and where it does not, starts on small pages and says why.
     */
    @Test
    void itsJavaPutsTheHeapOnHugePagesWhereTheKernelLendsThem() throws Exception {
        Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
        boolean lent = Files.isReadable(mode) && !Files.readString(mode).contains("[never]");
        Sandbox.Result r = sandbox().run(Sandbox.Spec.of(image).withArgv(List.of("java", "-Xlog:pagesize", "-version")),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).as("what the kernel lends: %s", lent ? Files.readString(mode).trim() : "nothing")
                .containsPattern(lent ? "Heap: .* page_size=2M " : "Heap: .* page_size=4K ");
    }

    @Override
    protected String applicationJar() {
        return "/app/libs/percore-demo-service-" + VERSION + ".jar";
    }

    /** RESP, HTTP and management ports as the demo's own application.yml (in its jar, in the image) sets them. */
    @Override
    protected Set<Integer> expectedPorts() throws IOException {
        Map<String, Object> yml = demoApplicationYml();
        Set<Integer> ports = new LinkedHashSet<>();
        ports.add((Integer) path(yml, "percore", "servers", "resp", "port"));
        ports.add((Integer) path(yml, "percore", "servers", "http", "port"));
        ports.add((Integer) path(yml, "management", "server", "port"));
        return ports;
    }

    @Override
    protected String expectedWorkingDir() {
        return "/data";
    }

    @Override
    protected Map<String, String> expectedEnv() {
        return Map.of("PERCORE_DATA_DIR", "/data");
    }

    @Override
    protected Set<String> ownedPaths() {
        return Set.of("/data", "/home/" + user);
    }

    @Override
    protected Set<String> requiredModules() {
        // java.desktop: java.beans for Spring; jdk.unsupported: Netty's Unsafe; java.management: Actuator.
        return Set.of("java.desktop", "jdk.unsupported", "java.management", "jdk.crypto.ec");
    }

    @Test
    void managementPortIsTheOneTheOperatorProbes() throws IOException {
        assertThat(path(demoApplicationYml(), "management", "server", "port")).isEqualTo(WorkloadRenderer.DEFAULT_MANAGEMENT_PORT);
    }

    @Test
    void containerConfigurationListensOnEveryInterface() throws IOException {
        // the module's own jar (Jib's packaged mode: a class data archive takes jars only), first on the class path
        Map<String, Object> yml = yamlInJar("/app/classpath/percore-demo-service-image-" + VERSION + ".jar", "config/application.yml");
        assertThat(path(yml, "server", "address")).isEqualTo("0.0.0.0");
        assertThat(path(yml, "percore", "servers", "resp", "bind-address")).isEqualTo("0.0.0.0");
        assertThat(path(yml, "percore", "servers", "http", "bind-address")).isEqualTo("0.0.0.0");
        assertThat(text("/app/jib-classpath-file")).startsWith("/app/classpath/*:");
    }

    /**
     * The seam between operator and service: the demo run from its image with exactly what the
     * operator renders for a persistent PercoreService (the StatefulSet's container environment and
     * JVM options, its ConfigMap at the config mount, the claim at /data), as the image's user. It must
     * answer PING on RESP, report live and ready on the probes' paths, listen on exactly the exposed
     * ports on every interface, save its keys into /data at SIGTERM, and a second start from the same
     * /data must hold them again.
     */
    @Test
    void servesAsTheOperatorRendersItAndKeepsItsDataAcrossARestart() throws Exception {
        Sandbox s = sandbox();
        Set<Integer> ports = expectedPorts();
        int resp = (Integer) path(demoApplicationYml(), "percore", "servers", "resp", "port");
        Rendered rendered = Rendered.persistentService(resp);
        for (Map.Entry<String, String> file : rendered.configFiles().entrySet()) {
            Path target = s.rootfs().resolve(WorkloadRenderer.CONFIG_MOUNT.substring(1)).resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        for (Map.Entry<String, String> file : rendered.secretFiles().entrySet()) {
            Path target = s.rootfs().resolve(file.getKey().substring(1));
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        assertThat(rendered.secretFiles()).as("the operator mounts its aclfile").isNotEmpty();
        String pw = rendered.password();
        Map<String, String> env = new java.util.LinkedHashMap<>(rendered.env());
        // What the kubelet puts in every pod; Spring Boot then serves the liveness/readiness probes.
        env.put("KUBERNETES_SERVICE_HOST", "10.96.0.1");
        env.put("KUBERNETES_SERVICE_PORT", "443");
        Sandbox.Spec spec = Sandbox.Spec.of(image).withEnv(env);
        Path log = s.rootfs().resolveSibling("demo-service.log");
        try (Sandbox.Running demo = s.start(spec, log)) {
            await(demo, Duration.ofSeconds(180), "PING on " + resp, () -> demo.resp(resp, pw, "PING").equals("+PONG"));
            assertThat(demo.resp(resp, "PING")).as("the password required").startsWith("-NOAUTH");
            assertThat(demo.resp(resp, pw, "SET image-test ok")).isEqualTo("+OK");
            int management = WorkloadRenderer.DEFAULT_MANAGEMENT_PORT;
            await(demo, Duration.ofSeconds(60), "the liveness probe on " + management,
                    () -> demo.httpGet(management, "/actuator/health/liveness").startsWith("HTTP/1.1 200"));
            assertThat(demo.httpGet(management, "/actuator/health/readiness")).startsWith("HTTP/1.1 200").contains("\"UP\"");

            Set<String> sockets = demo.listeningSockets();
            assertThat(sockets.stream().map(a -> Integer.parseInt(a.substring(a.lastIndexOf(':') + 1))).collect(Collectors.toSet()))
                    .as("listening: %s", sockets).isEqualTo(ports);
            assertThat(sockets).as("every listener on every interface").allMatch(a -> a.startsWith("0.0.0.0:") || a.startsWith("[::]:"));
            // the plan's shard count applied (PERCORE_ENGINE_SHARDS); Netty's native transport loaded (its .so needs libdl and librt)
            assertThat(demo.log()).containsPattern("Percore engine started: " + rendered.shards() + " shards, transport (epoll|io_uring)");
            // the entrypoint's archive, with the operator's JAVA_TOOL_OPTIONS, mapped (else the JVM says so and goes on without)
            assertThat(demo.log()).doesNotContain("Unable to use shared archive");

            int exit = demo.stop(Duration.ofSeconds(90));
            assertThat(exit).as(tail(demo.log())).isIn(0, 143);  // 143: the JVM's exit after SIGTERM and its shutdown hooks
        }
        List<Path> saved;
        try (var files = Files.list(s.rootfs().resolve("data"))) {
            saved = files.filter(Files::isRegularFile).toList();
        }
        assertThat(saved).as("the final save in /data\n" + tail(Files.readString(log))).isNotEmpty();
        for (Path file : saved) {
            assertThat(Files.getAttribute(file, "unix:uid")).as(file.toString()).isEqualTo(uid);
        }
        Path again = s.rootfs().resolveSibling("demo-service-restart.log");
        try (Sandbox.Running demo = s.start(spec, again)) {
            await(demo, Duration.ofSeconds(180), "PING after the restart", () -> demo.resp(resp, pw, "PING").equals("+PONG"));
            assertThat(demo.resp(resp, pw, "EXISTS image-test")).as("the key saved at SIGTERM, loaded again").isEqualTo(":1");
            assertThat(demo.resp(resp, pw, "STRLEN image-test")).isEqualTo(":2");
            assertThat(demo.stop(Duration.ofSeconds(90))).isIn(0, 143);
        }
    }

    private Map<String, Object> demoApplicationYml() throws IOException {
        return yamlInJar(applicationJar(), "application.yml");
    }

    private Map<String, Object> yamlInJar(String jarPath, String name) throws IOException {
        Entry jar = image.file(jarPath).orElseThrow();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(image.content(jar.path())))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return new Yaml().load(zip);
                }
            }
        }
        throw new IOException("no " + name + " in " + jarPath);
    }

    @SuppressWarnings("unchecked")
    private static Object path(Map<String, Object> yml, String... keys) {
        Object node = yml;
        for (String key : keys) {
            node = node instanceof Map<?, ?> m ? ((Map<String, Object>) m).get(key) : null;
        }
        return node;
    }
}
