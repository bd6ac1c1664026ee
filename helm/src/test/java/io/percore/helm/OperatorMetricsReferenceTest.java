package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The documentation site's reference of the operator's metrics ({@code docs/reference/operator-metrics.md}) is what a
 * running operator exports on {@code /metrics}: the two scrapes of the operator's suite (after reconciling and deleting
 * a PercoreService, and while one has backups: {@link OperatorDashboardTest}'s files), each family of the operator's
 * own ({@code percore_*}) and of the Java Operator SDK ({@code operator_sdk_*}) with its type, labels and help. A metric
 * added, renamed, relabelled or described anew without the page fails here; {@code -Ddocs.regenerate=true} writes it.
 */
class OperatorMetricsReferenceTest {

    static final Path PAGE = Path.of("../docs/reference/operator-metrics.md");
    static final String REGENERATE = "Regenerate it: ./mvnw -pl operator,helm verify -Dtest='PercoreOperatorTest,BackupTest,"
            + "OperatorMetricsReferenceTest' -Dsurefire.failIfNoSpecifiedTests=false -Ddocs.regenerate=true";

    /**
     * What the Java Operator SDK's families mean: it registers them without a description (JOSDK 5.2's
     * {@code MicrometerMetrics}). Every family on the page has one, from the scrape or from here.
     */
    static final Map<String, String> SDK = Map.ofEntries(
            Map.entry("operator_sdk_controllers_execution_cleanup_seconds", "Time of each cleanup: a deleted PercoreService's finalizer work"),
            Map.entry("operator_sdk_controllers_execution_cleanup_seconds_max", "The longest cleanup of the last few minutes"),
            Map.entry("operator_sdk_controllers_execution_cleanup_success_total", "Cleanups that finished"),
            Map.entry("operator_sdk_controllers_execution_reconcile_seconds", "Time of each reconcile: one pass over a PercoreService"),
            Map.entry("operator_sdk_controllers_execution_reconcile_seconds_max", "The longest reconcile of the last few minutes"),
            Map.entry("operator_sdk_controllers_execution_reconcile_success_total", "Reconciles that finished without an error"),
            Map.entry("operator_sdk_events_delete_total", "PercoreServices deleted, as the operator saw them go"),
            Map.entry("operator_sdk_events_received_total",
                    "Events that asked for a reconcile (the resource, its pods and children, a timer), by action and source"),
            Map.entry("operator_sdk_reconciliations_executions_percoreservice", "Reconciles running now"),
            Map.entry("operator_sdk_reconciliations_queue_size_percoreservice", "Reconciles waiting to run"),
            Map.entry("operator_sdk_reconciliations_started_total", "Reconciles started, retries counted (by retry number)"),
            Map.entry("operator_sdk_reconciliations_success_total", "Reconciles that succeeded"));

    /** A metric family of a scrape: its type, help and the label names its samples carry. */
    private record Family(String type, String help, TreeSet<String> labels) {
    }

    @Test
    void thePageIsWhatARunningOperatorExports() throws IOException {
        Map<String, Family> families = families(OperatorDashboardTest.scrapes());
        assertThat(families.keySet()).as("the SDK's families described here that a running operator exports")
                .containsAll(SDK.keySet());
        assertThat(families).as("every family with a description (a new one of the SDK's: add it to SDK)")
                .allSatisfy((name, f) -> assertThat(f.help).as(name).isNotBlank());
        String page = render(families);
        if (Boolean.getBoolean("docs.regenerate")) {
            Files.writeString(PAGE, page);
        }
        assertThat(PAGE).as("%s. %s", PAGE, REGENERATE).isRegularFile();
        assertThat(Files.readString(PAGE)).as("%s is stale. %s", PAGE, REGENERATE).isEqualTo(page);
    }

    private static Map<String, Family> families(List<Path> scrapes) throws IOException {
        Map<String, Family> families = new TreeMap<>();
        Map<String, String> help = new TreeMap<>();
        for (Path scrape : scrapes) {
            for (String line : Files.readAllLines(scrape)) {
                if (line.startsWith("# HELP ")) {
                    String[] parts = line.substring(7).split(" ", 2);
                    help.put(parts[0], parts.length < 2 ? "" : parts[1].strip());
                } else if (line.startsWith("# TYPE ")) {
                    String[] parts = line.substring(7).split(" ");
                    if (ours(parts[0])) {
                        String described = help.getOrDefault(parts[0], "");
                        families.putIfAbsent(parts[0], new Family(parts[1], described.isBlank() ? SDK.getOrDefault(parts[0], "") : described,
                                new TreeSet<>()));
                    }
                } else if (!line.startsWith("#") && !line.isBlank()) {
                    String sample = line.split("[{ ]", 2)[0];
                    Family family = familyOf(families, sample);
                    int open = line.indexOf('{');
                    if (family != null && open >= 0) {
                        for (String pair : line.substring(open + 1, line.indexOf('}')).split(",(?=[a-zA-Z_]+=\")")) {
                            family.labels.add(pair.substring(0, pair.indexOf('=')));
                        }
                    }
                }
            }
        }
        return families;
    }

    /**
     * The operator's and the SDK's families, but not the SDK's failure counters: they appear with the first failed
     * reconcile, which a healthy test run may or may not meet (a conflict retried), so the page names them in its text.
     */
    private static boolean ours(String name) {
        return name.startsWith("percore_") || (name.startsWith("operator_sdk_") && !name.contains("_failed") && !name.contains("_failure"));
    }

    /** The family a sample belongs to: its own name, or a histogram's {@code _bucket}, {@code _count} and {@code _sum}. */
    private static Family familyOf(Map<String, Family> families, String sample) {
        if (families.containsKey(sample)) {
            return families.get(sample);
        }
        for (String suffix : List.of("_bucket", "_count", "_sum")) {
            if (sample.endsWith(suffix) && families.containsKey(sample.substring(0, sample.length() - suffix.length()))) {
                return families.get(sample.substring(0, sample.length() - suffix.length()));
            }
        }
        return null;
    }

    private static String render(Map<String, Family> families) {
        StringBuilder out = new StringBuilder();
        out.append("# Operator metrics reference\n\n");
        out.append("<!-- Generated by OperatorMetricsReferenceTest from the operator's /metrics as its tests scrape it. Do not edit by hand.\n     ")
                .append(REGENERATE).append(" -->\n\n");
        out.append("Every metric family the operator exports on `/metrics` (port 8080 of each operator pod, scraped by the chart's ")
                .append("ServiceMonitor when `metrics.serviceMonitor.enabled`), as a running operator exports it: its own (`percore_*`) ")
                .append("and the Java Operator SDK's (`operator_sdk_*`, without per-resource tags). The JVM's (`jvm_*`, ")
                .append("`process_*`, `system_*`) are Micrometer's binders and are not listed. The backups' families exist while a ")
                .append("service has `spec.backup`; the SDK's failure counters (`operator_sdk_reconciliations_failed_total`, ")
                .append("`operator_sdk_controllers_execution_reconcile_failure_total`, by exception) appear with the first failed reconcile. The alerts built on them: [Alerts](../operations/alerts.md); the dashboard: ")
                .append("[Metrics and dashboards](../how-to/metrics-and-dashboards.md). The service's and the starter's metrics: ")
                .append("[Metrics](metrics.md).\n\n");
        out.append("| metric | type | labels | description |\n|---|---|---|---|\n");
        families.forEach((name, f) -> out.append("| `").append(name).append("` | ").append(f.type).append(" | ")
                .append(String.join(", ", f.labels)).append(" | ").append(f.help.replace("|", "\\|")).append(" |\n"));
        return out.toString();
    }
}
