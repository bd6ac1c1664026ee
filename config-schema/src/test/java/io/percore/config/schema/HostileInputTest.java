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
                        tuple("percore.engine.shards", "maximum"),
                        tuple("percore.engine.task-quota", "maximum-duration"));
    }

    @Test
    void durationsBeyondLongNanosAreNamedNotOverflowed() {
        var errors = VALIDATOR.validateProperties(Map.of(
                "percore.servers.resp.idle-timeout", "106752d",
                "percore.engine.stall-threshold", "106752d"));
        assertThat(errors).extracting(ConfigError::path, ConfigError::value, ConfigError::rule).containsExactly(
                tuple("percore.engine.stall-threshold", "106752d", "maximum-duration"),
                tuple("percore.servers.resp.idle-timeout", "106752d", "maximum-duration"));
        assertThat(errors.get(0).message()).isEqualTo(
                "percore.engine.stall-threshold: \"106752d\" is above the maximum duration of 10m (maximum-duration)");
        assertThat(errors).allSatisfy(e -> assertThat(e.message()).doesNotContain("overflow"));
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

    /** Issue 12: a billion-laughs document is refused at once, as a syntax error, not expanded. */
    @Test
    @org.junit.jupiter.api.Timeout(10)
    void billionLaughsIsASyntaxErrorNotAnExpansion() {
        StringBuilder yaml = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char level = 'b'; level <= 'i'; level++) {
            char previous = (char) (level - 1);
            yaml.append(level).append(": &").append(level).append(" [");
            for (int i = 0; i < 9; i++) {
                yaml.append(i == 0 ? "" : ",").append('*').append(previous);
            }
            yaml.append("]\n");
        }
        yaml.append("percore:\n  engine:\n    cpus: *i\n");
        var errors = VALIDATOR.validateApplicationYaml(yaml.toString());
        assertThat(errors).singleElement().satisfies(e -> {
            assertThat(e.rule()).isEqualTo("syntax");
            assertThat(e.message()).contains("aliases");
        });
    }

    @Test
    void yamlOverTheCodePointLimitIsASyntaxError() {
        String yaml = "percore:\n  engine:\n    cpus: \"" + "0".repeat(YamlLimits.MAX_CODE_POINTS) + "\"\n";
        assertThat(VALIDATOR.validateApplicationYaml(yaml)).singleElement().satisfies(e -> {
            assertThat(e.rule()).isEqualTo("syntax");
            // counted before any parser reads it (they would scan the whole cap first)
            assertThat(e.message()).contains("code points, at most " + YamlLimits.MAX_CODE_POINTS);
        });
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
