package io.percore.operator.crd;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.percore.operator.TestResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The CRD the build writes (and the Helm chart copies) is a valid structural CRD with the config schema. */
class GeneratedCrdTest {

    @Test
    void crdFileIsWhereTheHelmBuildCopiesItFrom() {
        assertThat(Path.of("target/classes/META-INF/fabric8/percoreservices.percore.io-v1.yml")).isRegularFile();
    }

    @Test
    void namesScopeSubresourceAndPrinterColumns() {
        CustomResourceDefinition crd = TestResources.generatedCrd();
        assertThat(crd.getMetadata().getName()).isEqualTo("percoreservices.percore.io");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("pcs");
        CustomResourceDefinitionVersion v = crd.getSpec().getVersions().get(0);
        assertThat(v.getName()).isEqualTo("v1alpha1");
        assertThat(v.getSubresources().getStatus()).isNotNull();
        assertThat(v.getAdditionalPrinterColumns()).extracting(c -> c.getName() + "=" + c.getJsonPath())
                .contains("Shards=.status.plan.totalShards", "Replicas=.status.plan.replicas",
                        "Ready=.status.readyReplicas", "Mode=.status.plan.mode");
    }

    @Test
    @SuppressWarnings("unchecked")
    void schemaIsStructuralAndCarriesTheConfigSchema() throws Exception {
        String yaml = Files.readString(Path.of("target/classes/" + TestResources.CRD_RESOURCE));
        Map<String, Object> crd = Serialization.unmarshal(yaml, Map.class);
        Map<String, Object> version = ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
        Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema");

        List<String> violations = new ArrayList<>();
        checkStructural(root, "", violations, false);
        assertThat(violations).isEmpty();
        assertThat(yaml).doesNotContain("$ref").doesNotContain("$schema").doesNotContain("x-minimum-duration").doesNotContain("propertyNames");

        Map<String, Object> config = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                root.get("properties")).get("spec")).get("properties")).get("config");
        Map<String, Object> engine = (Map<String, Object>) ((Map<String, Object>) config.get("properties")).get("engine");
        Map<String, Object> engineProps = (Map<String, Object>) engine.get("properties");
        assertThat(engineProps).containsKeys("shards", "reserved-cpus", "mode", "task-quota");
        assertThat(((Map<String, Object>) engineProps.get("mode")).get("enum")).isEqualTo(List.of("pinned", "overprovisioned"));
        assertThat((Map<String, Object>) engineProps.get("task-quota")).containsEntry("x-kubernetes-int-or-string", true);
        assertThat(config).doesNotContainKey("x-kubernetes-preserve-unknown-fields");
    }

    /** The API server's structural-schema rules that matter here. */
    @SuppressWarnings("unchecked")
    static void checkStructural(Map<String, Object> node, String path, List<String> violations, boolean underPreserve) {
        Object type = node.get("type");
        boolean preserve = Boolean.TRUE.equals(node.get("x-kubernetes-preserve-unknown-fields"));
        boolean intOrString = Boolean.TRUE.equals(node.get("x-kubernetes-int-or-string"));
        if (type instanceof List) {
            violations.add(path + ": type array");
        }
        if (type == null && !preserve && !intOrString && !underPreserve) {
            violations.add(path + ": no type");
        }
        for (String forbidden : List.of("$ref", "$schema", "$id", "$defs", "definitions", "const", "propertyNames", "prefixItems",
                "unevaluatedProperties", "if", "then", "else", "examples", "dependentRequired")) {
            if (node.containsKey(forbidden)) {
                violations.add(path + ": keyword " + forbidden);
            }
        }
        if (Boolean.TRUE.equals(node.get("uniqueItems"))) {
            violations.add(path + ": uniqueItems true");
        }
        if (node.containsKey("properties") && node.containsKey("additionalProperties")) {
            violations.add(path + ": properties and additionalProperties together");
        }
        if (node.get("exclusiveMinimum") instanceof Number || node.get("exclusiveMaximum") instanceof Number) {
            violations.add(path + ": numeric exclusive bound (OpenAPI v3.0 wants a boolean)");
        }
        for (String key : node.keySet()) {
            if (key.startsWith("x-") && !key.startsWith("x-kubernetes-")) {
                violations.add(path + ": unknown extension " + key);
            }
        }
        if (node.get("properties") instanceof Map<?, ?> props) {
            props.forEach((k, v) -> checkStructural((Map<String, Object>) v, path + "." + k, violations, false));
        }
        if (node.get("additionalProperties") instanceof Map<?, ?> ap) {
            checkStructural((Map<String, Object>) ap, path + ".*", violations, false);
        }
        if (node.get("items") instanceof Map<?, ?> items) {
            checkStructural((Map<String, Object>) items, path + "[]", violations, false);
        } else if ("array".equals(type)) {
            violations.add(path + ": array without items");
        }
    }

    /**
     * A real API server drops what serialises as empty (priority: 0, false flags, empty lists and
     * maps); a CRD carrying any never equals its stored form and every server-side re-apply conflicts.
     */
    @Test
    @SuppressWarnings("unchecked")
    void containsNothingTheApiServerNormalisesAway() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(
                Files.readString(Path.of("target/classes/META-INF/fabric8/percoreservices.percore.io-v1.yml")), Map.class);
        assertThat(io.percore.operator.config.CrdCanonicalForm.violations(crd)).isEmpty();
        List<Map<String, Object>> columns = (List<Map<String, Object>>) ((List<Map<String, Object>>)
                ((Map<String, Object>) crd.get("spec")).get("versions")).get(0).get("additionalPrinterColumns");
        assertThat(columns).isNotEmpty().allSatisfy(c -> assertThat(c).doesNotContainKey("priority"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void canonicalFormFindsAndRemovesWhatTheServerDrops() {
        Map<String, Object> crd = Serialization.unmarshal("""
                spec:
                  versions:
                    - name: v1
                      additionalPrinterColumns: [{name: A, jsonPath: .a, type: string, priority: 0}, {name: B, jsonPath: .b, type: string, priority: 1}]
                      subresources: {status: {}}
                      schema:
                        openAPIV3Schema:
                          type: object
                          required: []
                          properties:
                            x: {type: string, nullable: false, default: ""}
                            y: {type: object, properties: {}, default: {}}
                """, Map.class);
        assertThat(io.percore.operator.config.CrdCanonicalForm.violations(crd)).containsExactlyInAnyOrder(
                ".spec.versions[].additionalPrinterColumns[].priority: 0",
                ".spec.versions[].schema.openAPIV3Schema.required: []",
                ".spec.versions[].schema.openAPIV3Schema.properties.x.nullable: false",
                ".spec.versions[].schema.openAPIV3Schema.properties.y.properties: {}");
        io.percore.operator.config.CrdCanonicalForm.apply(crd);
        assertThat(io.percore.operator.config.CrdCanonicalForm.violations(crd)).isEmpty();
        assertThat(Serialization.asJson(crd)).contains("\"priority\":1").contains("\"status\":{}")
                .contains("\"default\":\"\"").contains("\"default\":{}");
    }
}
