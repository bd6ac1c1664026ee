package io.percore.images.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.percore.images.testing.OciImage.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * What every Percore image is, checked on the tarball {@code jib:buildTar} wrote (system property
 * {@code image.tar}, set by images/pom.xml): its name, user, command, environment, ports, the
 * runtime and libraries in it, who owns what; then, as root, its own Java run from its extracted
 * root file system. A subclass names what differs per image and runs the application.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ImageChecks {

    protected static final String JAVA_HOME = "/opt/java";
    protected static final List<String> LIBRARIES = List.of(
            "/lib64/ld-linux-x86-64.so.2",
            "/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libm.so.6", "/lib/x86_64-linux-gnu/libz.so.1",
            "/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libgcc_s.so.1",
            "/lib/x86_64-linux-gnu/libdl.so.2", "/lib/x86_64-linux-gnu/libpthread.so.0", "/lib/x86_64-linux-gnu/librt.so.1");

    protected OciImage image;
    protected final int uid = Integer.getInteger("image.uid", 65532);
    protected final String user = System.getProperty("image.user", "nonroot");
    private Sandbox sandbox;

    /** The class the entrypoint runs. */
    protected abstract String mainClass();

    /** The image's own flags on its entrypoint, before the class path (none unless the image says). */
    protected List<String> jvmFlags() {
        return List.of();
    }

    /** The path of the application's own jar in the image, e.g. /app/libs/percore-operator-0.1.0-SNAPSHOT.jar. */
    protected abstract String applicationJar();

    /** Exposed ports, as the application's own defaults say. */
    protected abstract Set<Integer> expectedPorts() throws IOException;

    protected abstract String expectedWorkingDir();

    /** Environment the image must set, beyond PATH, JAVA_HOME and LANG. */
    protected abstract Map<String, String> expectedEnv();

    /** Paths owned by the user (everything else is root's). */
    protected abstract Set<String> ownedPaths();

    /** Modules the runtime must have (besides java.base), e.g. the ones only a service loader finds. */
    protected abstract Set<String> requiredModules();

    @BeforeAll
    void readImage() throws IOException {
        String tar = System.getProperty("image.tar");
        assertThat(tar).as("system property image.tar (set by images/pom.xml)").isNotBlank();
        image = OciImage.read(Path.of(tar));
    }

    @AfterAll
    void deleteRootfs() throws IOException {
        if (sandbox != null) {
            sandbox.delete();
        }
    }

    // ---------------------------------------------------------------- the tarball, statically

    @Test
    void isTheNamedLinuxAmd64Image() {
        String format = System.getProperty("image.format", "OCI");  // -Dimage.format=Docker: docker save's layout
        assertThat(image.format()).isEqualTo(format);
        assertThat(image.reference()).isEqualTo(System.getProperty("image.name"));
        assertThat(image.config().path("architecture").asText()).isEqualTo("amd64");
        assertThat(image.config().path("os").asText()).isEqualTo("linux");
        if (format.equals("OCI")) {
            assertThat(image.manifest().path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        }
    }

    @Test
    void runsAsTheNonRootUser() throws IOException {
        assertThat(image.containerConfig().path("User").asText()).isEqualTo(uid + ":" + uid);
        assertThat(text("/etc/passwd")).contains(user + ":x:" + uid + ":" + uid + ":" + user + ":/home/" + user + ":/sbin/nologin\n");
        assertThat(text("/etc/group")).contains(user + ":x:" + uid + ":\n");
        assertThat(text("/etc/nsswitch.conf")).contains("passwd: files", "hosts: files dns");
    }

    @Test
    void entrypointIsTheImagesJavaOnTheApplicationsClassPath() throws IOException {
        List<String> expected = new java.util.ArrayList<>(List.of("java"));
        expected.addAll(jvmFlags());
        expected.addAll(List.of("-cp", "@/app/jib-classpath-file", mainClass()));
        assertThat(image.command()).containsExactlyElementsOf(expected);
        assertThat(image.env().get("PATH")).startsWith(JAVA_HOME + "/bin:");
        assertThat(text("/app/jib-main-class-file").trim()).isEqualTo(mainClass());
        List<String> classpath = List.of(text("/app/jib-classpath-file").trim().split(":"));
        assertThat(classpath).contains(applicationJar());
        for (String element : classpath) {
            // Jib always lists its resources and classes directories, and omits them when empty.
            if (element.endsWith("/*")) {
                // Jib's packaged mode: the module's jar in /app/classpath, which the launcher expands
                String dir = element.substring(0, element.length() - 1);
                assertThat(image.files().keySet()).as("a jar in %s", dir).anyMatch(p -> p.startsWith(dir) && p.endsWith(".jar"));
            } else if (!element.equals("/app/resources") && !element.equals("/app/classes")) {
                assertThat(image.file(element)).as("class path element %s is in the image", element).isPresent();
            }
        }
        Entry java = image.file(JAVA_HOME + "/bin/java").orElseThrow();
        assertThat(java.type()).isEqualTo(Entry.Type.FILE);
        assertThat(java.permissions()).isEqualTo(0755);
    }

    @Test
    void environmentLeavesTheJvmOptionsToTheDeployment() {
        Map<String, String> env = image.env();
        Map<String, String> expected = new LinkedHashMap<>(expectedEnv());
        expected.put("JAVA_HOME", JAVA_HOME);
        expected.put("LANG", "C.UTF-8");
        assertThat(env).containsAllEntriesOf(expected);
        // JAVA_TOOL_OPTIONS is the operator's and the chart's: one set here would be replaced by
        // theirs, or (JDK_JAVA_OPTIONS, _JAVA_OPTIONS) would outrank it. The defaults live in the runtime.
        assertThat(env).doesNotContainKeys("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS");
    }

    @Test
    void exposesTheApplicationsPortsAndWorksInItsDirectory() throws IOException {
        Set<String> exposed = new TreeSet<>();
        image.containerConfig().path("ExposedPorts").fieldNames().forEachRemaining(exposed::add);
        Set<String> expected = new TreeSet<>();
        expectedPorts().forEach(p -> expected.add(p + "/tcp"));
        assertThat(exposed).isEqualTo(expected);
        assertThat(image.containerConfig().path("WorkingDir").asText()).isEqualTo(expectedWorkingDir());
        assertThat(image.file(expectedWorkingDir()).map(Entry::type)).contains(Entry.Type.DIRECTORY);
    }

    @Test
    void runtimeIsAJlinkedJavaWithoutDevelopmentTools() throws IOException {
        Map<String, String> release = release();
        assertThat(Runtime.Version.parse(release.get("JAVA_VERSION")).feature()).isGreaterThanOrEqualTo(17);
        Set<String> modules = Set.of(release.get("MODULES").split(" "));
        assertThat(modules).contains("java.base").containsAll(requiredModules())
                .doesNotContain("jdk.compiler", "jdk.jlink", "jdk.jdeps", "jdk.jshell");
        assertThat(image.file(JAVA_HOME + "/lib/modules")).isPresent();
        assertThat(image.file(JAVA_HOME + "/lib/server/libjvm.so")).isPresent();
        assertThat(image.files().keySet()).noneMatch(p -> p.startsWith(JAVA_HOME + "/jmods") || p.startsWith(JAVA_HOME + "/include")
                || p.startsWith(JAVA_HOME + "/man") || p.matches(".*/libawt[^/]*\\.so"));
        assertThat(image.files().values()).filteredOn(e -> e.type() == Entry.Type.SYMLINK).as("no links to dangle").isEmpty();
    }

    @Test
    void runtimeDefaultsAreTheImagesJvmOptions() throws IOException, InterruptedException {
        // Read with this JVM's jimage tool, which reads images of its own feature version only.
        int runtime = Runtime.Version.parse(release().get("JAVA_VERSION")).feature();
        assumeTrue(runtime == Runtime.version().feature(),
                "the image's Java is " + runtime + ", this JVM's jimage reads " + Runtime.version().feature() + " only");
        Path dir = Files.createTempDirectory("image-modules");
        try {
            Path modules = dir.resolve("modules");
            Files.write(modules, image.content(JAVA_HOME + "/lib/modules"));
            Path jimage = Path.of(System.getProperty("java.home"), "bin", "jimage");
            Process p = new ProcessBuilder(jimage.toString(), "extract", "--dir", dir.resolve("x").toString(),
                    "--include", "regex:.*jdk/internal/vm/options", modules.toString()).inheritIO().start();
            assertThat(p.waitFor()).isZero();
            assertThat(Files.readString(dir.resolve("x/java.base/jdk/internal/vm/options")).trim())
                    .isEqualTo(System.getProperty("image.jvmDefaults"));
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void carriesTheSharedLibrariesTheRuntimeLoads() {
        for (String library : LIBRARIES) {
            Optional<Entry> entry = image.file(library);
            assertThat(entry).as(library).isPresent();
            assertThat(entry.get().type()).as(library).isEqualTo(Entry.Type.FILE);
            assertThat(entry.get().permissions()).as(library).isEqualTo(0755);
        }
    }

    @Test
    void rootOwnsEverythingButTheUsersDirectories() {
        List<String> wrong = new ArrayList<>();
        for (Entry e : image.files().values()) {
            boolean owned = ownedPaths().stream().anyMatch(p -> e.path().equals(p) || e.path().startsWith(p + "/"));
            String expected = owned ? uid + ":" + uid : "0:0";
            if (!e.owner().equals(expected)) {
                wrong.add(e.path() + " " + e.owner() + " (expected " + expected + ")");
            }
            if ((e.permissions() & 06000) != 0 || ((e.permissions() & 02) != 0 && !e.path().equals("/tmp"))) {
                wrong.add(e.path() + " mode " + Integer.toOctalString(e.permissions()));
            }
        }
        assertThat(wrong).isEmpty();
        for (String p : ownedPaths()) {
            assertThat(image.file(p)).as(p).get().extracting(Entry::type, Entry::permissions).containsExactly(Entry.Type.DIRECTORY, 0755);
        }
        assertThat(image.file("/tmp")).get().extracting(Entry::type, Entry::permissions).containsExactly(Entry.Type.DIRECTORY, 0777);
    }

    @Test
    void runtimeAndApplicationAreSeparateLayers() {
        // A new build of the application re-ships its own layers, not the 80 MB runtime.
        int runtimeLayer = image.file(JAVA_HOME + "/lib/modules").orElseThrow().layer();
        assertThat(image.file(applicationJar()).orElseThrow().layer()).isNotEqualTo(runtimeLayer);
        assertThat(image.file("/app/jib-classpath-file").orElseThrow().layer()).isNotEqualTo(runtimeLayer);
    }

    // ---------------------------------------------------------------- the image's own Java, run

    /** The extracted image, ready to run; skips the calling test (only) when not root. */
    protected Sandbox sandbox() throws IOException {
        Optional<String> skip = Sandbox.skipReason();
        skip.ifPresent(reason -> System.err.println("[image test] skipped running " + image.reference() + ": " + reason));
        assumeTrue(skip.isEmpty(), () -> skip.orElse(""));
        if (sandbox == null) {
            sandbox = Sandbox.extract(image, Path.of(System.getProperty("image.smokeDirectory", "target/image-smoke")));
        }
        return sandbox;
    }

    @Test
    void itsJavaRunsAsTheUserWithUtf8AndTmp() throws Exception {
        Sandbox s = sandbox();
        Sandbox.Result r = s.run(Sandbox.Spec.of(image).withArgv(List.of("java", "-XshowSettings:properties", "-version")),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("OpenJDK Runtime Environment", "user.name = " + user, "user.home = /home/" + user,
                "java.home = " + JAVA_HOME, "java.io.tmpdir = /tmp", "sun.jnu.encoding = UTF-8", "file.encoding = UTF-8",
                "user.dir = " + expectedWorkingDir());
    }

    /** The JDK's classes come from the runtime's class data archive: -Xshare:on refuses to start without one. */
    @Test
    void itsJavaMapsTheRuntimesClassDataArchive() throws Exception {
        assertThat(image.content(JAVA_HOME + "/lib/server/classes.jsa")).as("jlink --generate-cds-archive").isNotEmpty();
        Sandbox.Result r = sandbox().run(Sandbox.Spec.of(image).withArgv(List.of("java", "-Xshare:on", "-Xlog:cds=info", "-version")),
                Duration.ofSeconds(60));
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).as("the archive mapped").contains("Opened archive " + JAVA_HOME + "/lib/server/classes.jsa");
    }

    @Test
    void jvmDefaultsApplyAndJavaToolOptionsOverrideThem() throws Exception {
        Sandbox s = sandbox();
        Sandbox.Spec flags = Sandbox.Spec.of(image).withArgv(List.of("java", "-XX:+PrintFlagsFinal", "-version"));

        Map<String, String> defaults = flags(s.run(flags, Duration.ofSeconds(60)));
        assertThat(defaults).containsEntry("ExitOnOutOfMemoryError", "true {jimage}")
                .containsEntry("MaxRAMPercentage", "75.000000 {jimage}");

        // What the operator renders into JAVA_TOOL_OPTIONS (JvmOptions), plus a user's own flag.
        Map<String, String> planned = flags(s.run(flags.withEnv(Map.of("JAVA_TOOL_OPTIONS",
                "-XX:MaxRAMPercentage=50 -XX:ActiveProcessorCount=3 -Xmx200m -XX:MaxDirectMemorySize=64m -XX:+ExitOnOutOfMemoryError")),
                Duration.ofSeconds(60)));
        assertThat(planned).containsEntry("MaxHeapSize", (200L << 20) + " {command line}")  // -Xmx is recorded so
                .containsEntry("ActiveProcessorCount", "3 {environment}")
                .containsEntry("MaxDirectMemorySize", (64L << 20) + " {environment}")
                .containsEntry("MaxRAMPercentage", "50.000000 {environment}")
                .containsEntry("ExitOnOutOfMemoryError", "true {environment}");
        Map<String, String> off = flags(s.run(flags.withEnv(Map.of("JAVA_TOOL_OPTIONS", "-XX:-ExitOnOutOfMemoryError")),
                Duration.ofSeconds(60)));
        assertThat(off).containsEntry("ExitOnOutOfMemoryError", "false {environment}");
    }

    private static final Pattern FLAG = Pattern.compile("^\\s*\\S+\\s+(\\w+)\\s+=\\s+(\\S+)\\s+\\{[^}]*}\\s+\\{([^}]*)}\\s*$");

    /** PrintFlagsFinal as name → "value {origin}". */
    private static Map<String, String> flags(Sandbox.Result r) {
        assertThat(r.exitCode()).as(r.output()).isZero();
        Map<String, String> flags = new LinkedHashMap<>();
        for (String line : r.output().split("\n")) {
            Matcher m = FLAG.matcher(line);
            if (m.matches()) {
                flags.put(m.group(1), m.group(2) + " {" + m.group(3) + "}");
            }
        }
        assertThat(flags).as(r.output()).isNotEmpty();
        return flags;
    }

    // ---------------------------------------------------------------- helpers

    protected String text(String path) throws IOException {
        return new String(image.content(path), StandardCharsets.UTF_8);
    }

    protected Map<String, String> release() throws IOException {
        Map<String, String> release = new LinkedHashMap<>();
        for (String line : text(JAVA_HOME + "/release").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                release.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
            }
        }
        return release;
    }

    /** Polls until {@code check} returns true or {@code timeout} passes; fails early if the container died. */
    protected static void await(Sandbox.Running running, Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (check.ok()) {
                return;
            }
            if (!running.isAlive()) {
                throw new AssertionError(what + ": the container exited\n" + tail(running.log()));
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what + ": not after " + timeout + "\n" + tail(running.log()));
            }
            Thread.sleep(500);
        }
    }

    @FunctionalInterface
    protected interface Check {
        boolean ok() throws Exception;
    }

    protected static String tail(String log) {
        String[] lines = log.split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 60), lines.length));
    }

    protected static JsonNode at(JsonNode node, String... path) {
        JsonNode n = node;
        for (String p : path) {
            n = n.path(p);
        }
        return n;
    }
}
