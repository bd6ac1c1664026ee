package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigValidationExceptionTest {

    @Test
    void carriesEveryErrorInAMultiLineMessage() {
        List<ConfigError> errors = new ConfigValidator().validateYaml("""
                engine:
                  shards: -1
                  task-quot: 5ms
                  mode: pinnned
                """);
        assertThat(errors).hasSize(3);
        assertThatThrownBy(() -> ConfigValidationException.throwIfAny(errors))
                .isInstanceOfSatisfying(ConfigValidationException.class, e -> assertThat(e.errors()).isEqualTo(errors))
                .hasMessage("""
                        Invalid Percore configuration (3 errors):
                          - percore.engine.mode: "pinnned" is not one of pinned, overprovisioned (enum)
                              did you mean `pinned`?
                          - percore.engine.shards: -1 is below the minimum of 0
                          - percore.engine.task-quot: unknown key `task-quot` (not allowed by additionalProperties)
                              did you mean `task-quota`?""");
    }

    @Test
    void noErrorsNoException() {
        ConfigValidationException.throwIfAny(List.of());
    }
}
