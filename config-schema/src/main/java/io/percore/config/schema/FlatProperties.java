package io.percore.config.schema;

import io.percore.config.PropertyNames;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Rebuilds the tree under {@code percore} from Spring-style flattened properties
 * ({@code percore.engine.task-quota=5ms}, {@code percore.engine.scheduling-groups[0].name=x},
 * {@code percore.servers[api].port=8080}), the way Spring's binder reads them: keys in any
 * relaxed form ({@code taskQuota}, {@code task_quota}) become kebab-case, list indexes become
 * arrays, a comma-separated value for a list becomes its items, and every string value is
 * converted to the type the schema expects, so that {@code shards=4} is the integer 4 while
 * {@code shards=four} stays a string and is reported as a type error.
 */
final class FlatProperties {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String PREFIX = PropertyPath.ROOT + ".";

    private final JsonNode rootSchema;
    private final List<ConfigError> errors = new ArrayList<>();

    private FlatProperties(JsonNode rootSchema) {
        this.rootSchema = rootSchema;
    }

    /** The tree plus any errors found while building it (conflicts, malformed keys, index gaps). */
    record Result(JsonNode tree, List<ConfigError> errors) {
    }

    static Result toTree(Map<String, String> properties, JsonNode rootSchema) {
        FlatProperties builder = new FlatProperties(rootSchema);
        Map<String, Object> root = new LinkedHashMap<>();
        // Sorted so that results do not depend on the caller's map order.
        for (Map.Entry<String, String> entry : new TreeMap<>(properties).entrySet()) {
            String key = entry.getKey();
            if (key.equals(PropertyPath.ROOT)) {
                builder.errors.add(new ConfigError(PropertyPath.ROOT, entry.getValue(), "conflict",
                        "percore: is a section and cannot be set to a value (conflict)", "set properties below it, e.g. percore.enabled"));
            } else if (key.startsWith(PREFIX)) {
                builder.put(root, key, entry.getValue());
            }
        }
        JsonNode tree = builder.toNode(root, rootSchema, PropertyPath.root());
        return new Result(tree, builder.errors);
    }

    /** Puts one property into the intermediate tree of maps (objects), tree maps (lists) and strings. */
    @SuppressWarnings("unchecked")
    private void put(Map<String, Object> root, String fullKey, String value) {
        List<Object> segments = parse(fullKey);
        if (segments == null) {
            return;
        }
        Object container = root;
        JsonNode schema = rootSchema;
        PropertyPath path = PropertyPath.root();
        for (int i = 0; i < segments.size(); i++) {
            Object segment = segments.get(i);
            // Object keys are normalised to kebab-case; map keys (server and client names) are data and stay as written.
            if (segment instanceof String name && !SubSchemas.isMap(schema)) {
                segment = PropertyNames.kebabCase(name);
            }
            JsonNode childSchema = segment instanceof Integer ? SubSchemas.items(schema) : SubSchemas.property(schema, (String) segment);
            PropertyPath childPath = segment instanceof Integer index ? path.index(index) : path.key((String) segment);
            boolean last = i == segments.size() - 1;
            Object next = last ? null : (segments.get(i + 1) instanceof Integer ? new TreeMap<Integer, Object>() : new LinkedHashMap<String, Object>());
            Object existing;
            if (segment instanceof Integer index) {
                if (!(container instanceof TreeMap)) {
                    conflict(path, fullKey);
                    return;
                }
                existing = ((TreeMap<Integer, Object>) container).get(index);
            } else {
                if (!(container instanceof LinkedHashMap)) {
                    conflict(path, fullKey);
                    return;
                }
                existing = ((Map<String, Object>) container).get((String) segment);
            }
            if (last) {
                if (existing != null && !(existing instanceof String)) {
                    conflict(childPath, fullKey);
                    return;
                }
                putChild(container, segment, value);
                return;
            }
            if (existing == null) {
                putChild(container, segment, next);
            }
            if (existing != null) {
                if (existing instanceof String || existing.getClass() != next.getClass()) {
                    conflict(childPath, fullKey);
                    return;
                }
                next = existing;
            }
            container = next;
            schema = childSchema;
            path = childPath;
        }
    }

    @SuppressWarnings("unchecked")
    private static void putChild(Object container, Object segment, Object child) {
        if (segment instanceof Integer index) {
            ((TreeMap<Integer, Object>) container).put(index, child);
        } else {
            ((Map<String, Object>) container).put((String) segment, child);
        }
    }

    private void conflict(PropertyPath path, String key) {
        errors.add(new ConfigError(path.toString(), null, "conflict",
                path + " is set both as a single value and as a section or list (conflict, at " + key + ")",
                "keep either " + path + "=... or keys below it, not both"));
    }

    /** {@code percore.a.b[0].c[key]} into segments after {@code percore}, or {@code null} (error recorded) when malformed. */
    private List<Object> parse(String key) {
        List<Object> segments = new ArrayList<>();
        String rest = key.substring(PREFIX.length());
        int i = 0;
        StringBuilder name = new StringBuilder();
        while (i < rest.length()) {
            char c = rest.charAt(i);
            if (c == '.') {
                if (name.length() > 0) {
                    segments.add(name.toString());
                    name.setLength(0);
                } else if (i == 0 || rest.charAt(i - 1) != ']') {
                    return malformed(key, "an empty name between dots");
                }
                i++;
            } else if (c == '[') {
                if (name.length() > 0) {
                    segments.add(name.toString());
                    name.setLength(0);
                }
                int close = rest.indexOf(']', i);
                if (close < 0) {
                    return malformed(key, "a [ without ]");
                }
                String inside = rest.substring(i + 1, close);
                if (inside.matches("\\d{1,9}")) {
                    segments.add(Integer.parseInt(inside));
                } else if (inside.isEmpty()) {
                    return malformed(key, "an empty []");
                } else {
                    segments.add(inside.replaceAll("^\"(.*)\"$", "$1"));
                }
                i = close + 1;
            } else {
                name.append(c);
                i++;
            }
        }
        if (name.length() > 0) {
            segments.add(name.toString());
        }
        if (segments.isEmpty() || key.endsWith(".")) {
            return malformed(key, "nothing after the last dot");
        }
        return segments;
    }

    private List<Object> malformed(String key, String why) {
        errors.add(new ConfigError(key, null, "syntax", key + ": not a valid property name: " + why + " (syntax)", null));
        return null;
    }

    @SuppressWarnings("unchecked")
    private JsonNode toNode(Object value, JsonNode schema, PropertyPath path) {
        // Lists are TreeMaps keyed by index, so test for them before general maps.
        if (value instanceof TreeMap<?, ?> indexed) {
            return toArray((TreeMap<Integer, Object>) indexed, schema, path);
        }
        if (value instanceof Map<?, ?> map) {
            ObjectNode object = NODES.objectNode();
            ((Map<String, Object>) map).forEach((k, v) -> object.set(k, toNode(v, SubSchemas.property(schema, k), path.key(k))));
            return object;
        }
        return coerce((String) value, schema);
    }

    private JsonNode toArray(TreeMap<Integer, Object> indexed, JsonNode schema, PropertyPath path) {
        ArrayNode array = NODES.arrayNode();
        int expected = 0;
        for (Map.Entry<Integer, Object> item : indexed.entrySet()) {
            if (item.getKey() != expected) {
                // Spring binds indexes 0, 1, 2... up to the first gap and refuses the rest.
                errors.add(new ConfigError(path.index(item.getKey()).toString(), null, "index-gap",
                        path.index(item.getKey()) + " is set but " + path.index(expected) + " is missing; list indexes must run 0, 1, 2, ... (index-gap)",
                        "renumber the entries from 0 without gaps"));
                break;
            }
            array.add(toNode(item.getValue(), SubSchemas.items(schema), path.index(expected)));
            expected++;
        }
        return array;
    }

    /** Converts a property string to the JSON type the schema wants; leaves it a string when it does not convert. */
    static JsonNode coerce(String text, JsonNode schema) {
        List<String> types = SubSchemas.types(schema);
        String trimmed = text.trim();
        if (types.contains("array")) {
            ArrayNode array = NODES.arrayNode();
            if (!trimmed.isEmpty()) {
                for (String part : trimmed.split(",")) {
                    array.add(coerce(part.trim(), SubSchemas.items(schema)));
                }
            }
            return array;
        }
        if (types.contains("integer") && trimmed.matches("[+-]?\\d+")) {
            return NODES.numberNode(new BigInteger(trimmed));
        }
        if (types.contains("number") && trimmed.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?")) {
            return NODES.numberNode(new BigDecimal(trimmed));
        }
        if (types.contains("boolean")) {
            String lower = trimmed.toLowerCase(Locale.ROOT);
            if (lower.equals("true") || lower.equals("false")) {
                return NODES.booleanNode(Boolean.parseBoolean(lower));
            }
        }
        return NODES.stringNode(text);
    }
}
