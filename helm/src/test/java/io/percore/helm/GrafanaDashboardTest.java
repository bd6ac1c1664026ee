package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GrafanaDashboardTest {

    private static final String FILE = "percore-dashboard.json";
    private static final List<String> ENGINE_METRICS = List.of(
            "percore_shard_utilization_ratio",
            "percore_tasks_run_total",
            "percore_task_queue_length",
            "percore_crossshard_messages_sent_total",
            "percore_crossshard_messages_received_total",
            "percore_crossshard_messages_overflowed_total",
            "percore_stalls_total",
            "percore_timers_fired_total",
            "percore_task_latency_seconds_bucket",
            "percore_task_latency_seconds_count",
            "percore_task_latency_seconds_sum");
    /** Servers (percore.servers) and upstream pools (percore.clients), as the starter exports them. */
    private static final List<String> NET_METRICS = List.of(
            "percore_server_connections_open",
            "percore_server_connections_accepted_total",
            "percore_server_received_bytes_total",
            "percore_server_sent_bytes_total",
            "percore_upstream_pool_connections_active",
            "percore_upstream_pool_connections_idle",
            "percore_upstream_pool_acquire_seconds_sum",
            "percore_upstream_pool_acquire_seconds_count",
            "percore_upstream_endpoint_ejections_total");

    private final ObjectMapper json = new ObjectMapper();

    private JsonNode dashboard() throws IOException {
        return json.readTree(ChartUnderTest.read(ChartUnderTest.DIR.resolve("dashboards").resolve(FILE)));
    }

    @Test
    void dashboardIsAGrafanaDashboardWithPanelsThatQueryPrometheus() throws IOException {
        JsonNode dashboard = dashboard();
        assertThat(dashboard.path("uid").asText()).isNotBlank();
        assertThat(dashboard.path("title").asText()).isNotBlank();
        assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);

        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        List<JsonNode> dataPanels = panels.stream().filter(p -> !"row".equals(p.path("type").asText())).toList();
        assertThat(dataPanels).hasSizeGreaterThanOrEqualTo(8).allSatisfy(panel -> {
            assertThat(panel.path("title").asText()).isNotBlank();
            assertThat(panel.path("targets")).isNotEmpty()
                    .allSatisfy(t -> assertThat(t.path("expr").asText()).as(panel.path("title").asText()).isNotBlank());
            assertThat(panel.path("gridPos").path("w").asInt()).isBetween(1, 24);
        });

        Set<Integer> ids = new HashSet<>();
        panels.forEach(p -> assertThat(ids.add(p.path("id").asInt())).as("panel id %s unique", p.path("id")).isTrue());
    }

    @Test
    void everyEngineMetricIsCharted() throws IOException {
        String exprs = String.join("\n", dashboard().findValuesAsText("expr"));
        assertThat(ENGINE_METRICS).allSatisfy(metric -> assertThat(exprs).contains(metric));
        assertThat(NET_METRICS).allSatisfy(metric -> assertThat(exprs).contains(metric));
        assertThat(exprs).contains("by (instance, shard)").contains("histogram_quantile");
    }

    @Test
    void datasourceIsAVariableSoTheDashboardImportsAnywhere() throws IOException {
        JsonNode dashboard = dashboard();
        assertThat(dashboard.at("/templating/list")).anySatisfy(v -> {
            assertThat(v.path("type").asText()).isEqualTo("datasource");
            assertThat(v.path("query").asText()).isEqualTo("prometheus");
        });
        assertThat(dashboard.findValues("datasource")).filteredOn(JsonNode::isObject)
                .allSatisfy(ds -> assertThat(ds.path("uid").asText()).isIn("${datasource}", "-- Grafana --"));
    }

    @Test
    void configMapCarriesTheDashboardForTheGrafanaSidecar() throws IOException {
        List<ConfigMap> configMaps = ChartUnderTest.renderWith("all-features.yaml").typed(ConfigMap.class);
        assertThat(configMaps).singleElement().satisfies(cm -> {
            assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
            assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
            assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Percore");
            assertThat(json.readTree(cm.getData().get(FILE))).isEqualTo(dashboard());
        });
    }
}
