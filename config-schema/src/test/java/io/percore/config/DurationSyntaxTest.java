package io.percore.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationSyntaxTest {

    @ParameterizedTest
    @CsvSource({
        "500us, PT0.0005S", "25ms, PT0.025S", "10s, PT10S", "5m, PT5M", "1h, PT1H", "2d, PT48H", "250, PT0.25S",
        "7ns, PT0.000000007S", "PT1S, PT1S", "PT0.5S, PT0.5S", "P1D, PT24H", "PT1H30M, PT1H30M", "0, PT0S"})
    void parsesSpringForms(String text, String iso) {
        assertThat(DurationSyntax.isValid(text)).isTrue();
        assertThat(DurationSyntax.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-1ms", "5 ms", "5MS", "1.5s", "ms", "PT", "P", "PTS", "5parsecs", "1w", "pt1s"})
    void rejectsEverythingElse(String text) {
        assertThat(DurationSyntax.isValid(text)).isFalse();
        assertThatThrownBy(() -> DurationSyntax.parse(text)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(text);
    }

    @ParameterizedTest
    @CsvSource({"PT0.0005S, 500us", "PT0.025S, 25ms", "PT30S, 30s", "PT1M, 1m", "PT0S, 0ms", "PT1.5S, 1500ms", "PT48H, 2d"})
    void formatsInTheLargestWholeUnitAndRoundTrips(String iso, String expected) {
        Duration duration = Duration.parse(iso);
        assertThat(DurationSyntax.format(duration)).isEqualTo(expected);
        assertThat(DurationSyntax.parse(DurationSyntax.format(duration))).isEqualTo(duration);
    }
}
