package io.percore.spring.boot.autoconfigure.config;

import io.percore.config.schema.ConfigError;
import io.percore.config.schema.ConfigValidationException;
import java.util.List;
import java.util.Map;

/**
 * The application's {@code percore.*} configuration has errors; thrown at startup before any
 * shard is started, and reported by {@link InvalidPercoreConfigurationFailureAnalyzer}.
 */
public class InvalidPercoreConfigurationException extends ConfigValidationException {

    private static final long serialVersionUID = 1L;

    private final transient Map<String, String> origins;

    public InvalidPercoreConfigurationException(List<ConfigError> errors, Map<String, String> origins) {
        super(errors);
        this.origins = Map.copyOf(origins);
    }

    /** Where each property was defined, by property path, when Spring knows it. */
    public Map<String, String> origins() {
        return origins;
    }
}
