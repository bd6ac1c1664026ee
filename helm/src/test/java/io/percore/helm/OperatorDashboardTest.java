package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The operator's own Grafana dashboard (issue 15): leadership, reconciliations, failures, latency,
 * queue, events, JVM. Every metric it queries is one the operator really exports: the operator's
 * suite scrapes its {@code /metrics} after reconciling and deleting a PercoreService
 * ({@code operator/target/operator-metrics.txt}, written by PercoreOperatorTest), and while one has backups
 * ({@code operator-backup-metrics.txt}, written by BackupTest).
 */
class OperatorDashboardTest {

    static final String FILE = "percore-operator-dashboard.json";
    /**
     * Series the operator SDK creates on the first failure only, so a scrape of a healthy run
     * lacks them; their names are JOSDK 5.2's {@code MicrometerMetrics} ("reconciliations.failed").
     */
    private static final Set<String> ON_FAILURE_ONLY = Set.of("operator_sdk_reconciliations_failed_total");
    private static final Pattern METRIC = Pattern.compile("\\b((?:operator_sdk|percore_operator|percore_backup|jvm|process)_[a-z_]+)\\b");

    private final ObjectMapper json = new ObjectMapper();

    private JsonNode dashboard() throws IOException {
        return json.readTree(ChartUnderTest.read(ChartUnderTest.DIR.resolve("operator-dashboards").resolve(FILE)));
    }

    /** The operator's two scrapes: after reconciling and deleting a PercoreService, and while one has backups. */
    static java.util.List<Path> scrapes() {
        Path scrape = Path.of(System.getProperty("percore.api-requests.dir", "../operator/target/api-requests"))
                .resolveSibling("operator-metrics.txt");
        assertThat(scrape).as("the operator's scrape; build with the operator (./mvnw -pl operator,helm -am verify)").exists();
        // the backups' series exist while a service has spec.backup: the operator's BackupTest scrapes them then
        Path backups = scrape.resolveSibling("operator-backup-metrics.txt");
        assertThat(backups).as("the backups' scrape; build with the operator (./mvnw -pl operator,helm -am verify)").exists();
        return java.util.List.of(scrape, backups);
    }

    private static Set<String> exported() throws IOException {
        Set<String> names = new TreeSet<>();
        for (Path file : scrapes()) {
            for (String line : Files.readAllLines(file)) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    names.add(line.split("[{ ]", 2)[0]);
                }
            }
        }
        return names;
    }

    @Test
    void everyQueriedMetricIsOneTheOperatorExports() throws IOException {
        Set<String> exported = exported();
        Set<String> queried = new TreeSet<>();
        for (String expr : dashboard().findValuesAsText("expr")) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertThat(queried).contains("percore_backup_last_success_timestamp_seconds", "percore_backup_failures_total");
        assertThat(queried).contains("percore_operator_leader", "operator_sdk_reconciliations_started_total",
                "operator_sdk_reconciliations_failed_total", "operator_sdk_controllers_execution_reconcile_seconds_bucket");
        for (String metric : queried) {
            assertThat(exported.contains(metric) || ON_FAILURE_ONLY.contains(metric))
                    .as("%s is queried by the operator dashboard but not exported by the operator", metric).isTrue();
        }
    }

    @Test
    void layoutAndDatasourceAsTheEngineDashboard() throws IOException {
        JsonNode dashboard = dashboard();
        GrafanaDashboardTest.assertLayout(dashboard);
        assertThat(dashboard.path("uid").asText()).isEqualTo("percore-operator");
        assertThat(dashboard.at("/templating/list")).anySatisfy(v -> assertThat(v.path("type").asText()).isEqualTo("datasource"));
    }
}
