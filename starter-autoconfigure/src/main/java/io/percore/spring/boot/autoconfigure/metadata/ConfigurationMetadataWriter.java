package io.percore.spring.boot.autoconfigure.metadata;

import io.percore.config.PercoreConfig;
import io.percore.config.PropertyNames;
import io.percore.config.schema.PercoreConfigSchema;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Build-time tool (run by the starter's build in {@code process-classes}): writes the
 * {@code percore.*} entries of {@code META-INF/spring-configuration-metadata.json} so IDEs
 * complete and document the keys. Spring's configuration processor only sees this module's
 * sources, and the model lives in config-schema; so the entries come from the packaged JSON
 * Schema (names, descriptions, defaults, enum values) and the model classes (Java types), and
 * are merged with whatever the processor wrote for the starter's own properties.
 */
public final class ConfigurationMetadataWriter {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final String ROOT = "percore";

    private final ObjectNode metadata;
    private final ArrayNode groups;
    private final ArrayNode properties;
    private final ArrayNode hints;

    private ConfigurationMetadataWriter(ObjectNode existing) {
        this.metadata = existing;
        this.groups = withoutPercoreEntries(existing, "groups");
        this.properties = withoutPercoreEntries(existing, "properties");
        this.hints = withoutPercoreEntries(existing, "hints");
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ConfigurationMetadataWriter <path of spring-configuration-metadata.json>");
        }
        Path out = Path.of(args[0]);
        ObjectNode existing = Files.exists(out) ? (ObjectNode) JSON.readTree(Files.readString(out)) : JSON.createObjectNode();
        Files.createDirectories(out.getParent());
        Files.writeString(out, JSON.writeValueAsString(generate(existing)), StandardCharsets.UTF_8);
    }

    /** {@code existing} (the processor's output) with the {@code percore.*} entries replaced by fresh ones. */
    public static ObjectNode generate(ObjectNode existing) {
        ConfigurationMetadataWriter writer = new ConfigurationMetadataWriter(existing.deepCopy());
        JsonNode schema = PercoreConfigSchema.tree();
        writer.group(ROOT, PercoreConfig.class, null, schema);
        writer.walk(ROOT, schema, PercoreConfig.class);
        return writer.metadata;
    }

    private void walk(String prefix, JsonNode schema, Class<?> type) {
        for (Map.Entry<String, JsonNode> entry : schema.get("properties").properties()) {
            String name = prefix + "." + entry.getKey();
            JsonNode property = entry.getValue();
            Field field = field(type, entry.getKey());
            if (isNestedObject(property)) {
                group(name, field.getType(), type, property);
                walk(name, property, field.getType());
            } else {
                property(name, field, type, property);
            }
        }
    }

    private static boolean isNestedObject(JsonNode property) {
        return property.has("properties") && property.get("properties").isObject();
    }

    private void group(String name, Class<?> type, Class<?> sourceType, JsonNode schema) {
        ObjectNode group = groups.addObject();
        group.put("name", name);
        group.put("type", type.getName());
        if (sourceType != null) {
            group.put("sourceType", sourceType.getName());
        }
        if (schema.has("description")) {
            group.put("description", schema.get("description").asString());
        }
    }

    private void property(String name, Field field, Class<?> sourceType, JsonNode schema) {
        ObjectNode property = properties.addObject();
        property.put("name", name);
        property.put("type", typeName(field.getGenericType()));
        if (schema.has("description")) {
            property.put("description", schema.get("description").asString());
        }
        property.put("sourceType", sourceType.getName());
        JsonNode defaultValue = schema.get("default");
        if (defaultValue != null && (defaultValue.isValueNode() || isArrayOfValues(defaultValue))) {
            property.set("defaultValue", defaultValue);
        }
        if (schema.has("enum")) {
            ObjectNode hint = hints.addObject();
            hint.put("name", name);
            ArrayNode values = hint.putArray("values");
            for (JsonNode value : schema.get("enum")) {
                values.addObject().set("value", value);
            }
        }
    }

    private static boolean isArrayOfValues(JsonNode node) {
        if (!node.isArray()) {
            return false;
        }
        for (JsonNode item : node) {
            if (!item.isValueNode()) {
                return false;
            }
        }
        return true;
    }

    /** The field behind a kebab-case schema key; a schema key without a field means the schema and model drifted. */
    private static Field field(Class<?> type, String key) {
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!java.lang.reflect.Modifier.isStatic(f.getModifiers()) && PropertyNames.kebabCase(f.getName()).equals(key)) {
                    return f;
                }
            }
        }
        throw new IllegalStateException("The schema has " + key + " but " + type.getName() + " has no such field");
    }

    /** Type names as Spring's processor writes them: boxed primitives, binary names, generics spelled out. */
    static String typeName(Type type) {
        if (type instanceof Class<?> c) {
            if (c.isPrimitive()) {
                return switch (c.getName()) {
                    case "int" -> Integer.class.getName();
                    case "long" -> Long.class.getName();
                    case "boolean" -> Boolean.class.getName();
                    case "double" -> Double.class.getName();
                    case "float" -> Float.class.getName();
                    case "short" -> Short.class.getName();
                    case "byte" -> Byte.class.getName();
                    default -> Character.class.getName();
                };
            }
            return c.getName();
        }
        if (type instanceof ParameterizedType p) {
            return typeName(p.getRawType()) + Arrays.stream(p.getActualTypeArguments())
                    .map(ConfigurationMetadataWriter::typeName).collect(Collectors.joining(",", "<", ">"));
        }
        if (type instanceof java.lang.reflect.AnnotatedType a) {
            return typeName(a.getType());
        }
        return type.getTypeName();
    }

    private static ArrayNode withoutPercoreEntries(ObjectNode metadata, String section) {
        ArrayNode kept = JSON.createArrayNode();
        JsonNode current = metadata.get(section);
        if (current != null) {
            for (JsonNode entry : current) {
                String name = entry.path("name").asString("");
                if (!name.equals(ROOT) && !name.startsWith(ROOT + ".")) {
                    kept.add(entry);
                }
            }
        }
        metadata.set(section, kept);
        return kept;
    }
}
