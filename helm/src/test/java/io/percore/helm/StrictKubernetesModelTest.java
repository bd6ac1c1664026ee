package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

/** The strict check must itself be able to fail, or the rendering tests prove nothing. */
class StrictKubernetesModelTest {

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: d
            spec:
              replicas: %s
              selector:
                matchLabels: {app: d}
              template:
                metadata:
                  labels: {app: d}
                spec:
                  containers:
                    - name: c
                      image: busybox
                      %s:
                        httpGet: {path: /, port: 8080}
            """;

    @Test
    void acceptsAValidDeployment() {
        var doc = RenderedManifests.parse(DEPLOYMENT.formatted("2", "readinessProbe")).documents().get(0);
        assertThat(StrictKubernetesModel.toTyped(doc)).isInstanceOf(Deployment.class);
    }

    @Test
    void rejectsAMisspeltField() {
        var doc = RenderedManifests.parse(DEPLOYMENT.formatted("2", "readinesProbe")).documents().get(0);
        assertThatThrownBy(() -> StrictKubernetesModel.toTyped(doc))
                .hasMessageContaining("readinesProbe")
                .hasMessageContaining("does not match the Kubernetes schema");
    }

    @Test
    void rejectsAStringWhereTheApiWantsAnInteger() {
        var doc = RenderedManifests.parse(DEPLOYMENT.formatted("\"2\"", "readinessProbe")).documents().get(0);
        assertThatThrownBy(() -> StrictKubernetesModel.toTyped(doc)).hasMessageContaining("replicas");
    }

    @Test
    void rejectsANumberWhereTheApiWantsAString() {
        var doc = RenderedManifests.parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: x}
                data: {retries: 3}
                """).documents().get(0);
        assertThatThrownBy(() -> StrictKubernetesModel.toTyped(doc)).hasMessageContaining("data");
    }

    @Test
    void acceptsANumericQuantity() {
        var doc = RenderedManifests.parse("""
                apiVersion: v1
                kind: LimitRange
                metadata: {name: x}
                spec:
                  limits:
                    - type: Container
                      max: {cpu: 2}
                """).documents().get(0);
        assertThat(StrictKubernetesModel.toTyped(doc).getKind()).isEqualTo("LimitRange");
    }

    @Test
    void customKindsAreNotBuiltIn() {
        var doc = RenderedManifests.parse("""
                apiVersion: percore.io/v1alpha1
                kind: PercoreService
                metadata: {name: x}
                spec: {image: y}
                """).documents().get(0);
        assertThat(StrictKubernetesModel.isBuiltIn(doc)).isFalse();
    }

    @Test
    void duplicateKeysInRenderedYamlAreRejected() {
        assertThatThrownBy(() -> RenderedManifests.parse("""
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: x
                  name: y
                """)).hasMessageContaining("name");
    }
}
