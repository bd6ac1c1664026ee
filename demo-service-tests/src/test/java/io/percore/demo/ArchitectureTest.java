package io.percore.demo;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.library.Architectures;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
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
 * The demo's layers and the one direction of their arrows (docs/design/demo-service-code.md draws them). A package
 * may use the packages of its own layer and of the layers below, never one above; the packages
 * themselves, in a layer or across, never make a circle. A class that imports upward, or closes a
 * circle, fails the build here, by its name and the dependency.
 */
class ArchitectureTest {

    /** A layer: its name and its packages; {@code ""} is {@code io.percore.demo} itself (DemoService, DemoSettings). */
    record Layer(String name, List<String> packages) {
    }

    /** From the top down. */
    static final List<Layer> LAYERS = List.of(
            // the Spring Boot application, and the service it starts: the keyspace, the server's state, both servers
            new Layer("application", List.of("app", "")),
            // where commands come from: the HTTP server; the RESP server's connections; feeds run again (the AOF at start, a primary's stream)
            new Layer("front", List.of("http", "network", "replay")),
            // what each command does: the table of them; the operators' (CONFIG, INFO, CLIENT, ...), the data types' (t_*.c, multi.c, ...), Lua's (eval.c)
            new Layer("commands", List.of("table", "admin", "commands", "scripting")),
            // running a command (server.c's call(), processCommand's admission): on its shard or holding several; what a command is and sees
            new Layer("execution", List.of("execution", "command")),
            // the server's state per shard and its subsystems: its users, pub/sub, replication, cluster, the keyspace on disk
            new Layer("server", List.of("server", "acl", "pubsub", "replication", "cluster", "persistence")),
            // the keyspace across shards and what its writes feed, client tracking, one shard's values and their formats (RDB, RESP)
            new Layer("keyspace", List.of("shard", "feed", "tracking", "rdb", "resp", "kv")));

    /** The layers, and no circle between the packages ({@code root.<package>..}). */
    static ArchRule rule(String root) {
        LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (Layer layer : LAYERS) {
            layers = layers.layer(layer.name()).definedBy(layer.packages().stream()
                    .map(name -> name.isEmpty() ? root : root + "." + name + "..").toArray(String[]::new));
        }
        for (int i = 0; i < LAYERS.size(); i++) {
            String[] above = LAYERS.subList(0, i).stream().map(Layer::name).toArray(String[]::new);
            layers = above.length == 0
                    ? layers.whereLayer(LAYERS.get(i).name()).mayNotBeAccessedByAnyLayer()
                    : layers.whereLayer(LAYERS.get(i).name()).mayOnlyBeAccessedByLayers(above);
        }
        ArchRule circles = SlicesRuleDefinition.slices().matching(root + ".(*)..").should().beFreeOfCycles();
        return CompositeArchRule.of(layers).and(circles);
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
        LAYERS.forEach(layer -> layer.packages().forEach(name -> known.add(name.isEmpty() ? "io.percore.demo" : "io.percore.demo." + name)));
        for (JavaClass c : DEMO) {
            String pkg = c.getPackageName();
            assertThat(known.stream().anyMatch(k -> pkg.equals(k) || pkg.startsWith(k + ".")))
                    .as("%s is in a package with no layer in ArchitectureTest.LAYERS (and none in docs/design/demo-service-code.md's table)", c.getName())
                    .isTrue();
        }
    }

    /**
     * docs/design/demo-service-code.md's "Packages and their arrows" table is this rule in words: a row per layer, in the
     * order of {@link #LAYERS}, naming the layer in bold and its packages; a class it names in a row (a
     * backticked simple name) is in one of that layer's packages; a name written with its package or
     * class ({@code feed.ChangeFeed}, {@code ChangeFeed.Reader}) points elsewhere on purpose and is not checked.
     */
    @Test
    void theReadmesPackageTableIsThisRule() throws IOException {
        List<String> table = Files.readAllLines(Path.of("../docs/design/demo-service-code.md")).stream()
                .dropWhile(line -> !line.equals("### Packages and their arrows"))
                .filter(line -> line.matches("\\| \\d+ \\|.*"))
                .toList();
        Map<String, String> packageOf = new HashMap<>();
        for (JavaClass c : DEMO) {
            if (!c.isNestedClass() && !c.isAnonymousClass()) {
                packageOf.put(c.getSimpleName(), c.getPackageName());
            }
        }
        List<Layer> rows = new ArrayList<>();
        List<String> misplaced = new ArrayList<>();
        for (String line : table) {
            String[] cells = line.split("\\|");
            Matcher name = Pattern.compile("\\*\\*([a-z]+)\\*\\*").matcher(cells[2]);
            List<String> packages = new ArrayList<>();
            Matcher named = Pattern.compile("`([a-z]+)`").matcher(cells[2]);
            while (named.find()) {
                packages.add(named.group(1));
            }
            if (cells[2].contains("(the root)")) {
                packages.add("");
            }
            rows.add(new Layer(name.find() ? name.group(1) : "(no name in bold)", packages));
            Matcher classes = Pattern.compile("`([A-Z][A-Za-z0-9]+)[`(]").matcher(cells[3]);
            while (classes.find()) {
                String pkg = packageOf.get(classes.group(1));
                if (pkg != null && packages.stream().noneMatch(p -> pkg.equals(p.isEmpty() ? "io.percore.demo" : "io.percore.demo." + p))) {
                    misplaced.add(classes.group(1) + " (in " + pkg + ", named in the row of " + packages + ")");
                }
            }
        }
        assertThat(rows).as("docs/design/demo-service-code.md's package table, layer by layer").isEqualTo(LAYERS);
        assertThat(misplaced).as("classes docs/design/demo-service-code.md's package table names in another layer's row").isEmpty();
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
        try (var files = Files.walk(Path.of("../demo-service/src/main/java"))) {
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

    /**
     * The rule bites: the fixture's value class reaching up to an operators' command (an arrow up a
     * layer) and its two circles (shard and kv in one layer, admin and commands in another) are reported.
     */
    @Test
    void anArrowUpOrACircleIsReported() {
        JavaClasses fixture = new ClassFileImporter().importPackages("io.percore.demo.archfixture");
        EvaluationResult result = rule("io.percore.demo.archfixture").evaluate(fixture);
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(result.hasViolation()).isTrue();
        // an arrow up a layer is reported on a line of its own; a circle with the arrows that make it
        List<String> arrowsUp = report.lines().filter(line -> line.startsWith("Method <")).toList();
        assertThat(arrowsUp).isNotEmpty().allMatch(line -> line.startsWith("Method <io.percore.demo.archfixture.kv.StoredThing.caller()>"));
        assertThat(report).contains("Cycle detected: Slice kv")
                .contains("StoredThing.owner([B)> calls method <io.percore.demo.archfixture.shard.Router.shardOf([B)>");
        assertThat(report).contains("Cycle detected: Slice admin")
                .contains("Sets.clients()> calls method <io.percore.demo.archfixture.admin.ClientList.name()>");
    }
}
