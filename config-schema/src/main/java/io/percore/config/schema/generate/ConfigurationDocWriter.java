package io.percore.config.schema.generate;

import io.percore.config.DurationSyntax;
import io.percore.config.schema.PercoreConfigSchema;
import io.percore.config.schema.SchemaPatterns;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * Renders {@code docs/configuration.md}, the configuration reference, from the JSON Schema:
 * one section per object, one table row per property (key, type, default, constraints,
 * description). Works from the schema alone, so the docs can never say something the
 * validator does not enforce.
 */
public final class ConfigurationDocWriter {

    private ConfigurationDocWriter() {
    }

    /** The whole Markdown document, ending with a newline. */
    public static String render(JsonNode schema) {
        StringBuilder out = new StringBuilder();
        out.append("# Percore configuration reference\n\n");
        out.append("<!-- Generated from the configuration model in config-schema by ConfigurationDocWriter. Do not edit by hand:\n");
        out.append("     run config-schema/regenerate.sh (see config-schema/README.md). A test fails when this file is stale. -->\n\n");
        out.append("Every key lives under `percore:` in `application.yml`, or is written flattened as a property\n");
        out.append("(`percore.engine.task-quota=5ms`). Keys are kebab-case. Spring also binds camelCase (and so does the validator for flattened\n");
        out.append("properties), but in YAML the schema, the operator and the Helm chart accept only the kebab-case form shown\n");
        out.append("here. Unknown keys are errors.\n\n");
        out.append("- **duration**: ").append(DurationSyntax.HINT).append(".\n");
        out.append("- **enum** values are lowercase kebab-case (`overprovisioned`, `io-uring`, `round-robin`).\n");
        out.append("- `<name>` stands for a server or client name you choose: lowercase letters, digits and dashes, starting with a letter.\n");
        out.append("- Rules beyond the table, checked by the validator: scheduling-group names are unique; CPU-list ranges ascend\n");
        out.append("  and list each CPU once; `ring-capacity` is a power of two; a client needs `endpoints` with static or dns\n");
        out.append("  discovery and `discovery.service-name` with kubernetes discovery; a health-check `timeout` is shorter than its `interval`.\n");
        out.append("- **Changes live**: a running application takes a new value of these keys when its configuration file changes,\n");
        out.append("  through the same validator ([Live configuration in an app](how-to/live-configuration-in-an-app.md)); a change of any other key needs a restart.\n");
        out.append("\nThe machine-readable form is the JSON Schema `").append(PercoreConfigSchema.RESOURCE)
                .append("` in the `percore-config-schema` jar\n(checked in as `config-schema/src/main/schema/percore-config.schema.json`).\n");
        section(out, "percore", schema);
        return out.toString();
    }

    private static void section(StringBuilder out, String path, JsonNode objectSchema) {
        JsonNode properties = objectSchema.get("properties");
        if (properties == null) {
            return;
        }
        out.append("\n## `").append(path).append("`\n\n");
        if (objectSchema.has("description") && !path.equals("percore")) {
            out.append(objectSchema.get("description").asString()).append("\n\n");
        }
        out.append("| key | type | default | constraints | description |\n");
        out.append("|---|---|---|---|---|\n");
        List<Runnable> subsections = new ArrayList<>();
        properties.properties().forEach(entry -> {
            String key = path + "." + entry.getKey();
            JsonNode property = entry.getValue();
            out.append("| `").append(key).append("` | ")
                    .append(cell(type(property))).append(" | ")
                    .append(cell(defaultValue(property))).append(" | ")
                    .append(cell(constraints(property))).append(" | ")
                    .append(cell(property.path("description").asString("")
                            + (property.path(PercoreConfigSchema.LIVE_KEYWORD).asBoolean(false) ? " **Changes live** (no restart)." : "")))
                    .append(" |\n");
            JsonNode items = property.get("items");
            JsonNode values = property.get("additionalProperties");
            if (property.has("properties")) {
                subsections.add(() -> section(out, key, property));
            } else if (items != null && items.has("properties")) {
                subsections.add(() -> section(out, key + "[i]", describedAs(items, property)));
            } else if (values != null && values.isObject() && values.has("properties")) {
                subsections.add(() -> section(out, key + ".<name>", describedAs(values, property)));
            }
        });
        subsections.forEach(Runnable::run);
    }

    private static JsonNode describedAs(JsonNode schema, JsonNode owner) {
        var copy = (tools.jackson.databind.node.ObjectNode) schema.deepCopy();
        if (!copy.has("description") && owner.has("description")) {
            copy.set("description", owner.get("description"));
        }
        return copy;
    }

    private static String type(JsonNode property) {
        if (isDuration(property)) {
            return "duration";
        }
        if (property.has("enum")) {
            return "enum";
        }
        String type = property.path("type").asString("");
        if (type.equals("array")) {
            JsonNode items = property.path("items");
            return items.has("properties") ? "list of objects" : "list of " + type(items);
        }
        if (type.equals("object") && property.path("additionalProperties").isObject()) {
            return "map of name to object";
        }
        return type;
    }

    private static boolean isDuration(JsonNode property) {
        return DurationSyntax.PATTERN.equals(property.path("pattern").asString(""));
    }

    private static String defaultValue(JsonNode property) {
        JsonNode value = property.get("default");
        if (value == null) {
            return "";
        }
        String text = value.isString() ? value.asString() : value.toString();
        return "`" + text + "`";
    }

    private static String constraints(JsonNode property) {
        List<String> parts = new ArrayList<>();
        if (property.has("enum")) {
            List<String> values = new ArrayList<>();
            property.get("enum").forEach(v -> values.add("`" + v.asString() + "`"));
            parts.add("one of " + String.join(", ", values));
        }
        range(parts, property, "minimum", "maximum", "");
        if (isDuration(property)) {
            if (property.has(PercoreConfigSchema.MINIMUM_DURATION_KEYWORD)) {
                parts.add("at least " + property.get(PercoreConfigSchema.MINIMUM_DURATION_KEYWORD).asString());
            }
            if (property.has(PercoreConfigSchema.MAXIMUM_DURATION_KEYWORD)) {
                parts.add("at most " + property.get(PercoreConfigSchema.MAXIMUM_DURATION_KEYWORD).asString());
            }
        } else if (property.has("pattern")) {
            parts.add(patternText(property.get("pattern").asString()));
        }
        range(parts, property, "minLength", "maxLength", " characters");
        range(parts, property, "minItems", "maxItems", " items");
        JsonNode items = property.get("items");
        if (items != null && items.has("pattern")) {
            parts.add("each " + patternText(items.get("pattern").asString()));
        }
        if (property.has("propertyNames") && property.get("propertyNames").has("pattern")) {
            parts.add("names: " + patternText(property.get("propertyNames").get("pattern").asString()));
        }
        if (property.has("maxProperties")) {
            parts.add("at most " + property.get("maxProperties").asString() + " entries");
        }
        return String.join("; ", parts);
    }

    private static void range(List<String> parts, JsonNode property, String minKey, String maxKey, String unit) {
        // Durations carry minimum 0 only for their integer (milliseconds) form; "at least" covers them.
        if (isDuration(property)) {
            return;
        }
        JsonNode min = property.get(minKey);
        JsonNode max = property.get(maxKey);
        if (min != null && max != null) {
            parts.add(number(min) + ".." + number(max) + unit);
        } else if (min != null) {
            parts.add("at least " + number(min) + unit);
        } else if (max != null) {
            parts.add("at most " + number(max) + unit);
        }
    }

    private static String number(JsonNode node) {
        return node.isNumber() ? node.decimalValue().stripTrailingZeros().toPlainString() : node.asString();
    }

    private static String patternText(String regex) {
        String hint = SchemaPatterns.hint(regex);
        return hint != null ? hint : "matches `" + regex + "`";
    }

    /** Markdown table cells cannot hold pipes or newlines. */
    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
