package io.percore.config;

import java.util.Locale;

/**
 * The canonical spelling of keys and enum values in YAML and properties files: lowercase
 * kebab-case ({@code task-quota}, {@code io-uring}). Spring's relaxed binding maps these onto
 * the camelCase fields and UPPER_SNAKE enum constants of the model; the schema and the docs
 * only use this form.
 */
public final class PropertyNames {

    private PropertyNames() {
    }

    /**
     * {@code taskQuota}, {@code task_quota}, {@code TASK_QUOTA} and {@code task-quota} all become
     * {@code task-quota}.
     */
    public static String kebabCase(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '_' || c == '-') {
                if (out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                    out.append('-');
                }
            } else if (Character.isUpperCase(c)) {
                boolean prevLower = i > 0 && (Character.isLowerCase(name.charAt(i - 1)) || Character.isDigit(name.charAt(i - 1)));
                if (prevLower && out.length() > 0 && out.charAt(out.length() - 1) != '-') {
                    out.append('-');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code IO_URING} becomes {@code io-uring}. */
    public static String enumValue(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
