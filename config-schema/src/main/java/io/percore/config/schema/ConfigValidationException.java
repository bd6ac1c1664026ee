package io.percore.config.schema;

import java.util.List;

/** Thrown when a configuration has errors; carries all of them, not just the first. */
public class ConfigValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<ConfigError> errors;

    public ConfigValidationException(List<ConfigError> errors) {
        super(describe(errors));
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("a validation exception needs at least one error");
        }
        this.errors = List.copyOf(errors);
    }

    /** Throws when {@code errors} is not empty. */
    public static void throwIfAny(List<ConfigError> errors) {
        if (!errors.isEmpty()) {
            throw new ConfigValidationException(errors);
        }
    }

    public List<ConfigError> errors() {
        return errors;
    }

    private static String describe(List<ConfigError> errors) {
        StringBuilder out = new StringBuilder("Invalid Percore configuration (")
                .append(errors.size()).append(errors.size() == 1 ? " error):" : " errors):");
        for (ConfigError error : errors) {
            out.append("\n  - ").append(error.messageWithRule());
            if (error.suggestion() != null) {
                out.append("\n      ").append(error.suggestion());
            }
        }
        return out.toString();
    }
}
