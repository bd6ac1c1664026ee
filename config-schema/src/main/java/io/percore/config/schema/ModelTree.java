package io.percore.config.schema;

import io.percore.config.DurationSyntax;
import io.percore.config.PropertyNames;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model object ({@code EngineConfig}, {@code PercoreConfig}, ...) as the plain tree its YAML
 * would be: kebab-case keys, kebab enum values, durations in {@link DurationSyntax}. Programmatic
 * configurations go through this so they meet the very schema and rules a YAML file meets, and the
 * operator renders a pod's configuration with it instead of spelling keys by hand.
 *
 * <p>An unset optional property is left out (the default applies); an unset required one
 * ({@code @NotNull}) is written as {@code null} so the schema reports it.
 */
public final class ModelTree {

    private ModelTree() {
    }

    /** The tree of one model object: a map of kebab-case keys to maps, lists, strings, numbers, booleans. */
    public static Map<String, Object> of(Object model) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Class<?> type = model.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                    continue;
                }
                Object value = read(field, model);
                if (value == null && !required(field)) {
                    continue;
                }
                out.put(PropertyNames.kebabCase(field.getName()), value(value));
            }
        }
        return out;
    }

    /**
     * The YAML key of a model property, checked against the model class: code that must name a
     * key (the operator laying planned values over a user's section) names the Java property and
     * fails at once if the model has no such property.
     *
     * @throws IllegalArgumentException if {@code model} has no field {@code javaProperty}
     */
    public static String key(Class<?> model, String javaProperty) {
        for (Class<?> type = model; type != null && type != Object.class; type = type.getSuperclass()) {
            for (Field field : type.getDeclaredFields()) {
                if (!Modifier.isStatic(field.getModifiers()) && field.getName().equals(javaProperty)) {
                    return PropertyNames.kebabCase(javaProperty);
                }
            }
        }
        throw new IllegalArgumentException(model.getSimpleName() + " has no property " + javaProperty);
    }

    private static boolean required(Field field) {
        return field.isAnnotationPresent(NotNull.class) || field.isAnnotationPresent(NotEmpty.class)
                || field.isAnnotationPresent(NotBlank.class);
    }

    private static Object value(Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Duration duration) {
            // A negative duration has no accepted spelling: its ISO form fails the schema's pattern.
            return duration.isNegative() ? duration.toString() : DurationSyntax.format(duration);
        }
        if (value instanceof Enum<?> constant) {
            return PropertyNames.enumValue(constant);
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(item -> out.add(value(item)));
            return out;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), value(v)));
            return out;
        }
        if (value.getClass().getPackageName().equals("io.percore.config")) {
            return of(value);
        }
        return value.toString();
    }

    private static Object read(Field field, Object model) {
        try {
            field.setAccessible(true);
            return field.get(model);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot read " + field, e);
        }
    }
}
