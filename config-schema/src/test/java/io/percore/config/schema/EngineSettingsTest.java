package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.config.SchedulingGroupConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Programmatic configuration meets the same rules as YAML, and settings exist only after them. */
class EngineSettingsTest {

    private final ConfigValidator validator = ConfigValidator.shared();

    @Test
    void defaultsValidateAndAreCopied() {
        EngineConfig config = new EngineConfig();
        EngineSettings settings = validator.validatedEngine(config);
        assertThat(settings.ringCapacity()).isEqualTo(4096);
        assertThat(settings.mode()).isEqualTo(EngineConfig.Mode.PINNED);
        assertThat(settings.pinned()).isTrue();
        assertThat(settings.cpus()).isEmpty();
        assertThat(settings.schedulingGroups()).extracting(SchedulingGroupSettings::name, SchedulingGroupSettings::shares)
                .containsExactly(tuple("default", 1000));
        config.getSchedulingGroups().add(new SchedulingGroupConfig("late", 5));
        assertThat(settings.schedulingGroups()).hasSize(1);
        assertThatThrownBy(() -> settings.schedulingGroups().add(null)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everyRuleOfTheFileHoldsForTheProgram() {
        EngineConfig config = new EngineConfig();
        config.setRingCapacity(3000);
        config.setTaskQuota(Duration.ZERO);
        config.setStallThreshold(Duration.ofMillis(-1));
        config.setCpus("3-1");
        config.setSchedulingGroups(new ArrayList<>(List.of(new SchedulingGroupConfig("a", 1), new SchedulingGroupConfig("a", 0))));
        assertThatThrownBy(() -> validator.validatedEngine(config)).isInstanceOf(ConfigValidationException.class)
                .satisfies(e -> assertThat(((ConfigValidationException) e).errors()).extracting(ConfigError::path, ConfigError::rule)
                        .containsExactlyInAnyOrder(
                                tuple("percore.engine.cpus", "cpu-list"),
                                tuple("percore.engine.ring-capacity", "power-of-two"),
                                tuple("percore.engine.scheduling-groups[1].name", "unique-names"),
                                tuple("percore.engine.scheduling-groups[1].shares", "minimum"),
                                tuple("percore.engine.stall-threshold", "pattern"),
                                tuple("percore.engine.task-quota", "minimum-duration")));
    }

    @Test
    void ringCapacityIsOneRuleWithTheSchemaBounds() {
        for (int ok : new int[] {16, 1024, 1 << 20}) {
            EngineConfig c = new EngineConfig();
            c.setRingCapacity(ok);
            assertThat(validator.validatedEngine(c).ringCapacity()).isEqualTo(ok);
        }
        Map<Integer, String> bad = Map.of(8, "minimum", 2, "minimum", 1 << 21, "maximum", 48, "power-of-two");
        bad.forEach((capacity, rule) -> {
            EngineConfig c = new EngineConfig();
            c.setRingCapacity(capacity);
            assertThatThrownBy(() -> validator.validatedEngine(c))
                    .satisfies(e -> assertThat(((ConfigValidationException) e).errors()).extracting(ConfigError::rule).contains(rule));
        });
    }

    @Test
    void settingsHaveNoPublicConstructor() {
        assertThat(EngineSettings.class.getConstructors()).isEmpty();
        assertThat(SchedulingGroupSettings.class.getConstructors()).isEmpty();
    }

    @Test
    void clientsAndWholeConfigsMeetTheFileRules() {
        ClientPoolConfig client = new ClientPoolConfig();
        assertThat(validator.validateClient("cache", client)).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(tuple("percore.clients.cache.endpoints", "required"));
        client.getDiscovery().setType(DiscoveryConfig.Type.KUBERNETES);
        assertThat(validator.validateClient("cache", client)).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(tuple("percore.clients.cache.discovery.service-name", "required"));
        PercoreConfig whole = new PercoreConfig();
        assertThat(validator.validateModel(whole)).isEmpty();
        whole.getEngine().setMode(null);
        assertThat(validator.validateModel(whole)).extracting(ConfigError::path).contains("percore.engine.mode");
    }

    @Test
    void modelTreeSpellsKeysAndValuesAsYaml() {
        EngineConfig c = new EngineConfig();
        c.setTransport(EngineConfig.Transport.IO_URING);
        Map<String, Object> tree = ModelTree.of(c);
        assertThat(tree).containsEntry("task-quota", "500us").containsEntry("transport", "io-uring")
                .containsEntry("reserved-cpus", 0).doesNotContainKey("cpus");
        assertThat(ModelTree.key(EngineConfig.class, "stallThreshold")).isEqualTo("stall-threshold");
    }
}
