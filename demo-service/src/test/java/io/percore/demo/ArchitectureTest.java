package io.percore.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The demo's packages and the one direction of their arrows (the module README draws them). A
 * package may use the packages on the rows below its own, never one on its row or above: a class
 * that imports upward (or sideways) fails the build here, by its name and the dependency.
 */
class ArchitectureTest {

    /** From the top down; {@code ""} is {@code io.percore.demo} itself (DemoService, DemoSettings). */
    static final List<List<String>> ROWS = List.of(
            List.of("app"),                 // the Spring Boot application
            List.of(""),                    // the service: starts the keyspace, the server state and both servers
            List.of("http", "network", "replay"), // the HTTP server; the RESP server (connections, dispatch, the command table); feeds run again (the AOF at start, a primary's stream)
            List.of("admin", "commands"),   // operators' commands (CLIENT, CONFIG, INFO, ...); the data commands (t_*.c, multi.c, ...)
            List.of("scripting"),           // Lua scripts: the environment, conversions, running on a shard (eval.c, script_lua.c)
            List.of("execution"),           // running a command (server.c's call()): on its shard or holding several (EXEC, multi-key commands), its report
            List.of("command"),             // what a command is and sees
            List.of("server", "pubsub"),    // the server's per-shard state; pub/sub's channels
            List.of("replication", "cluster"), // replicas and primaries (replication.c); this node in a cluster: slots, redirections, migrations (cluster.c)
            List.of("persistence"),         // the keyspace on disk: snapshots saved and loaded (rdb.c's server side), the append-only file
            List.of("shard"),               // the keyspace across shards: routing, reservations, waiters, the write path
            List.of("feed"),                // what a write changed (Change), put in one serial order (GroupOrder) and encoded for one reader (the log, the stream)
            List.of("tracking"),            // client-side caching: each shard's tracking table and prefixes, delivery to tracking clients (tracking.c)
            List.of("rdb"),                 // DUMP and RDB formats
            List.of("resp"),                // the protocol: replies, numbers, doubles
            List.of("kv"));                 // one shard's keys and values

    static LayeredArchitecture rule(String root) {
        LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> row : ROWS) {
            for (String name : row) {
                layers = layers.layer(layerName(name)).definedBy(name.isEmpty() ? root : root + "." + name + "..");
            }
        }
        for (int r = 0; r < ROWS.size(); r++) {
            List<String> above = new ArrayList<>();
            for (int a = 0; a < r; a++) {
                ROWS.get(a).forEach(name -> above.add(layerName(name)));
            }
            for (String name : ROWS.get(r)) {
                layers = above.isEmpty()
                        ? layers.whereLayer(layerName(name)).mayNotBeAccessedByAnyLayer()
                        : layers.whereLayer(layerName(name)).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
            }
        }
        return layers;
    }

    private static String layerName(String pkg) {
        return pkg.isEmpty() ? "service" : pkg;
    }

    private static final JavaClasses DEMO = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.percore.demo");

    @Test
    void arrowsBetweenPackagesPointDown() {
        rule("io.percore.demo").check(DEMO);
    }

    @Test
    void everyPackageHasItsRow() {
        List<String> known = new ArrayList<>();
        ROWS.forEach(row -> row.forEach(name -> known.add(name.isEmpty() ? "io.percore.demo" : "io.percore.demo." + name)));
        for (JavaClass c : DEMO) {
            String pkg = c.getPackageName();
            assertThat(known.stream().anyMatch(k -> pkg.equals(k) || pkg.startsWith(k + ".")))
                    .as("%s is in a package with no row in ArchitectureTest.ROWS (and none in the README's picture)", c.getName())
                    .isTrue();
        }
    }

    /**
     * The README's "Packages and their arrows" table is this rule in words: its rows name the packages
     * of {@link #ROWS} in the same order, and a class it names in a row (a backticked simple name) is in
     * one of that row's packages; a name written with its package or class ({@code feed.ChangeFeed},
     * {@code ChangeFeed.Reader}) points elsewhere on purpose and is not checked.
     */
    @Test
    void theReadmesPackageTableIsThisRule() throws IOException {
        List<String> table = Files.readAllLines(Path.of("README.md")).stream()
                .dropWhile(line -> !line.equals("### Packages and their arrows"))
                .filter(line -> line.matches("\\| \\d+[a-z]? \\|.*"))
                .toList();
        Map<String, String> packageOf = new HashMap<>();
        for (JavaClass c : DEMO) {
            if (!c.isNestedClass() && !c.isAnonymousClass()) {
                packageOf.put(c.getSimpleName(), c.getPackageName());
            }
        }
        List<List<String>> rows = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        for (String line : table) {
            String[] cells = line.split("\\|");
            List<String> packages = new ArrayList<>();
            Matcher named = Pattern.compile("`([a-z]+)`").matcher(cells[2]);
            while (named.find()) {
                packages.add(named.group(1));
            }
            if (cells[2].contains("(the root)")) {
                packages.add("");
            }
            rows.add(packages);
            Matcher classes = Pattern.compile("`([A-Z][A-Za-z0-9]+)[`(]").matcher(cells[3]);
            while (classes.find()) {
                String pkg = packageOf.get(classes.group(1));
                if (pkg != null && packages.stream().noneMatch(name -> pkg.equals(name.isEmpty() ? "io.percore.demo" : "io.percore.demo." + name))) {
                    misplaced.add(classes.group(1) + " (in " + pkg + ", named in the row of " + packages + ")");
                }
            }
        }
        assertThat(rows).as("README.md's package table, row by row").isEqualTo(ROWS);
        assertThat(misplaced).as("classes README.md's package table names in another package's row").isEmpty();
    }

    /**
     * What a subsystem keeps on each shard, the instance of its engine {@code Sharded} service there
     * (Seastar's {@code sharded<T>}), is named for the subsystem: {@code KeyspaceShard}, {@code ServerShard},
     * {@code ScriptShard}, {@code PubSubShard}. Read from the sources: every {@code Sharded<T>} they write.
     */
    @Test
    void aShardedServicesInstanceIsNamedSubsystemShard() throws IOException {
        List<String> named = new ArrayList<>();
        List<String> misnamed = new ArrayList<>();
        try (var files = Files.walk(Path.of("src/main/java"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = Pattern.compile("Sharded<([A-Z][A-Za-z0-9]*)>").matcher(Files.readString(f));
                while (m.find()) {
                    named.add(m.group(1));
                    if (!m.group(1).matches("[A-Z][A-Za-z]*[a-z]Shard")) {
                        misnamed.add(m.group(1) + " in " + f.getFileName());
                    }
                }
            }
        }
        assertThat(named).as("Sharded services the sources name").contains("KeyspaceShard", "ServerShard", "ScriptShard", "PubSubShard");
        assertThat(misnamed).as("a Sharded service's per-shard instance not named <Subsystem>Shard").isEmpty();
    }

    /** The rule bites: fixture classes with an upward and a sideways arrow are both reported. */
    @Test
    void anArrowUpOrSidewaysIsReported() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.percore.demo.archfixture");
        EvaluationResult result = rule("io.percore.demo.archfixture").evaluate(fixture);
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(result.hasViolation()).isTrue();
        assertThat(report).contains("archfixture.kv.StoredThing").contains("archfixture.shard.Router");
        assertThat(report).contains("archfixture.admin.ClientList").contains("archfixture.commands.Sets");
        assertThat(report).doesNotContain("archfixture.shard.Router.route"); // shard -> kv points down: allowed
    }
}
