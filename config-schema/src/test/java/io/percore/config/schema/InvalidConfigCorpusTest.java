package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in {@code src/test/resources/invalid/} is an {@code application.yml} with a header
 * of {@code # expect: <path> <rule>[ | <suggestion>]} lines; the validator must report exactly
 * those errors (no more, no fewer), each with the suggestion when one is given.
 */
class InvalidConfigCorpusTest {

    private static final ConfigValidator VALIDATOR = new ConfigValidator();

    record Expected(String path, String rule, String suggestion) {
    }

    static Stream<Path> corpus() throws IOException, URISyntaxException {
        Path dir = Path.of(InvalidConfigCorpusTest.class.getResource("/invalid").toURI());
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @Test
    void corpusIsLargeEnough() throws Exception {
        assertThat(corpus().count()).isGreaterThanOrEqualTo(15);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void reportsExactlyTheExpectedErrors(Path file) throws IOException {
        String yaml = Files.readString(file, StandardCharsets.UTF_8);
        List<Expected> expected = expectations(yaml);
        assertThat(expected).as("%s has no '# expect:' header", file.getFileName()).isNotEmpty();

        List<ConfigError> errors = VALIDATOR.validateApplicationYaml(yaml);

        assertThat(errors).as("errors of %s", file.getFileName())
                .extracting(e -> e.path() + " " + e.rule())
                .containsExactlyInAnyOrderElementsOf(expected.stream().map(e -> e.path() + " " + e.rule()).toList());
        for (Expected e : expected) {
            ConfigError actual = errors.stream().filter(a -> a.path().equals(e.path()) && a.rule().equals(e.rule())).findFirst().orElseThrow();
            if (e.suggestion() != null) {
                assertThat(actual.suggestion()).as("suggestion for %s", e.path()).isEqualTo(e.suggestion());
            }
            // Every message names the key; a bad value appears in it too.
            assertThat(actual.message()).contains(e.path().equals("percore") ? "percore" : e.path());
            if (actual.value() != null && !actual.rule().equals("additionalProperties")) {
                assertThat(actual.message()).contains(actual.value());
            }
        }
    }

    private static List<Expected> expectations(String yaml) {
        List<Expected> out = new ArrayList<>();
        for (String line : yaml.split("\n")) {
            if (!line.startsWith("# expect:")) {
                continue;
            }
            String spec = line.substring("# expect:".length()).trim();
            String suggestion = null;
            int bar = spec.indexOf(" | ");
            if (bar >= 0) {
                suggestion = spec.substring(bar + 3).trim();
                spec = spec.substring(0, bar).trim();
            }
            String[] parts = spec.split("\\s+");
            out.add(new Expected(parts[0], parts[1], suggestion));
        }
        return out;
    }
}
