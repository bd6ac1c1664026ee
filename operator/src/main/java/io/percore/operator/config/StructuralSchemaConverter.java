package io.percore.operator.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Converts an inlined JSON Schema (draft 2020-12) into a Kubernetes structural OpenAPI v3
 * schema for a CRD: every node gets a {@code type} (or {@code x-kubernetes-int-or-string} /
 * {@code x-kubernetes-preserve-unknown-fields}), type arrays become {@code nullable},
 * {@code const} becomes a one-value {@code enum}, numeric {@code exclusiveMinimum/Maximum}
 * become the v3.0 boolean form, and keywords a CRD rejects are dropped ({@code $schema},
 * {@code $id}, {@code propertyNames}, custom {@code x-} keywords, {@code uniqueItems: true},
 * regexes Go's RE2 cannot compile, ...). {@code default} is dropped too (and named in the
 * description): the API server would write every default into the stored resource, so
 * {@code spec.config} would no longer be what the user applied. What is dropped only loosens admission; the operator
 * still validates {@code spec.config} with the full schema before it applies anything.
 */
public final class StructuralSchemaConverter {

    private static final Set<String> KUBERNETES_FORMATS = Set.of(
            "bsonobjectid", "uri", "email", "hostname", "ipv4", "ipv6", "cidr", "mac", "uuid", "uuid3", "uuid4", "uuid5",
            "isbn", "isbn10", "isbn13", "creditcard", "ssn", "hexcolor", "rgbcolor", "byte", "password", "date",
            "duration", "datetime", "date-time", "int32", "int64", "float", "double");

    /** Constructs RE2 (the API server's regex engine) does not support. */
    private static final Pattern NOT_RE2 = Pattern.compile("\\(\\?[=!<>]|\\\\[1-9]|[*+?}]\\+|\\\\[ZzGAhHRX]|\\\\p\\{[a-z]");

    private final Consumer<String> notes;

    /** @param notes receives one line per dropped or rewritten keyword (build log) */
    public StructuralSchemaConverter(Consumer<String> notes) {
        this.notes = notes;
    }

    /** @throws IllegalArgumentException if the schema is not inlined (has a {@code $ref}) */
    public Map<String, Object> convert(Map<String, Object> schema) {
        return convertNode(schema, "");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> convertNode(Map<String, Object> in, String path) {
        if (in.containsKey("$ref") || in.containsKey("$dynamicRef")) {
            throw new IllegalArgumentException(at(path) + ": $ref is not allowed in a CRD schema; inline the schema first");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        boolean nullable = Boolean.TRUE.equals(in.get("nullable"));
        String type = null;
        boolean intOrString = false;
        boolean preserveUnknown = Boolean.TRUE.equals(in.get("x-kubernetes-preserve-unknown-fields"));

        Object defaultValue = null;
        Object rawType = in.get("type");
        if (rawType instanceof String t) {
            if ("null".equals(t)) {
                nullable = true;
            } else {
                type = t;
            }
        } else if (rawType instanceof List<?> types) {
            List<String> nonNull = new ArrayList<>();
            for (Object t : types) {
                if ("null".equals(t)) {
                    nullable = true;
                } else {
                    nonNull.add(String.valueOf(t));
                }
            }
            if (nonNull.size() == 1) {
                type = nonNull.get(0);
            } else if (nonNull.size() == 2 && nonNull.contains("string") && nonNull.contains("integer")) {
                intOrString = true;
            } else if (!nonNull.isEmpty()) {
                preserveUnknown = true;
                notes.accept(at(path) + ": type " + nonNull + " has no structural form; any value accepted by the CRD");
            }
        }

        // anyOf/oneOf [X, {type: null}] is a nullable X; other combinators cannot carry types in a structural schema.
        for (String combinator : List.of("anyOf", "oneOf")) {
            if (in.get(combinator) instanceof List<?> options) {
                List<Map<String, Object>> nonNull = new ArrayList<>();
                for (Object o : options) {
                    Map<String, Object> option = (Map<String, Object>) o;
                    if ("null".equals(option.get("type")) && option.size() <= 2) {
                        nullable = true;
                    } else {
                        nonNull.add(option);
                    }
                }
                if (nonNull.size() == 1 && type == null) {
                    Map<String, Object> merged = new LinkedHashMap<>(nonNull.get(0));
                    for (Map.Entry<String, Object> e : in.entrySet()) {
                        if (!e.getKey().equals(combinator)) {
                            merged.putIfAbsent(e.getKey(), e.getValue());
                        }
                    }
                    merged.put("nullable", nullable || Boolean.TRUE.equals(merged.get("nullable")));
                    return convertNode(merged, path);
                } else if (!nonNull.isEmpty()) {
                    notes.accept(at(path) + ": dropped " + combinator + " (not structural); validated by the operator");
                    if (type == null && !intOrString) {
                        preserveUnknown = true;
                    }
                }
            }
        }

        for (Map.Entry<String, Object> e : in.entrySet()) {
            String key = e.getKey();
            Object value = e.getValue();
            switch (key) {
                case "type", "nullable", "anyOf", "oneOf", "x-kubernetes-preserve-unknown-fields" -> {
                    // handled above
                }
                case "description", "title", "maxLength", "minLength", "maxItems", "minItems", "maxProperties",
                        "minProperties", "multipleOf", "required", "enum", "x-kubernetes-list-type",
                        "x-kubernetes-list-map-keys", "x-kubernetes-map-type", "x-kubernetes-validations" -> out.put(key, value);
                case "minimum", "maximum" -> {
                    if (!out.containsKey(key)) {
                        out.put(key, value);
                    }
                }
                case "default" -> {
                    // A CRD default is written into every stored resource: the user's spec.config would
                    // come back with keys they never wrote, and the application's own default could no
                    // longer differ from the schema's. The application applies its defaults itself.
                    if (value != null) {
                        defaultValue = value;
                        notes.accept(at(path) + ": dropped default " + value + " (the API server would store it in every resource)");
                    }
                }
                case "const" -> out.put("enum", List.of(value));
                case "examples" -> {
                    if (value instanceof List<?> list && !list.isEmpty()) {
                        out.put("example", list.get(0));
                    }
                }
                case "example" -> out.put("example", value);
                case "exclusiveMinimum", "exclusiveMaximum" -> {
                    String bound = key.equals("exclusiveMinimum") ? "minimum" : "maximum";
                    if (value instanceof Number n) {
                        out.put(bound, n);
                        out.put(key, true);
                    } else if (Boolean.TRUE.equals(value)) {
                        out.put(key, true);
                    }
                }
                case "pattern" -> {
                    String regex = String.valueOf(value);
                    if (NOT_RE2.matcher(regex).find()) {
                        notes.accept(at(path) + ": dropped pattern " + regex + " (not RE2); validated by the operator");
                    } else {
                        out.put(key, regex);
                    }
                }
                case "format" -> {
                    if (KUBERNETES_FORMATS.contains(String.valueOf(value))) {
                        out.put(key, value);
                    } else {
                        notes.accept(at(path) + ": dropped format " + value);
                    }
                }
                case "uniqueItems" -> {
                    if (Boolean.TRUE.equals(value)) {
                        notes.accept(at(path) + ": dropped uniqueItems (not allowed in CRDs); validated by the operator");
                    }
                }
                case "properties", "additionalProperties", "items" -> {
                    // handled below, after the type is known
                }
                default -> notes.accept(at(path) + ": dropped keyword " + key);
            }
        }

        if (in.get("properties") instanceof Map<?, ?> props) {
            Map<String, Object> converted = new LinkedHashMap<>();
            for (Map.Entry<?, ?> p : props.entrySet()) {
                converted.put(String.valueOf(p.getKey()), convertNode((Map<String, Object>) p.getValue(), path + "." + p.getKey()));
            }
            out.put("properties", converted);
            if (type == null) {
                type = "object";
            }
        } else if (in.get("additionalProperties") instanceof Map<?, ?> valueSchema) {
            // A map: structural schemas allow additionalProperties only without properties.
            out.put("additionalProperties", convertNode((Map<String, Object>) valueSchema, path + ".*"));
            if (type == null) {
                type = "object";
            }
        } else if (Boolean.TRUE.equals(in.get("additionalProperties"))) {
            preserveUnknown = true;
        }
        if ("object".equals(type) && !out.containsKey("properties") && !out.containsKey("additionalProperties")
                && !Boolean.FALSE.equals(in.get("additionalProperties"))) {
            preserveUnknown = true;
        }

        if (in.get("items") instanceof Map<?, ?> items) {
            out.put("items", convertNode((Map<String, Object>) items, path + "[]"));
            if (type == null) {
                type = "array";
            }
        } else if ("array".equals(type)) {
            notes.accept(at(path) + ": array without a single items schema; items accept any value");
            Map<String, Object> any = new LinkedHashMap<>();
            any.put("x-kubernetes-preserve-unknown-fields", true);
            out.put("items", any);
        }

        if (type == null && !intOrString && !preserveUnknown && out.get("enum") instanceof List<?> values && !values.isEmpty()) {
            type = inferType(values.get(0));
        }

        if (defaultValue != null) {
            // kubectl explain still tells the user what an absent key means.
            String said = "Default: " + (defaultValue instanceof String text ? text : io.fabric8.kubernetes.client.utils.Serialization.asJson(defaultValue)) + ".";
            Object description = out.get("description");
            out.put("description", description == null ? said : description + " " + said);
        }

        Map<String, Object> result = new LinkedHashMap<>();
        if (type != null) {
            result.put("type", type);
        } else if (intOrString) {
            result.put("x-kubernetes-int-or-string", true);
        } else {
            preserveUnknown = true;
        }
        if (preserveUnknown) {
            result.put("x-kubernetes-preserve-unknown-fields", true);
        }
        if (nullable) {
            result.put("nullable", true);
        }
        result.putAll(out);
        return result;
    }

    private static String inferType(Object value) {
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        if (value instanceof Integer || value instanceof Long) {
            return "integer";
        }
        if (value instanceof Number) {
            return "number";
        }
        return null;
    }

    private static String at(String path) {
        return path.isEmpty() ? "<root>" : path.substring(1);
    }
}
