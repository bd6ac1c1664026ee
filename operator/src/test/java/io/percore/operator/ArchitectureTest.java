package io.percore.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages and the one direction of their arrows, as docs/design/operator-code.md's "Code layout" lists them: pure
 * planning at the bottom, the Kubernetes glue ({@code reconcile}) above it, the process on top. A class that imports a
 * package on its own row or above fails here, by name.
 */
class ArchitectureTest {

    /** From the top down; {@code ""} is {@code io.percore.operator} itself. */
    static final List<List<String>> ROWS = List.of(
            List.of(""),                          // the process: main, settings, leader election, the SDK's wiring
            List.of("reconcile", "http"),         // the Kubernetes glue: observe, plan, write children and status; health and metrics
            List.of("cluster", "migration", "users", "backupplan"), // slot layouts and their moves; moving a running Redis in; ACL users; when backups run and what they said
            List.of("replication", "config", "backup"), // who is primary, failover, the pods' RESP; spec.config checked and rendered; backups' data path
            List.of("sizing"),                    // pods and shards from nodes' CPUs, memory and NUMA
            List.of("crd"));                      // the PercoreService resource

    private static final JavaClasses OPERATOR = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("io.percore.operator");

    static LayeredArchitecture rule() {
        LayeredArchitecture layers = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (List<String> row : ROWS) {
            for (String name : row) {
                layers = layers.layer(layer(name)).definedBy(name.isEmpty() ? "io.percore.operator" : "io.percore.operator." + name + "..");
            }
        }
        for (int r = 0; r < ROWS.size(); r++) {
            String[] above = ROWS.subList(0, r).stream().flatMap(List::stream).map(ArchitectureTest::layer).toArray(String[]::new);
            for (String name : ROWS.get(r)) {
                layers = above.length == 0 ? layers.whereLayer(layer(name)).mayNotBeAccessedByAnyLayer()
                        : layers.whereLayer(layer(name)).mayOnlyBeAccessedByLayers(above);
            }
        }
        return layers;
    }

    private static String layer(String pkg) {
        return pkg.isEmpty() ? "operator" : pkg;
    }

    @Test
    void arrowsBetweenPackagesPointDown() {
        rule().check(OPERATOR);
    }

    @Test
    void everyPackageHasItsRowAndTheReadmeListsIt() throws IOException {
        String readme = Files.readString(Path.of("../docs/design/operator-code.md"));
        for (JavaClass c : OPERATOR) {
            String pkg = c.getPackageName();
            assertThat(ROWS.stream().flatMap(List::stream).anyMatch(name -> name.isEmpty() ? pkg.equals("io.percore.operator")
                    : pkg.equals("io.percore.operator." + name) || pkg.startsWith("io.percore.operator." + name + ".")))
                    .as("%s is in a package with no row in ArchitectureTest.ROWS", c.getName()).isTrue();
        }
        ROWS.stream().flatMap(List::stream).filter(name -> !name.isEmpty())
                .forEach(name -> assertThat(readme).as("docs/design/operator-code.md's Code layout names package %s", name).contains("`" + name + "`"));
    }

    /**
     * The operator's scenarios (replication, migration, users, cluster) know none of each other: a scenario is the class
     * implementing {@code reconcile.Scenario} and the classes of {@code reconcile} named with its prefix (ReplicationScenario,
     * ReplicationDriver), and only those and {@code Scenarios}, the one list of them, use its classes. So the reconcile's
     * steps ({@code ReconcilePass}), the renderer and the reconciler reach a scenario only through the list, and a new one is
     * a class and a line there.
     */
    @Test
    void scenariosKnowNoneOfEachOtherAndOnlyTheirListNamesThem() {
        assertThat(scenarioViolations(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.percore.operator.reconcile"))).isEmpty();
    }

    /** The rule bites: a scenario using another's driver, and a step naming a scenario, are reported. */
    @Test
    void aScenarioThatUsesAnothersClassesIsReported() {
        JavaClasses classes = new ClassFileImporter().importPackages("io.percore.operator.reconcile");
        assertThat(scenarioViolations(classes)).anyMatch(v -> v.startsWith("io.percore.operator.reconcile.FixtureScenario")
                && v.contains("io.percore.operator.reconcile.ReplicationDriver"));
    }

    /** Each use of a scenario's class from outside it (and outside {@code Scenarios}), as "from -> to". */
    static List<String> scenarioViolations(JavaClasses classes) {
        String pkg = "io.percore.operator.reconcile";
        JavaClass scenario = classes.get(pkg + ".Scenario");
        List<String> prefixes = new ArrayList<>();
        for (JavaClass c : classes) {
            if (c.getPackageName().equals(pkg) && !c.isInterface() && c.isAssignableTo(scenario.getName()) && c.getSimpleName().endsWith("Scenario")
                    && !c.getSimpleName().equals("Scenario")) {
                prefixes.add(c.getSimpleName().substring(0, c.getSimpleName().length() - "Scenario".length()));
            }
        }
        assertThat(prefixes).as("the scenarios found").contains("Replication", "Migration", "Users", "Cluster", "Backup");
        Map<String, String> familyOf = new LinkedHashMap<>();
        for (JavaClass c : classes) {
            if (c.getPackageName().equals(pkg)) {
                familyOf.put(c.getName(), family(topLevel(c).getSimpleName(), prefixes));
            }
        }
        List<String> violations = new ArrayList<>();
        for (JavaClass c : classes) {
            if (!c.getPackageName().equals(pkg) || topLevel(c).getSimpleName().equals("Scenarios")) {
                continue;
            }
            String from = familyOf.get(c.getName());
            c.getDirectDependenciesFromSelf().forEach(d -> {
                String to = familyOf.get(d.getTargetClass().getName());
                if (to != null && !to.equals(from)) {
                    violations.add(c.getName() + " -> " + d.getTargetClass().getName());
                }
            });
        }
        return violations.stream().distinct().toList();
    }

    private static JavaClass topLevel(JavaClass c) {
        JavaClass top = c;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        return top;
    }

    /** The scenario prefix a class's name starts with (followed by a capital: "Replication" names ReplicationDriver), else null. */
    private static String family(String simpleName, List<String> prefixes) {
        for (String prefix : prefixes) {
            if (simpleName.startsWith(prefix) && simpleName.length() > prefix.length()
                    && Character.isUpperCase(simpleName.charAt(prefix.length()))) {
                return prefix;
            }
        }
        return null;
    }

    /**
     * The backup and restore programs run in Jobs and init containers from plain settings: nothing of Kubernetes'
     * clients or the SDK's reconcile loop in their package, and the object store's SDK nowhere else.
     */
    @Test
    void theBackupPackageKnowsNoKubernetesAndAloneKnowsS3() {
        noClasses().that().resideInAPackage("io.percore.operator.backup..")
                .should().dependOnClassesThat().resideInAnyPackage("io.fabric8..", "io.javaoperatorsdk..")
                .check(OPERATOR);
        noClasses().that().resideOutsideOfPackage("io.percore.operator.backup..")
                .should().dependOnClassesThat().resideInAnyPackage("software.amazon.awssdk..")
                .check(OPERATOR);
    }

    /** The rule bites: an arrow up, as the replication checks once had to the renderer, is reported; arrows down are not. */
    @Test
    void anArrowUpIsReportedAndArrowsDownAreNot() {
        JavaClasses upward = new ClassFileImporter().importClasses(io.percore.operator.crd.UpwardArrowFixture.class,
                io.percore.operator.reconcile.WorkloadRenderer.class);
        String report = String.join("\n", rule().withOptionalLayers(true).evaluate(upward).getFailureReport().getDetails());
        assertThat(report).contains("crd.UpwardArrowFixture").contains("reconcile.WorkloadRenderer");
        JavaClasses downward = new ClassFileImporter().importClasses(io.percore.operator.reconcile.WorkloadRenderer.class,
                io.percore.operator.replication.ReplicationSpecs.class);
        assertThat(rule().withOptionalLayers(true).evaluate(downward).hasViolation()).isFalse();
    }
}
