package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboards have one source: the starter ships them
 * ({@code starter-autoconfigure/src/main/resources/META-INF/percore/grafana/}, where a test
 * checks every metric they query against a running application's {@code /actuator/prometheus}).
 * The chart carries copies (a chart must work from a checkout or a packaged .tgz); the build
 * unpacks the starter jar's dashboards into target/starter-dashboards, and this test keeps the
 * chart's {@code dashboards/} identical to them, file for file.
 */
class DashboardDriftTest {

    private static final Path STARTER = Path.of(System.getProperty("percore.starter.dashboards.dir",
            "target/starter-dashboards/META-INF/percore/grafana")).toAbsolutePath();
    private static final Path CHART = ChartUnderTest.DIR.resolve("dashboards");

    private static final String HOW_TO_UPDATE = "\nThe starter's dashboards are the source; copy them into the chart:\n"
            + "  cp starter-autoconfigure/src/main/resources/META-INF/percore/grafana/*.json helm/percore-operator/dashboards/\n";

    @Test
    void chartDashboardsAreTheStartersDashboards() throws IOException {
        assertThat(Files.isDirectory(STARTER))
                .as("the starter's dashboards were not found at %s; build the helm module in the reactor with the starter "
                        + "(./mvnw -pl helm -am verify) so the starter jar carries META-INF/percore/grafana/*.json" + HOW_TO_UPDATE, STARTER)
                .isTrue();
        List<String> starterFiles = jsonFiles(STARTER);
        assertThat(starterFiles).as("dashboards in the starter jar").isNotEmpty();
        assertThat(jsonFiles(CHART)).as("helm/percore-operator/dashboards/ must hold exactly the starter's dashboards" + HOW_TO_UPDATE)
                .containsExactlyElementsOf(starterFiles);
        for (String file : starterFiles) {
            assertThat(normalize(ChartUnderTest.read(CHART.resolve(file))))
                    .as("helm/percore-operator/dashboards/%s differs from the starter's (%s)" + HOW_TO_UPDATE, file, STARTER.resolve(file))
                    .isEqualTo(normalize(ChartUnderTest.read(STARTER.resolve(file))));
        }
    }

    private static List<String> jsonFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    private static String normalize(String json) {
        return json.replace("\r\n", "\n").strip();
    }
}
