package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * values.schema.json is enforced by Helm itself on install, upgrade and template: each rule
 * here is checked through real Helm, with the message an admin would see.
 */
class ValuesSchemaTest {

    @TempDir
    Path dir;

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("negative replicas", "replicaCount: -1",
                        "at '/replicaCount': minimum: got -1, want 0"),
                Arguments.of("replicas not an integer", "replicaCount: 1.5",
                        "at '/replicaCount': got number, want integer"),
                Arguments.of("bad pull policy", "image: {pullPolicy: Sometimes}",
                        "at '/image/pullPolicy': value must be one of 'Always', 'IfNotPresent', 'Never'"),
                Arguments.of("unknown top-level key", "replicas: 2",
                        "additional properties 'replicas' not allowed"),
                Arguments.of("unknown nested key", "image: {tags: latest}",
                        "at '/image': additional properties 'tags' not allowed"),
                Arguments.of("watchNamespaces is a string", "watchNamespaces: default",
                        "at '/watchNamespaces': got string, want array"),
                Arguments.of("namespace not a DNS label", "watchNamespaces: [Team_A]",
                        "at '/watchNamespaces/0': 'Team_A' does not match pattern"),
                Arguments.of("namespace listed twice", "watchNamespaces: [a, a]",
                        "at '/watchNamespaces': items at 0 and 1 are equal"),
                Arguments.of("several replicas without leader election",
                        "replicaCount: 2\nleaderElection: {enabled: false}",
                        "at '/leaderElection/enabled': value must be true"),
                Arguments.of("ServiceMonitor without the metrics Service",
                        "metrics: {service: {enabled: false}, serviceMonitor: {enabled: true}}",
                        "at '/metrics/service/enabled': value must be true"),
                Arguments.of("existing ServiceAccount without a name", "serviceAccount: {create: false}",
                        "at '/serviceAccount/name': minLength: got 0, want 1"),
                Arguments.of("root user", "podSecurityContext: {runAsUser: 0}",
                        "at '/podSecurityContext/runAsUser': minimum: got 0, want 1"),
                Arguments.of("bad CPU quantity", "resources: {limits: {cpu: lots}}",
                        "at '/resources/limits/cpu': 'lots' does not match pattern"),
                Arguments.of("bad image tag", "image: {tag: 'a b'}",
                        "at '/image/tag': 'a b' does not match pattern"),
                Arguments.of("bad digest", "image: {digest: 'sha256:xyz'}",
                        "at '/image/digest': 'sha256:xyz' does not match pattern"),
                Arguments.of("metrics port out of range", "metrics: {service: {port: 70000}}",
                        "at '/metrics/service/port': maximum: got 70,000, want 65,535"),
                Arguments.of("bad scrape interval", "metrics: {serviceMonitor: {interval: 30}}",
                        "at '/metrics/serviceMonitor/interval': got number, want string"),
                Arguments.of("dashboard label not a string", "grafana: {dashboards: {labels: {grafana_dashboard: 1}}}",
                        "at '/grafana/dashboards/labels/grafana_dashboard': got number, want string"),
                Arguments.of("example spec not an object", "example: {spec: nope}",
                        "at '/example/spec': got string, want object"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void helmRejectsBadValuesNamingThePathAndRule(String rule, String valuesYaml, String expectedMessage) {
        assertThatThrownBy(() -> ChartUnderTest.renderWithYaml(dir, valuesYaml))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(expectedMessage);
    }

    @Test
    void defaultValuesAndTheTestValueFilesAreValid() {
        assertThat(ChartUnderTest.renderDefaults().documents()).isNotEmpty();
        assertThat(ChartUnderTest.renderWith("all-features.yaml").documents()).isNotEmpty();
        assertThat(ChartUnderTest.renderWith("namespaced.yaml").documents()).isNotEmpty();
    }

    @Test
    void aSingleReplicaMayRunWithoutLeaderElection() {
        var manifests = ChartUnderTest.renderWithYaml(dir, "replicaCount: 1\nleaderElection: {enabled: false}");
        assertThat(manifests.single("Deployment", ChartUnderTest.FULLNAME).at("/spec/replicas").asInt()).isEqualTo(1);
    }
}
