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
            "percore_server_requests_total",
            "percore_server_request_duration_seconds_count",
            "percore_server_request_duration_seconds_sum",
            "percore_server_request_duration_buckets_total",
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

    /**
     * Issue 15: the layout Grafana draws. A duplicate "Shards" row at y=1 overlapped the three stat
     * panels and left the "Overview" row empty; nothing caught it. Every panel lies inside the
     * 24-column grid and overlaps no other; rows come first at their y, have distinct titles and
     * each holds at least one panel; every other panel sits under a row.
     */
    @Test
    void panelsTileTheGridUnderTheirRows() throws IOException {
        assertLayout(dashboard());
    }

    static void assertLayout(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        panels.sort(java.util.Comparator.comparingInt((JsonNode p) -> p.path("gridPos").path("y").asInt())
                .thenComparingInt(p -> "row".equals(p.path("type").asText()) ? 0 : 1)
                .thenComparingInt(p -> p.path("gridPos").path("x").asInt()));
        Set<String> rowTitles = new HashSet<>();
        String currentRow = null;
        int panelsInRow = 0;
        for (JsonNode p : panels) {
            JsonNode g = p.path("gridPos");
            String title = p.path("title").asText();
            assertThat(g.path("x").asInt()).as("%s x", title).isBetween(0, 23);
            assertThat(g.path("x").asInt() + g.path("w").asInt()).as("%s right edge", title).isLessThanOrEqualTo(24);
            assertThat(g.path("h").asInt()).as("%s height", title).isPositive();
            if ("row".equals(p.path("type").asText())) {
                assertThat(rowTitles.add(title)).as("row title '%s' is unique", title).isTrue();
                assertThat(g.path("w").asInt()).as("row '%s' spans the grid", title).isEqualTo(24);
                if (currentRow != null) {
                    assertThat(panelsInRow).as("row '%s' holds panels", currentRow).isPositive();
                }
                currentRow = title;
                panelsInRow = 0;
            } else {
                assertThat(currentRow).as("panel '%s' sits under a row", title).isNotNull();
                panelsInRow++;
            }
        }
        assertThat(panelsInRow).as("the last row '%s' holds panels", currentRow).isPositive();
        for (int i = 0; i < panels.size(); i++) {
            for (int j = i + 1; j < panels.size(); j++) {
                assertThat(overlap(panels.get(i).path("gridPos"), panels.get(j).path("gridPos")))
                        .as("'%s' overlaps '%s'", panels.get(i).path("title").asText(), panels.get(j).path("title").asText())
                        .isFalse();
            }
        }
    }

    private static boolean overlap(JsonNode a, JsonNode b) {
        int ax = a.path("x").asInt();
        int ay = a.path("y").asInt();
        int bx = b.path("x").asInt();
        int by = b.path("y").asInt();
        return ax < bx + b.path("w").asInt() && bx < ax + a.path("w").asInt()
                && ay < by + b.path("h").asInt() && by < ay + a.path("h").asInt();
    }

    @Test
    void theShardCountAndPerShardLatencyAreShown() throws IOException {
        String exprs = String.join("\n", dashboard().findValuesAsText("expr"));
        assertThat(exprs).contains("percore_shards").contains("by (instance, shard, le)").contains("percore_shard_busy_time_seconds_total");
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
        // The engine's dashboard and the operator's, one ConfigMap each.
        assertThat(configMaps).hasSize(2).allSatisfy(cm -> {
            assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
            assertThat(cm.getMetadata().getNamespace()).isEqualTo("monitoring");
            assertThat(cm.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Percore");
        });
        assertThat(configMaps).anySatisfy(cm -> assertThat(json.readTree(cm.getData().get(FILE))).isEqualTo(dashboard()));
        assertThat(configMaps).anySatisfy(cm -> assertThat(cm.getData()).containsKey(OperatorDashboardTest.FILE));
    }
}
