package io.percore.config.schema;

import tools.jackson.databind.JsonNode;

/** How values appear in error messages. */
final class ValueText {

    private static final int MAX = 200;

    private ValueText() {
    }

    /** Raw text of a scalar, compact JSON of an object or list, {@code null} for no value. */
    static String of(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        String text = node.isValueNode() ? node.asString() : node.toString();
        return text.length() > MAX ? text.substring(0, MAX) + "..." : text;
    }

    /** As {@link #of}, with strings in double quotes so {@code "5"} and {@code 5} differ. */
    static String quoted(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return "(no value)";
        }
        String text = of(node);
        return node.isString() ? '"' + text + '"' : text;
    }

    static String jsonType(JsonNode node) {
        if (node == null || node.isNull()) {
            return "null";
        }
        if (node.isString()) {
            return "string";
        }
        if (node.isIntegralNumber()) {
            return "integer";
        }
        if (node.isNumber()) {
            return "number";
        }
        if (node.isBoolean()) {
            return "boolean";
        }
        if (node.isArray()) {
            return "array";
        }
        return node.isObject() ? "object" : node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
