package io.percore.config.schema;

import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
import io.percore.config.DurationSyntax;
import io.percore.config.PercoreConfig;
import io.percore.config.PropertyNames;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;

/** Turns a networknt schema error into a {@link ConfigError} with Percore's wording. */
final class ErrorTranslator {

    private final JsonNode rootSchema;
    private final KnownKeys knownKeys;

    ErrorTranslator(JsonNode rootSchema) {
        this.rootSchema = rootSchema;
        this.knownKeys = new KnownKeys(rootSchema);
    }

    ConfigError translate(Error error, JsonNode document) {
        PropertyPath path = toPath(error.getInstanceLocation());
        JsonNode instance = error.getInstanceNode();
        String keyword = error.getKeyword();
        JsonNode schemaValue = error.getSchemaNode();
        Object[] args = error.getArguments() == null ? new Object[0] : error.getArguments();
        return switch (keyword) {
            case "additionalProperties" -> unknownKey(path, error.getProperty(), instance);
            case "propertyNames" -> badName(path, error.getProperty());
            case "minimum" -> simple(path, instance, keyword, "is below the minimum of " + number(schemaValue));
            case "maximum" -> simple(path, instance, keyword, "is above the maximum of " + number(schemaValue));
            case "exclusiveMinimum" -> simple(path, instance, keyword, "must be greater than " + number(schemaValue));
            case "exclusiveMaximum" -> simple(path, instance, keyword, "must be less than " + number(schemaValue));
            case "type" -> wrongType(path, instance);
            case "enum" -> notInEnum(path, instance, schemaValue);
            case "pattern" -> noMatch(path, instance, schemaValue);
            case "minItems" -> simple(path, instance, keyword, "has " + instance.size() + " item(s) but needs at least " + number(schemaValue));
            case "maxItems" -> simple(path, instance, keyword, "has " + instance.size() + " items but at most " + number(schemaValue) + " are allowed");
            case "minLength" -> simple(path, instance, keyword, schemaValue.asInt() == 1 ? "must not be empty"
                    : "is shorter than " + number(schemaValue) + " characters");
            case "maxLength" -> simple(path, instance, keyword, "is longer than " + number(schemaValue) + " characters");
            case "maxProperties" -> simple(path, instance, keyword, "has " + instance.size() + " entries but at most " + number(schemaValue) + " are allowed");
            case "required" -> new ConfigError(path.key(String.valueOf(args.length > 0 ? args[0] : error.getProperty())).toString(),
                    null, keyword, path.key(String.valueOf(error.getProperty())) + " is required", null);
            default -> new ConfigError(path.toString(), ValueText.of(instance), keyword, path + ": " + ValueText.quoted(instance) + " "
                    + error.getMessage(), null);
        };
    }

    static PropertyPath toPath(NodePath location) {
        List<Object> segments = new ArrayList<>();
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            segments.add(element instanceof Integer index ? index : String.valueOf(element));
        }
        return PropertyPath.of(segments);
    }

    private static ConfigError simple(PropertyPath path, JsonNode instance, String rule, String complaint) {
        return new ConfigError(path.toString(), ValueText.of(instance), rule, path + ": " + ValueText.quoted(instance) + " " + complaint, null);
    }

    private ConfigError unknownKey(PropertyPath parent, String key, JsonNode parentInstance) {
        PropertyPath path = parent.key(key);
        JsonNode value = parentInstance == null ? null : parentInstance.get(key);
        JsonNode parentSchema = SubSchemas.at(rootSchema, parent);
        List<String> siblings = SubSchemas.propertyNames(parentSchema);
        String nearest = NearestKey.nearest(key, siblings);
        String elsewhere = knownKeys.whereElse(key);
        String fragmentOf = NearestKey.containing(key, siblings);
        String suggestion;
        if (nearest != null) {
            suggestion = "did you mean `" + nearest + "`?";
        } else if (elsewhere != null) {
            suggestion = "`" + key + "` is a key of " + elsewhere + ", not of " + parent;
        } else if (fragmentOf != null) {
            suggestion = "did you mean `" + fragmentOf + "`?";
        } else {
            suggestion = siblings.isEmpty() ? null : "known keys here: " + String.join(", ", siblings);
        }
        return new ConfigError(path.toString(), ValueText.of(value), "additionalProperties",
                path + ": unknown key `" + key + "` (not allowed by additionalProperties)", suggestion);
    }

    private static ConfigError badName(PropertyPath parent, String name) {
        PropertyPath path = parent.key(name);
        String fixed = PropertyNames.kebabCase(name).replaceAll("[^a-z0-9-]", "-");
        return new ConfigError(path.toString(), name, "propertyNames",
                path + ": the name `" + name + "` is not " + SchemaPatterns.hint(PercoreConfig.NAME_PATTERN) + " (propertyNames)",
                fixed.matches(PercoreConfig.NAME_PATTERN) ? "did you mean `" + fixed + "`?" : null);
    }

    private ConfigError wrongType(PropertyPath path, JsonNode instance) {
        JsonNode schema = SubSchemas.at(rootSchema, path);
        List<String> types = SubSchemas.types(schema);
        String expected;
        if (schema != null && schema.has("pattern") && DurationSyntax.PATTERN.equals(schema.get("pattern").asString())) {
            expected = DurationSyntax.HINT;
        } else if (schema != null && schema.has("enum")) {
            expected = "one of " + enumList(schema.get("enum"));
        } else {
            expected = types.isEmpty() ? "another type" : String.join(" or ", types.stream().map(ErrorTranslator::article).toList());
        }
        String found = instance == null || instance.isNull() ? "is empty" : "is " + article(ValueText.jsonType(instance));
        return new ConfigError(path.toString(), ValueText.of(instance), "type",
                path + ": " + ValueText.quoted(instance) + " " + found + ", expected " + expected + " (type)", null);
    }

    private static ConfigError notInEnum(PropertyPath path, JsonNode instance, JsonNode allowed) {
        List<String> values = new ArrayList<>();
        allowed.forEach(v -> values.add(v.asString()));
        String typed = instance.isString() ? instance.asString() : instance.toString();
        String nearest = NearestKey.nearest(typed, values);
        return new ConfigError(path.toString(), ValueText.of(instance), "enum",
                path + ": " + ValueText.quoted(instance) + " is not one of " + enumList(allowed) + " (enum)",
                nearest == null ? null : "did you mean `" + nearest + "`?");
    }

    private static ConfigError noMatch(PropertyPath path, JsonNode instance, JsonNode pattern) {
        String regex = pattern.asString();
        String hint = SchemaPatterns.hint(regex);
        String complaint = hint != null ? "is not " + hint + " (pattern)" : "does not match the pattern " + regex;
        return new ConfigError(path.toString(), ValueText.of(instance), "pattern", path + ": " + ValueText.quoted(instance) + " " + complaint, null);
    }

    private static String enumList(JsonNode values) {
        List<String> out = new ArrayList<>();
        values.forEach(v -> out.add(v.asString()));
        return String.join(", ", out);
    }

    private static String number(JsonNode node) {
        if (node == null) {
            return "?";
        }
        if (node.isNumber() && !node.isIntegralNumber() && node.decimalValue().stripTrailingZeros().scale() <= 0) {
            return node.decimalValue().stripTrailingZeros().toPlainString();
        }
        return node.asString();
    }

    private static String article(String type) {
        return switch (type) {
            case "integer", "object", "array" -> "an " + type;
            case "null" -> "empty";
            default -> "a " + type;
        };
    }
}
