package io.percore.config.schema.generate;

import com.fasterxml.classmate.ResolvedType;
import com.github.victools.jsonschema.generator.CustomDefinition;
import com.github.victools.jsonschema.generator.FieldScope;
import com.github.victools.jsonschema.generator.Option;
import com.github.victools.jsonschema.generator.OptionPreset;
import com.github.victools.jsonschema.generator.SchemaGenerator;
import com.github.victools.jsonschema.generator.SchemaGeneratorConfigBuilder;
import com.github.victools.jsonschema.generator.SchemaVersion;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationModule;
import com.github.victools.jsonschema.module.jakarta.validation.JakartaValidationOption;
import io.percore.config.DurationMax;
import io.percore.config.DurationMin;
import io.percore.config.DurationSyntax;
import io.percore.config.LiveChange;
import io.percore.config.PercoreConfig;
import io.percore.config.PropertyDescription;
import io.percore.config.PropertyNames;
import io.percore.config.schema.PercoreConfigSchema;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Generates the Percore JSON Schema (draft 2020-12) from the {@link PercoreConfig} class tree
 * with victools: property names in kebab-case, {@code description} from
 * {@link PropertyDescription}, {@code default} from the field initializers, constraints from
 * Jakarta Validation, everything inlined (no {@code $ref}) and {@code additionalProperties:
 * false} on every object so that unknown keys are errors.
 *
 * <p>Build-time only: victools is an optional dependency; run time reads the packaged copy
 * through {@link PercoreConfigSchema}.
 */
public final class PercoreSchemaGenerator {

    /** Stable identifier of the schema document. */
    public static final String SCHEMA_ID = "https://percore.io/schemas/percore-config.schema.json";

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private PercoreSchemaGenerator() {
    }

    /** The schema of the content under {@code percore:}, freshly generated from the model. */
    public static ObjectNode generate() {
        SchemaGeneratorConfigBuilder builder = new SchemaGeneratorConfigBuilder(MAPPER, SchemaVersion.DRAFT_2020_12, OptionPreset.PLAIN_JSON)
                .with(Option.INLINE_ALL_SCHEMAS, Option.FORBIDDEN_ADDITIONAL_PROPERTIES_BY_DEFAULT, Option.MAP_VALUES_AS_ADDITIONAL_PROPERTIES)
                .without(Option.ADDITIONAL_FIXED_TYPES, Option.PUBLIC_STATIC_FIELDS, Option.NONPUBLIC_STATIC_FIELDS,
                        Option.VALUES_FROM_CONSTANT_FIELDS, Option.NULLABLE_FIELDS_BY_DEFAULT)
                .with(new JakartaValidationModule(JakartaValidationOption.INCLUDE_PATTERN_EXPRESSIONS));

        // Keep declaration order: it is the reading order of the model, the docs and the schema.
        builder.forTypesInGeneral()
                .withPropertySorter((a, b) -> 0)
                .withCustomDefinitionProvider((type, context) -> customDefinition(type));
        builder.forFields()
                .withIgnoreCheck(field -> field.isStatic() || field.isTransient())
                .withPropertyNameOverrideResolver(field -> PropertyNames.kebabCase(field.getDeclaredName()))
                .withDescriptionResolver(field -> description(field))
                .withDefaultResolver(PercoreSchemaGenerator::defaultValue)
                .withInstanceAttributeOverride((node, field, context) -> extraKeywords(node, field));

        ObjectNode generated = new SchemaGenerator(builder.build()).generateSchema(PercoreConfig.class);

        // Put the identifying keywords first so the file reads well.
        ObjectNode root = MAPPER.createObjectNode();
        root.set("$schema", generated.get("$schema"));
        root.put("$id", SCHEMA_ID);
        root.put("title", "Percore configuration");
        PropertyDescription rootDescription = PercoreConfig.class.getAnnotation(PropertyDescription.class);
        root.put("description", rootDescription != null ? rootDescription.value()
                : "Configuration of Percore, the content under the percore: key of application.yml.");
        generated.properties().forEach(entry -> {
            if (!root.has(entry.getKey())) {
                root.set(entry.getKey(), entry.getValue());
            }
        });
        return (ObjectNode) tidy(root);
    }

    /** Keywords in reading order; the rest follow in generation order, sub-schemas last. */
    private static final List<String> KEY_ORDER = List.of("$schema", "$id", "title", "description", "type", "enum", "default");
    private static final List<String> KEYS_LAST = List.of("propertyNames", "properties", "items", "additionalProperties");

    /**
     * victools describes a map-typed member as an {@code allOf} of the type's schema and the
     * member's attributes; both halves say the same about the map values, so merge them into
     * one object (a plain schema reads better and suits Kubernetes structural schemas). Then
     * order the keywords so every property reads type, description, default, constraints.
     */
    private static JsonNode tidy(JsonNode node) {
        if (node.isArray()) {
            var array = MAPPER.createArrayNode();
            node.forEach(item -> array.add(tidy(item)));
            return array;
        }
        if (!node.isObject()) {
            return node;
        }
        ObjectNode merged = MAPPER.createObjectNode();
        node.properties().forEach(e -> {
            if (!e.getKey().equals("allOf")) {
                merged.set(e.getKey(), e.getValue());
            }
        });
        JsonNode allOf = node.get("allOf");
        if (allOf != null) {
            for (JsonNode part : allOf) {
                part.properties().forEach(e -> {
                    JsonNode existing = merged.get(e.getKey());
                    if (existing != null && !existing.equals(e.getValue())) {
                        throw new IllegalStateException("cannot merge allOf: conflicting '" + e.getKey() + "' in " + node);
                    }
                    merged.set(e.getKey(), e.getValue());
                });
            }
        }
        ObjectNode ordered = MAPPER.createObjectNode();
        for (String key : KEY_ORDER) {
            if (merged.has(key) && !(merged.get(key).isObject() && key.equals("default"))) {
                ordered.set(key, tidy(merged.get(key)));
            }
        }
        merged.properties().forEach(e -> {
            if (!ordered.has(e.getKey()) && !KEYS_LAST.contains(e.getKey())) {
                ordered.set(e.getKey(), e.getKey().equals("default") ? e.getValue() : tidy(e.getValue()));
            }
        });
        for (String key : KEYS_LAST) {
            JsonNode value = merged.get(key);
            if (value == null) {
                continue;
            }
            if (key.equals("properties")) {
                // property names are data here, not keywords: keep their order, tidy each schema
                ObjectNode props = MAPPER.createObjectNode();
                value.properties().forEach(p -> props.set(p.getKey(), tidy(p.getValue())));
                ordered.set(key, props);
            } else {
                ordered.set(key, tidy(value));
            }
        }
        return ordered;
    }

    /** Schema text as written to files: two-space pretty JSON with a trailing newline. */
    public static String generateText() {
        return SchemaText.render(generate());
    }

    private static CustomDefinition customDefinition(ResolvedType type) {
        Class<?> raw = type.getErasedType();
        if (raw == Duration.class) {
            ObjectNode node = MAPPER.createObjectNode();
            // Spring binds a plain number to a Duration as milliseconds, hence the integer.
            node.putArray("type").add("string").add("integer");
            node.put("pattern", DurationSyntax.PATTERN);
            node.put("minimum", 0);
            return new CustomDefinition(node, CustomDefinition.DefinitionType.INLINE, CustomDefinition.AttributeInclusion.YES);
        }
        if (raw.isEnum()) {
            ObjectNode node = MAPPER.createObjectNode();
            node.put("type", "string");
            var values = node.putArray("enum");
            for (Object constant : raw.getEnumConstants()) {
                values.add(PropertyNames.enumValue((Enum<?>) constant));
            }
            return new CustomDefinition(node, CustomDefinition.DefinitionType.INLINE, CustomDefinition.AttributeInclusion.YES);
        }
        return null;
    }

    private static String description(FieldScope field) {
        if (field.isFakeContainerItemScope()) {
            return null;
        }
        PropertyDescription description = field.getAnnotationConsideringFieldAndGetter(PropertyDescription.class);
        return description == null ? null : description.value();
    }

    private static void extraKeywords(ObjectNode node, FieldScope field) {
        if (field.isFakeContainerItemScope()) {
            return;
        }
        if (Map.class.isAssignableFrom(field.getType().getErasedType())) {
            node.putObject("propertyNames").put("pattern", PercoreConfig.NAME_PATTERN);
        }
        if (field.getAnnotationConsideringFieldAndGetter(LiveChange.class) != null) {
            node.put(PercoreConfigSchema.LIVE_KEYWORD, true);
        }
        DurationMin min = field.getAnnotationConsideringFieldAndGetter(DurationMin.class);
        if (min != null) {
            DurationSyntax.parse(min.value()); // fail the build on a malformed bound
            node.put(PercoreConfigSchema.MINIMUM_DURATION_KEYWORD, min.value());
        }
        DurationMax max = field.getAnnotationConsideringFieldAndGetter(DurationMax.class);
        if (max != null) {
            DurationSyntax.parse(max.value()).toNanos(); // fail the build on a malformed or overflowing bound
            node.put(PercoreConfigSchema.MAXIMUM_DURATION_KEYWORD, max.value());
        }
    }

    private static Object defaultValue(FieldScope field) {
        if (field.isFakeContainerItemScope()) {
            return null;
        }
        Field raw = field.getRawMember();
        Object value = read(raw, instantiate(raw.getDeclaringClass()));
        if (value == null || value instanceof Map || isConfigBean(value.getClass())) {
            // Nested objects carry their defaults on their own properties; maps start empty.
            return null;
        }
        return toYamlValue(value);
    }

    private static Object toYamlValue(Object value) {
        if (value instanceof Duration duration) {
            return DurationSyntax.format(duration);
        }
        if (value instanceof Enum<?> constant) {
            return PropertyNames.enumValue(constant);
        }
        if (value instanceof Collection<?> collection) {
            List<Object> items = new ArrayList<>();
            for (Object item : collection) {
                items.add(toYamlValue(item));
            }
            return items;
        }
        if (value != null && isConfigBean(value.getClass())) {
            Map<String, Object> properties = new LinkedHashMap<>();
            for (Field f : value.getClass().getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    Object v = read(f, value);
                    if (v != null) {
                        properties.put(PropertyNames.kebabCase(f.getName()), toYamlValue(v));
                    }
                }
            }
            return properties;
        }
        return value;
    }

    private static boolean isConfigBean(Class<?> type) {
        return type.getPackageName().equals(PercoreConfig.class.getPackageName()) && !type.isEnum();
    }

    private static Object instantiate(Class<?> type) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(type.getName() + " needs a public no-arg constructor to provide defaults", e);
        }
    }

    private static Object read(Field field, Object instance) {
        try {
            field.setAccessible(true);
            return field.get(instance);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read default of " + field, e);
        }
    }
}
