package io.percore.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.ModelTree;
import io.percore.operator.sizing.SizingPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every application.yml the operator writes is one the pods' validator accepts. */
class ApplicationYamlValidityTest {

    private static final ConfigValidator VALIDATOR = new ConfigValidator();

    @Test
    void everyRenderedFilePassesTheValidator() {
        int rendered = 0;
        for (Map<String, Object> spec : specs()) {
            for (SizingPlan plan : plans()) {
                String yaml = ApplicationYaml.render(spec, plan, 8081);
                assertThat(VALIDATOR.validateApplicationYaml(yaml)).as("%s for %s", yaml, spec).isEmpty();
                rendered++;
            }
        }
        assertThat(rendered).isGreaterThan(100);
    }

    @Test
    void thePlannedEnvironmentVariablesAreSettingsTheValidatorKnows() {
        for (SizingPlan plan : plans()) {
            Map<String, String> properties = ApplicationYaml.plannedProperties(plan);
            assertThat(properties).containsOnlyKeys("percore.engine.shards", "percore.engine.reserved-cpus", "percore.engine.mode");
            // What the workload sets as environment: each is a known key with a valid value.
            assertThat(VALIDATOR.validateProperties(properties)).as("%s", properties).isEmpty();
        }
        assertThat(ApplicationYaml.environmentVariable("percore.engine.reserved-cpus")).isEqualTo("PERCORE_ENGINE_RESERVEDCPUS");
    }

    @Test
    void thePlanWinsAndIsSpelledByTheModel() {
        Map<String, Object> engine = new LinkedHashMap<>(Map.of("shards", 3, "mode", "pinned", "task-quota", "250us"));
        String yaml = ApplicationYaml.render(Map.of("engine", engine), plan(7, 1, EngineConfig.Mode.OVERPROVISIONED), 8081);
        assertThat(yaml).contains("shards: 7").contains("reserved-cpus: 1").contains("mode: overprovisioned")
                .contains("task-quota: 250us").contains("port: 8081");
        assertThat(VALIDATOR.validateApplicationYaml(yaml)).isEmpty();
        // The user's map is not changed by rendering.
        assertThat(engine).containsEntry("shards", 3);
    }

    @Test
    void aKeyTheModelDoesNotHaveFailsAtOnce() {
        assertThat(ModelTree.key(EngineConfig.class, "reservedCpus")).isEqualTo("reserved-cpus");
        assertThatThrownBy(() -> ModelTree.key(EngineConfig.class, "reservedCores"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reservedCores");
    }

    private static List<SizingPlan> plans() {
        List<SizingPlan> plans = new ArrayList<>();
        for (EngineConfig.Mode mode : EngineConfig.Mode.values()) {
            for (int shards = 1; shards <= 64; shards *= 2) {
                for (int reserved = 0; reserved <= 2; reserved++) {
                    plans.add(plan(shards, reserved, mode));
                }
            }
        }
        return plans;
    }

    private static SizingPlan plan(int shards, int reserved, EngineConfig.Mode mode) {
        return new SizingPlan(true, false, 2, shards, shards + reserved, reserved, 1L << 30, mode, List.of("node-a"), 2, List.of("test"));
    }

    private static List<Map<String, Object>> specs() {
        List<Map<String, Object>> specs = new ArrayList<>();
        specs.add(null);
        specs.add(Map.of());
        specs.add(Map.of("engine", Map.of("task-quota", "500us", "stall-threshold", "50ms", "ring-capacity", 1024)));
        specs.add(Map.of("engine", Map.of("shards", 99, "reserved-cpus", 9, "mode", "pinned",
                "scheduling-groups", List.of(Map.of("name", "default", "shares", 1000), Map.of("name", "batch", "shares", 100)))));
        specs.add(Map.of("servers", Map.of("redis", Map.of("port", 6379)),
                "clients", Map.of("backend", Map.of("endpoints", List.of("backend:6379")))));
        return specs;
    }
}
