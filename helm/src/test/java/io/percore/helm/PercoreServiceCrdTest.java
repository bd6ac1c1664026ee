package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The CRD the chart installs from crds/, and the example PercoreService checked against it. */
class PercoreServiceCrdTest {

    @Test
    void crdIsAStrictlyValidCustomResourceDefinitionWithTheContractNames() {
        PercoreServiceCrd crd = PercoreServiceCrd.fromChart();
        CustomResourceDefinition typed = (CustomResourceDefinition) StrictKubernetesModel.toTyped(crd.tree());

        assertThat(typed.getMetadata().getName()).isEqualTo("percoreservices.percore.io");
        assertThat(typed.getSpec().getGroup()).isEqualTo("percore.io");
        assertThat(typed.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(typed.getSpec().getNames().getKind()).isEqualTo("PercoreService");
        assertThat(typed.getSpec().getNames().getPlural()).isEqualTo("percoreservices");
        assertThat(typed.getSpec().getNames().getShortNames()).contains("pcs");
        CustomResourceDefinitionVersion v1alpha1 = typed.getSpec().getVersions().stream()
                .filter(v -> "v1alpha1".equals(v.getName())).findFirst().orElseThrow();
        assertThat(v1alpha1.getServed()).isTrue();
        assertThat(v1alpha1.getStorage()).isTrue();
        assertThat(v1alpha1.getSubresources().getStatus()).isNotNull();
        assertThat(v1alpha1.getSchema().getOpenAPIV3Schema().getProperties()).containsKeys("spec", "status");
    }

    @Test
    void theExamplePercoreServiceIsValidAgainstTheCrdSchema() {
        ObjectNode example = ChartUnderTest.renderWith("all-features.yaml").single("PercoreService", "percore-example");
        assertThat(PercoreServiceCrd.fromChart().problems(example)).isEmpty();
    }

    @Test
    void theSchemaCheckRejectsAnInvalidSpec() {
        ObjectNode example = ChartUnderTest.renderWith("all-features.yaml").single("PercoreService", "percore-example");
        ObjectNode spec = (ObjectNode) example.get("spec");
        spec.remove("image");
        spec.put("shards", 0);

        assertThat(PercoreServiceCrd.fromChart().problems(example))
                .anyMatch(p -> p.contains("image"))
                .anyMatch(p -> p.contains("shards"));
    }

    @Test
    void theSchemaCheckRejectsFieldsTheApiServerWouldPrune() {
        ObjectNode example = ChartUnderTest.renderWith("all-features.yaml").single("PercoreService", "percore-example");
        ((ObjectNode) example.get("spec")).put("shard", 4);

        assertThat(PercoreServiceCrd.fromChart().problems(example))
                .anyMatch(p -> p.startsWith("/spec/shard:") && p.contains("would drop it"));
    }

    /**
     * The chart's CRD equals what a real API server stores: nothing it drops as empty (printer
     * column {@code priority: 0}, {@code false} flags, empty lists/maps outside default values), so
     * {@code kubectl apply --server-side} of this file is a no-op on an installed CRD.
     */
    @Test
    void holdsNothingTheApiServerNormalisesAway() {
        List<String> dropped = new java.util.ArrayList<>();
        findDropped(PercoreServiceCrd.fromChart().tree(), "", dropped);
        assertThat(dropped).isEmpty();
    }

    /**
     * A {@code default:} in the spec's schema is stored by the API server into every resource: the
     * user's {@code spec.config} would come back with keys they never wrote. The chart's copy has none.
     */
    @Test
    void theSpecSchemaHasNoDefaults() {
        List<String> defaults = new java.util.ArrayList<>();
        JsonNode spec = PercoreServiceCrd.fromChart().openApiSchema("v1alpha1").at("/properties/spec");
        findDefaults(spec, ".spec", defaults);
        assertThat(spec.at("/properties/config/properties/engine/properties").isObject()).isTrue();
        assertThat(defaults).isEmpty();
    }

    private static void findDefaults(JsonNode node, String path, List<String> found) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                if ("default".equals(e.getKey()) && !path.endsWith(".properties")) {
                    found.add(path + ".default: " + e.getValue());
                }
                findDefaults(e.getValue(), path + "." + e.getKey(), found);
            });
        } else if (node.isArray()) {
            node.forEach(item -> findDefaults(item, path + "[]", found));
        }
    }

    @Test
    void theSchemaRejectsABadPersistenceModeAndGracePeriod() {
        ObjectNode example = ChartUnderTest.renderWith("all-features.yaml").single("PercoreService", "percore-example");
        assertThat(example.at("/spec/persistence/mode").asText()).isEqualTo("snapshot");
        ObjectNode persistence = (ObjectNode) example.at("/spec/persistence");
        persistence.put("mode", "rdb");
        persistence.put("terminationGracePeriodSeconds", 30);
        assertThat(PercoreServiceCrd.fromChart().problems(example))
                .anyMatch(p -> p.contains("/spec/persistence/mode"))
                .anyMatch(p -> p.contains("/spec/persistence/terminationGracePeriodSeconds"));
        // size required with snapshot/aof is a CEL rule (x-kubernetes-validations) the API server runs; networknt does not.
        assertThat(PercoreServiceCrd.fromChart().openApiSchema("v1alpha1").at("/properties/spec/properties/persistence/x-kubernetes-validations/0/rule")
                .asText()).contains("has(self.size)");
    }

    private static void findDropped(com.fasterxml.jackson.databind.JsonNode node, String path, List<String> dropped) {
        if (node.isObject()) {
            node.fields().forEachRemaining(e -> {
                String at = path + "." + e.getKey();
                com.fasterxml.jackson.databind.JsonNode v = e.getValue();
                if (java.util.Set.of("default", "example", "enum").contains(e.getKey()) || at.endsWith(".subresources.status")) {
                    return;
                }
                boolean empty = v.isNull() || (v.isContainerNode() && v.isEmpty()) || (v.isTextual() && v.asText().isEmpty());
                boolean zeroPriority = "priority".equals(e.getKey()) && v.isNumber() && v.asLong() == 0;
                boolean falseFlag = java.util.Set.of("nullable", "uniqueItems", "exclusiveMinimum", "exclusiveMaximum", "deprecated")
                        .contains(e.getKey()) && v.isBoolean() && !v.asBoolean();
                if (empty || zeroPriority || falseFlag) {
                    dropped.add(at + ": " + v);
                }
                findDropped(v, at, dropped);
            });
        } else if (node.isArray()) {
            node.forEach(item -> findDropped(item, path + "[]", dropped));
        }
    }
}
