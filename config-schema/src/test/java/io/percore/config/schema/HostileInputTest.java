package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Inputs a careless or hostile author might write: the validator reports, never throws. */
class HostileInputTest {

    private static final ConfigValidator VALIDATOR = new ConfigValidator();

    @Test
    void hugeNumbersAreRangeErrors() {
        assertThat(VALIDATOR.validateYaml("""
                engine:
                  shards: 99999999999999999999999
                  ring-capacity: 99999999999999999999999
                  cpus: "0-99999999999999999999"
                  task-quota: 99999999999999999999999d
                """))
                .extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(
                        tuple("percore.engine.cpus", "cpu-list"),
                        tuple("percore.engine.ring-capacity", "maximum"),
                        tuple("percore.engine.shards", "maximum"));
    }

    @Test
    void wrongShapesAtTheRootAndNullValues() {
        assertThat(VALIDATOR.validateYaml("- a\n- b\n")).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(tuple("percore", "type"));
        assertThat(VALIDATOR.validateApplicationYaml("percore: 5\n")).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(tuple("percore", "type"));
        assertThat(VALIDATOR.validateYaml("engine:\n  shards:\n  cpus:\n")).extracting(ConfigError::path, ConfigError::rule)
                .containsExactly(tuple("percore.engine.cpus", "type"), tuple("percore.engine.shards", "type"));
    }

    @Test
    void brokenYamlIsASyntaxErrorWithALocation() {
        var errors = VALIDATOR.validateYaml("engine:\n  shards: [1, 2\n");
        assertThat(errors).extracting(ConfigError::rule).containsExactly("syntax");
        assertThat(errors.get(0).message()).contains("line");
    }

    @Test
    void longValuesAreTruncatedInReports() {
        String longName = "x".repeat(5000);
        var errors = VALIDATOR.validateProperties(Map.of("percore.engine.mode", longName));
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.rule()).isEqualTo("enum");
            assertThat(e.value()).hasSizeLessThan(300);
            assertThat(e.message()).hasSizeLessThan(500);
        });
    }
}
