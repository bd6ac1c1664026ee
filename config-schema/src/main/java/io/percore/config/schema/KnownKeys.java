package io.percore.config.schema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Every property the schema knows, with where it lives ({@code percore.servers.<name>.port}):
 * lets an unknown key placed at the wrong level point to where it belongs.
 */
final class KnownKeys {

    private final Map<String, List<String>> parentsByKey = new LinkedHashMap<>();

    KnownKeys(JsonNode schema) {
        collect(schema, PropertyPath.ROOT);
    }

    /** Where {@code key} is a known property, e.g. {@code percore.servers.<name>}; {@code null} if nowhere. */
    String whereElse(String key) {
        List<String> parents = parentsByKey.get(key);
        return parents == null ? null : String.join(" and ", parents);
    }

    private void collect(JsonNode schema, String where) {
        if (schema == null) {
            return;
        }
        JsonNode properties = schema.get("properties");
        if (properties != null) {
            properties.properties().forEach(p -> {
                parentsByKey.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(where);
                collect(p.getValue(), where + "." + p.getKey());
            });
        }
        JsonNode additional = schema.get("additionalProperties");
        if (additional != null && additional.isObject()) {
            collect(additional, where + ".<name>");
        }
        JsonNode items = schema.get("items");
        if (items != null) {
            collect(items, where + "[i]");
        }
    }
}
