package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

class PercoreConfigSchemaTest {

    @Test
    void resourceIsOnTheClassPath() {
        assertThat(getClass().getClassLoader().getResource(PercoreConfigSchema.RESOURCE)).isNotNull();
        assertThat(PercoreConfigSchema.json()).startsWith("{").contains("\"task-quota\"");
    }

    @Test
    void treeIsAFreshCopyEachTime() {
        ObjectNode first = (ObjectNode) PercoreConfigSchema.tree();
        first.put("title", "changed");
        assertThat(PercoreConfigSchema.tree().get("title").asString()).isEqualTo("Percore configuration");
    }

    @Test
    @SuppressWarnings("unchecked")
    void asMapGivesPlainJavaValues() {
        Map<String, Object> schema = PercoreConfigSchema.asMap();
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        Map<String, Object> engine = (Map<String, Object>) ((Map<String, Object>) properties.get("engine")).get("properties");
        assertThat(((Map<String, Object>) engine.get("shards")).get("maximum")).isEqualTo(1024);
        assertThat(schema.get("additionalProperties")).isEqualTo(false);
    }
}
