package io.percore.config.schema;

import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Walks the (fully inlined) schema alongside a configuration tree. */
final class SubSchemas {

    private SubSchemas() {
    }

    /** Schema of the value under {@code key} in an object with schema {@code schema}, or {@code null}. */
    static JsonNode property(JsonNode schema, String key) {
        if (schema == null) {
            return null;
        }
        JsonNode properties = schema.get("properties");
        if (properties != null && properties.has(key)) {
            return properties.get(key);
        }
        JsonNode additional = schema.get("additionalProperties");
        return additional != null && additional.isObject() ? additional : null;
    }

    /** Schema of the items of an array with schema {@code schema}, or {@code null}. */
    static JsonNode items(JsonNode schema) {
        return schema == null ? null : schema.get("items");
    }

    /** Schema at {@code path} below {@code root}, or {@code null} when the path leaves the schema. */
    static JsonNode at(JsonNode root, PropertyPath path) {
        JsonNode schema = root;
        for (Object segment : path.segments()) {
            schema = segment instanceof Integer ? items(schema) : property(schema, (String) segment);
            if (schema == null) {
                return null;
            }
        }
        return schema;
    }

    /** True when the schema describes a map: free keys whose values share one schema. */
    static boolean isMap(JsonNode schema) {
        return schema != null && !schema.has("properties") && schema.has("additionalProperties")
                && schema.get("additionalProperties").isObject();
    }

    /** The declared property names of an object schema, in schema order. */
    static List<String> propertyNames(JsonNode schema) {
        List<String> names = new ArrayList<>();
        if (schema != null && schema.has("properties")) {
            names.addAll(schema.get("properties").propertyNames());
        }
        return names;
    }

    /** The JSON types a schema allows ({@code type} may be a string or an array). */
    static List<String> types(JsonNode schema) {
        List<String> types = new ArrayList<>();
        JsonNode type = schema == null ? null : schema.get("type");
        if (type == null) {
            return types;
        }
        if (type.isArray()) {
            type.forEach(t -> types.add(t.asString()));
        } else {
            types.add(type.asString());
        }
        return types;
    }
}
