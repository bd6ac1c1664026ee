package io.percore.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StructuralSchemaConverterTest {

    private final List<String> notes = new ArrayList<>();
    private final StructuralSchemaConverter converter = new StructuralSchemaConverter(notes::add);

    private static Map<String, Object> map(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void typeArraysBecomeNullableOrIntOrString() {
        Map<String, Object> out = converter.convert(map("type", "object", "properties", map(
                "a", map("type", List.of("string", "null")),
                "b", map("type", List.of("string", "integer"), "minimum", 0),
                "c", map("type", List.of("boolean", "object")))));
        Map<?, ?> props = (Map<?, ?>) out.get("properties");
        assertThat((Map<String, Object>) props.get("a")).containsEntry("type", "string").containsEntry("nullable", true);
        assertThat((Map<String, Object>) props.get("b")).containsEntry("x-kubernetes-int-or-string", true).doesNotContainKey("type");
        assertThat((Map<String, Object>) props.get("c")).containsEntry("x-kubernetes-preserve-unknown-fields", true).doesNotContainKey("type");
    }

    @Test
    void constExclusiveBoundsAndNullableAnyOf() {
        Map<String, Object> out = converter.convert(map("type", "object", "properties", map(
                "k", map("const", "fixed"),
                "n", map("type", "number", "exclusiveMinimum", 0),
                "o", map("anyOf", List.of(map("type", "integer", "maximum", 5), map("type", "null"))))));
        Map<?, ?> props = (Map<?, ?>) out.get("properties");
        assertThat((Map<String, Object>) props.get("k")).containsEntry("enum", List.of("fixed")).containsEntry("type", "string");
        assertThat((Map<String, Object>) props.get("n")).containsEntry("minimum", 0).containsEntry("exclusiveMinimum", true);
        assertThat((Map<String, Object>) props.get("o")).containsEntry("type", "integer").containsEntry("nullable", true)
                .containsEntry("maximum", 5).doesNotContainKey("anyOf");
    }

    @Test
    void dropsWhatCrdsRejectAndSaysSo() {
        Map<String, Object> out = converter.convert(map("$schema", "https://json-schema.org/draft/2020-12/schema", "$id", "x",
                "type", "object", "additionalProperties", false, "properties", map(
                        "d", map("type", "string", "pattern", "^P(?=\\d)\\d+D$", "x-minimum-duration", "1ms"),
                        "ok", map("type", "string", "pattern", "^\\d+(ms|s)$"),
                        "m", map("type", "object", "propertyNames", map("pattern", "^[a-z]+$"),
                                "additionalProperties", map("type", "integer")),
                        "l", map("type", "array", "uniqueItems", true, "items", map("type", "string")))));
        assertThat(out).doesNotContainKeys("$schema", "$id", "additionalProperties");
        Map<?, ?> props = (Map<?, ?>) out.get("properties");
        assertThat((Map<String, Object>) props.get("d")).doesNotContainKeys("pattern", "x-minimum-duration");
        assertThat((Map<String, Object>) props.get("ok")).containsEntry("pattern", "^\\d+(ms|s)$");
        assertThat((Map<String, Object>) props.get("m")).doesNotContainKey("propertyNames")
                .containsEntry("additionalProperties", Map.of("type", "integer"));
        assertThat((Map<String, Object>) props.get("l")).doesNotContainKey("uniqueItems");
        assertThat(notes).anyMatch(n -> n.contains("d: dropped pattern")).anyMatch(n -> n.contains("x-minimum-duration"));
    }

    @Test
    void refusesSchemasThatAreNotInlined() {
        assertThatThrownBy(() -> converter.convert(map("type", "object", "properties", map("a", map("$ref", "#/$defs/A")))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a: $ref");
    }

    @Test
    void objectWithoutPropertiesPreservesUnknownFields() {
        Map<String, Object> out = converter.convert(map("type", "object"));
        assertThat(out).containsEntry("type", "object").containsEntry("x-kubernetes-preserve-unknown-fields", true);
    }

    /** A CRD default is written into every stored resource: the user's spec.config would not be what they applied. */
    @Test
    void defaultsAreDroppedAndNamedInTheDescription() {
        Map<String, Object> out = converter.convert(map("type", "object", "properties", map(
                "mode", map("type", "string", "description", "How shards run.", "default", "pinned"),
                "shards", map("type", "integer", "default", 0),
                "groups", map("type", "array", "items", map("type", "string"), "default", List.of("default")))));
        Map<?, ?> props = (Map<?, ?>) out.get("properties");
        assertThat((Map<String, Object>) props.get("mode")).doesNotContainKey("default")
                .containsEntry("description", "How shards run. Default: pinned.");
        assertThat((Map<String, Object>) props.get("shards")).doesNotContainKey("default").containsEntry("description", "Default: 0.");
        assertThat((Map<String, Object>) props.get("groups")).doesNotContainKey("default")
                .containsEntry("description", "Default: [\"default\"].");
        assertThat(notes).anyMatch(n -> n.startsWith("mode: dropped default pinned"));
    }
}
