package io.percore.config.schema;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.percore.config.DurationSyntax;
import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.config.PropertyDescription;
import io.percore.config.PropertyNames;
import io.percore.config.ServerConfig;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Properties of the schema that consumers (operator CRD, Helm, IDEs) rely on. */
class SchemaShapeTest {

    private final JsonNode schema = PercoreConfigSchema.tree();

    @Test
    void isDraft2020AndValidAgainstItsMetaSchema() {
        assertThat(schema.get("$schema").asString()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
        var meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        assertThat(meta.validate(PercoreConfigSchema.json(), InputFormat.JSON)).isEmpty();
    }

    @Test
    void hasNoReferencesOrDefinitionsAnywhere() {
        String text = PercoreConfigSchema.json();
        assertThat(text).doesNotContain("$ref", "$defs", "definitions", "allOf", "anyOf", "oneOf");
    }

    @Test
    void everyPropertyHasADescription() {
        List<String> missing = new ArrayList<>();
        forEachProperty(schema, "percore", (path, property) -> {
            if (!property.has("description") || property.get("description").asString().isBlank()) {
                missing.add(path);
            }
        });
        assertThat(missing).as("properties without description").isEmpty();
        assertThat(propertyCount(schema)).isGreaterThan(40);
    }

    /** Code turns durations into long nanoseconds: an unbounded one ends in "long overflow" (issue 12, row 10). */
    @Test
    void everyDurationHasAnUpperBound() {
        List<String> unbounded = new ArrayList<>();
        int[] durations = {0};
        forEachProperty(schema, "percore", (path, property) -> {
            JsonNode pattern = property.get("pattern");
            if (pattern != null && pattern.asString().equals(io.percore.config.DurationSyntax.PATTERN)) {
                durations[0]++;
                JsonNode max = property.get(PercoreConfigSchema.MAXIMUM_DURATION_KEYWORD);
                if (max == null) {
                    unbounded.add(path);
                } else {
                    DurationSyntax.parse(max.asString()).toNanos();
                }
            }
        });
        assertThat(durations[0]).isGreaterThanOrEqualTo(11);
        assertThat(unbounded).as("duration properties without @DurationMax").isEmpty();
    }

    @Test
    void everyObjectForbidsUnknownKeys() {
        List<String> open = new ArrayList<>();
        visitObjects(schema, "percore", (path, object) -> {
            JsonNode additional = object.get("additionalProperties");
            boolean closed = additional != null && (additional.isBoolean() && !additional.booleanValue()
                    || additional.isObject() && !object.has("properties"));
            if (!closed) {
                open.add(path);
            }
        });
        assertThat(open).as("objects that accept unknown keys").isEmpty();
    }

    @Test
    void everyModelFieldCarriesAPropertyDescription() {
        List<String> missing = new ArrayList<>();
        for (Class<?> type : List.of(PercoreConfig.class, EngineConfig.class, io.percore.config.SchedulingGroupConfig.class,
                ServerConfig.class, io.percore.config.ClientPoolConfig.class, io.percore.config.DiscoveryConfig.class,
                io.percore.config.HealthCheckConfig.class, io.percore.config.OutlierEjectionConfig.class,
                io.percore.config.RetryBudgetConfig.class)) {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && field.getAnnotation(PropertyDescription.class) == null) {
                    missing.add(type.getSimpleName() + "." + field.getName());
                }
            }
        }
        assertThat(missing).isEmpty();
    }

    @Test
    void defaultsComeFromTheFieldInitializers() {
        JsonNode engine = schema.get("properties").get("engine").get("properties");
        EngineConfig defaults = new EngineConfig();
        assertThat(engine.get("task-quota").get("default").asString()).isEqualTo(DurationSyntax.format(defaults.getTaskQuota()));
        assertThat(engine.get("ring-capacity").get("default").asInt()).isEqualTo(defaults.getRingCapacity());
        assertThat(engine.get("mode").get("default").asString()).isEqualTo(PropertyNames.enumValue(defaults.getMode()));
        JsonNode server = schema.get("properties").get("servers").get("additionalProperties").get("properties");
        assertThat(server.get("reuse-port").get("default").asBoolean()).isTrue();
        assertThat(server.get("max-request-size").get("default").asLong()).isEqualTo(new ServerConfig().getMaxRequestSize());
    }

    @Test
    void enumsAndKeysAreLowercaseKebab() {
        List<String> bad = new ArrayList<>();
        forEachProperty(schema, "percore", (path, property) -> {
            String key = path.substring(path.lastIndexOf('.') + 1);
            if (!key.matches("[a-z][a-z0-9-]*")) {
                bad.add(path);
            }
            if (property.has("enum")) {
                property.get("enum").forEach(v -> {
                    if (!v.asString().matches("[a-z][a-z0-9-]*")) {
                        bad.add(path + "=" + v.asString());
                    }
                });
            }
        });
        assertThat(bad).isEmpty();
        assertThat(schema.at("/properties/engine/properties/transport/enum").toString()).isEqualTo("[\"auto\",\"io-uring\",\"epoll\",\"nio\"]");
    }

    static long propertyCount(JsonNode schema) {
        long[] count = {0};
        forEachProperty(schema, "percore", (p, n) -> count[0]++);
        return count[0];
    }

    /** Visits every property schema under {@code objectSchema}, depth first. */
    static void forEachProperty(JsonNode objectSchema, String path, BiConsumer<String, JsonNode> visitor) {
        JsonNode properties = objectSchema.get("properties");
        if (properties != null) {
            properties.properties().forEach(p -> {
                visitor.accept(path + "." + p.getKey(), p.getValue());
                descend(p.getValue(), path + "." + p.getKey(), visitor);
            });
        }
    }

    private static void descend(JsonNode property, String path, BiConsumer<String, JsonNode> visitor) {
        forEachProperty(property, path, visitor);
        JsonNode items = property.get("items");
        if (items != null) {
            forEachProperty(items, path + "[i]", visitor);
        }
        JsonNode values = property.get("additionalProperties");
        if (values != null && values.isObject()) {
            forEachProperty(values, path + ".<name>", visitor);
        }
    }

    private static void visitObjects(JsonNode node, String path, BiConsumer<String, JsonNode> visitor) {
        if (node == null || !node.isObject()) {
            return;
        }
        if ("object".equals(node.path("type").asString(""))) {
            visitor.accept(path, node);
        }
        JsonNode properties = node.get("properties");
        if (properties != null) {
            properties.properties().forEach(p -> visitObjects(p.getValue(), path + "." + p.getKey(), visitor));
        }
        visitObjects(node.get("items"), path + "[i]", visitor);
        JsonNode values = node.get("additionalProperties");
        if (values != null && values.isObject()) {
            visitObjects(values, path + ".<name>", visitor);
        }
    }
}
