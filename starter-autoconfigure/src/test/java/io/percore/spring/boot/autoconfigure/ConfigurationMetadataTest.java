package io.percore.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.schema.PercoreConfigSchema;
import io.percore.spring.boot.autoconfigure.metadata.ConfigurationMetadataWriter;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The packaged IDE metadata documents every percore.* key of the schema, plus the starter's own keys. */
class ConfigurationMetadataTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void listsPercoreKeysWithDescriptionsTypesAndDefaults() throws Exception {
        Map<String, JsonNode> properties = properties();
        JsonNode taskQuota = properties.get("percore.engine.task-quota");
        assertThat(taskQuota).as("percore.engine.task-quota").isNotNull();
        assertThat(taskQuota.path("type").asString()).isEqualTo("java.time.Duration");
        assertThat(taskQuota.path("defaultValue").asString()).isEqualTo("500us");
        assertThat(taskQuota.path("description").asString()).contains("tasks");
        assertThat(properties.get("percore.engine.shards").path("type").asString()).isEqualTo("java.lang.Integer");
        assertThat(properties.get("percore.engine.shards").path("defaultValue").asInt()).isZero();
        assertThat(properties.get("percore.enabled").path("defaultValue").asBoolean()).isTrue();
        assertThat(properties.get("percore.engine.mode").path("type").asString()).isEqualTo("io.percore.config.EngineConfig$Mode");
        assertThat(properties.get("percore.servers").path("type").asString())
                .isEqualTo("java.util.Map<java.lang.String,io.percore.config.ServerConfig>");
        assertThat(properties.get("percore.engine.scheduling-groups").path("type").asString())
                .isEqualTo("java.util.List<io.percore.config.SchedulingGroupConfig>");
        // The starter's own keys, from the configuration processor.
        assertThat(properties.get("management.health.percore.stall-multiplier").path("defaultValue").asInt()).isEqualTo(10);
        assertThat(properties.get("management.health.percore.readiness")).isNotNull();
    }

    @Test
    void everySchemaLeafHasADescribedEntry() throws Exception {
        Map<String, JsonNode> properties = properties();
        List<String> leaves = new ArrayList<>();
        leaves(PercoreConfigSchema.tree(), "percore", leaves);
        assertThat(leaves).hasSizeGreaterThan(10);
        for (String leaf : leaves) {
            assertThat(properties).as("metadata for " + leaf).containsKey(leaf);
            assertThat(properties.get(leaf).path("description").asString()).as(leaf).isNotBlank();
        }
    }

    @Test
    void enumKeysHaveValueHints() throws Exception {
        JsonNode metadata = metadata();
        List<String> modeValues = new ArrayList<>();
        for (JsonNode hint : metadata.path("hints")) {
            if (hint.path("name").asString().equals("percore.engine.mode")) {
                hint.path("values").forEach(v -> modeValues.add(v.path("value").asString()));
            }
        }
        assertThat(modeValues).containsExactly("pinned", "overprovisioned");
    }

    private static void leaves(JsonNode schema, String prefix, List<String> out) {
        for (Map.Entry<String, JsonNode> entry : schema.path("properties").properties()) {
            JsonNode child = entry.getValue();
            if (child.has("properties")) {
                leaves(child, prefix + "." + entry.getKey(), out);
            } else {
                out.add(prefix + "." + entry.getKey());
            }
        }
    }

    /**
     * The file beside the starter's classes, not the first of that name on the class path: the tests' own
     * {@code @ConfigurationProperties} (the how-to's {@code Shop}) give target/test-classes one too, found first.
     */
    private static JsonNode metadata() throws Exception {
        Path classes = Path.of(ConfigurationMetadataWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path file = classes.resolve("META-INF/spring-configuration-metadata.json");
        assertThat(file).as("META-INF/spring-configuration-metadata.json in target/classes").isRegularFile();
        try (InputStream in = Files.newInputStream(file)) {
            return JSON.readTree(in);
        }
    }

    private static Map<String, JsonNode> properties() throws Exception {
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode property : metadata().path("properties")) {
            byName.put(property.path("name").asString(), property);
        }
        return byName;
    }
}
