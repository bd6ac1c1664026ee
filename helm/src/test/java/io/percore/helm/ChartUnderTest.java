package io.percore.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/** The chart in {@code helm/percore-operator}, rendered by real Helm (helm-java, in-process). */
final class ChartUnderTest {

    static final String RELEASE = "percore";
    static final String RELEASE_NAMESPACE = "percore-system";
    /** {@code <release>-<chart>}: the release name does not contain the chart name. */
    static final String FULLNAME = "percore-percore-operator";

    /** Helm's built-in default (v1.20) predates the chart's kubeVersion floor; render as a current cluster. */
    static final String KUBE_VERSION = "v1.33.0";

    static final Path DIR = Path.of(System.getProperty("percore.chart.dir", "percore-operator")).toAbsolutePath();

    private ChartUnderTest() {
    }

    static Helm helm() {
        return new Helm(DIR);
    }

    /** Renders with the chart's defaults. */
    static RenderedManifests renderDefaults() {
        return render(template());
    }

    /** The value sets every render-wide check runs against. */
    static final String DEFAULTS = "(defaults)";

    static java.util.stream.Stream<String> variants() {
        return java.util.stream.Stream.of(DEFAULTS, "all-features.yaml", "namespaced.yaml");
    }

    static RenderedManifests renderVariant(String variant) {
        return DEFAULTS.equals(variant) ? renderDefaults() : renderWith(variant);
    }

    static String appVersion() {
        return read(DIR.resolve("Chart.yaml")).lines()
                .filter(l -> l.startsWith("appVersion:"))
                .map(l -> l.substring("appVersion:".length()).trim().replace("\"", ""))
                .findFirst().orElseThrow();
    }

    /** Renders with one of the values files under src/test/resources/values/. */
    static RenderedManifests renderWith(String valuesResource) {
        return render(template().withValuesFile(valuesFile(valuesResource)));
    }

    /** Renders with a values file written from YAML text (bad-values tests need exact YAML types). */
    static RenderedManifests renderWithYaml(Path dir, String valuesYaml) {
        return render(template().withValuesFile(writeValues(dir, valuesYaml)));
    }

    static Path writeValues(Path dir, String valuesYaml) {
        try {
            Path file = Files.createTempFile(dir, "values", ".yaml");
            Files.writeString(file, valuesYaml);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TemplateCommand template() {
        return helm().template().withName(RELEASE).withNamespace(RELEASE_NAMESPACE).withKubeVersion(KUBE_VERSION);
    }

    static RenderedManifests render(TemplateCommand command) {
        return RenderedManifests.parse(command.call());
    }

    static Path valuesFile(String resource) {
        try {
            return Path.of(Objects.requireNonNull(ChartUnderTest.class.getResource("/values/" + resource),
                    "no test values file " + resource).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
