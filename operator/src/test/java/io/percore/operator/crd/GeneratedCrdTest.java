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

    /**
     * Defect found on a real API server: {@code default:} values under {@code spec.config} made the
     * server store about a dozen keys the user never wrote ({@code engine.mode: pinned},
     * {@code engine.shards: 0} ...). No default anywhere in the spec's schema: the stored spec is
     * exactly what the user applied.
     */
    @Test
    @SuppressWarnings("unchecked")
    void theSpecSchemaHasNoDefaultsSoTheStoredSpecIsWhatTheUserApplied() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(Files.readString(Path.of("target/classes/" + TestResources.CRD_RESOURCE)), Map.class);
        Map<String, Object> version = ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
        Map<String, Object> spec = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                version.get("schema")).get("openAPIV3Schema")).get("properties")).get("spec");
        List<String> defaults = new ArrayList<>();
        findKey(spec, "default", ".spec", defaults);
        assertThat(defaults).isEmpty();
        Map<String, Object> mode = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) ((Map<String, Object>) spec.get("properties")).get("config")).get("properties")).get("engine"))
                .get("properties")).get("mode");
        assertThat((String) mode.get("description")).as("kubectl explain still names the application's default").contains("Default: pinned.");
    }

    /** spec.persistence: the user's fields only, validated at admission. */
    @Test
    @SuppressWarnings("unchecked")
    void persistenceSchemaValidatesModeSizeAndGracePeriod() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(Files.readString(Path.of("target/classes/" + TestResources.CRD_RESOURCE)), Map.class);
        Map<String, Object> version = ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
        Map<String, Object> persistence = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>)
                ((Map<String, Object>) ((Map<String, Object>) version.get("schema")).get("openAPIV3Schema")).get("properties"))
                .get("spec")).get("properties")).get("persistence");
        Map<String, Map<String, Object>> props = (Map<String, Map<String, Object>>) persistence.get("properties");
        assertThat(props).containsOnlyKeys("mode", "size", "storageClassName", "terminationGracePeriodSeconds");
        assertThat(props.get("mode")).containsEntry("pattern", "^(none|snapshot|aof)$");
        assertThat(props.get("size")).containsEntry("pattern", PercoreServiceSpec.QUANTITY_PATTERN);
        assertThat(((Number) props.get("terminationGracePeriodSeconds").get("minimum")).intValue()).isEqualTo(90);
        assertThat(((Number) props.get("terminationGracePeriodSeconds").get("maximum")).intValue()).isEqualTo(3600);
        assertThat((List<Map<String, Object>>) persistence.get("x-kubernetes-validations")).singleElement()
                .satisfies(rule -> assertThat(rule.get("rule")).isEqualTo("!has(self.mode) || self.mode == 'none' || has(self.size)"));
        assertThat(persistence).doesNotContainKey("required");
    }

    /** spec.cluster: one required flag and the password's Secret; replication beside it only without its own password (CEL). */
    @Test
    @SuppressWarnings("unchecked")
    void clusterSchemaHasTheFlagAndRefusesReplicationsOwnPasswordBesideIt() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(Files.readString(Path.of("target/classes/" + TestResources.CRD_RESOURCE)), Map.class);
        Map<String, Object> version = ((List<Map<String, Object>>) ((Map<String, Object>) crd.get("spec")).get("versions")).get(0);
        Map<String, Object> root = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) version.get("schema"))
                .get("openAPIV3Schema")).get("properties");
        Map<String, Object> spec = (Map<String, Object>) root.get("spec");
        Map<String, Object> cluster = (Map<String, Object>) ((Map<String, Object>) spec.get("properties")).get("cluster");
        assertThat((Map<String, Object>) cluster.get("properties")).containsOnlyKeys("enabled", "authSecretName");
        assertThat((Map<String, Object>) ((Map<String, Object>) cluster.get("properties")).get("enabled")).containsEntry("type", "boolean");
        assertThat((Map<String, Object>) ((Map<String, Object>) cluster.get("properties")).get("authSecretName"))
                .containsEntry("type", "string").containsEntry("pattern", Replication.SECRET_NAME_PATTERN);
        assertThat((List<String>) cluster.get("required")).containsExactly("enabled");
        assertThat((List<Map<String, Object>>) spec.get("x-kubernetes-validations")).singleElement()
                .satisfies(rule -> assertThat(rule.get("rule")).isEqualTo("!has(self.cluster) || !self.cluster.enabled || !has(self.replication) || !has(self.replication.authSecretName)"));
        Map<String, Object> status = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) root.get("status"))
                .get("properties")).get("cluster");
        assertThat((Map<String, Object>) status.get("properties")).containsOnlyKeys("configEpoch", "slotsAssigned", "migrations", "pods",
                "primariesUnavailable", "lineage");
    }

    @SuppressWarnings("unchecked")
    private static void findKey(Object node, String key, String path, List<String> found) {
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                if (key.equals(k) && !path.endsWith(".properties")) {
                    found.add(path + "." + k + ": " + v);
                }
                findKey(v, key, path + "." + k, found);
            });
        } else if (node instanceof List<?> list) {
            list.forEach(item -> findKey(item, key, path + "[]", found));
        }
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
     * The API server compiles every pattern with Go's RE2, which refuses a repeat count above 1000, lookarounds and
     * backreferences that Java (and the fabric8 mock) accept: the CRD is then refused whole (a real node found
     * {@code {1,2048}}). A length bound is {@code maxLength}, not a repeat count.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyPatternIsOneTheApiServersRegexEngineCompiles() throws Exception {
        Map<String, Object> crd = Serialization.unmarshal(
                Files.readString(Path.of("target/classes/META-INF/fabric8/percoreservices.percore.io-v1.yml")), Map.class);
        List<String> patterns = new ArrayList<>();
        findKey(crd, "pattern", "", patterns);
        assertThat(patterns).isNotEmpty();
        java.util.regex.Pattern repeat = java.util.regex.Pattern.compile("(?<!\\\\)\\{(\\d+)(?:,(\\d*))?}");
        List<String> refused = new ArrayList<>();
        for (String found : patterns) {
            java.util.regex.Matcher m = repeat.matcher(found);
            while (m.find()) {
                if (Long.parseLong(m.group(1)) > 1000 || (m.group(2) != null && !m.group(2).isEmpty() && Long.parseLong(m.group(2)) > 1000)) {
                    refused.add(found);
                }
            }
            if (found.matches(".*\\(\\?<?[=!].*") || found.matches(".*(?<!\\\\)\\\\[1-9].*")) {
                refused.add(found);
            }
        }
        assertThat(refused).as("patterns RE2 refuses").isEmpty();
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
