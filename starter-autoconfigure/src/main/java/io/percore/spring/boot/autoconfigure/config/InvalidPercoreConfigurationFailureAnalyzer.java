package io.percore.spring.boot.autoconfigure.config;

import io.percore.config.schema.ConfigError;
import io.percore.config.schema.ConfigValidationException;
import java.util.Map;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns an invalid Percore configuration into Spring Boot's startup failure report: one entry
 * per error with the property, the value, the broken rule, the suggestion and where the
 * property was defined.
 */
public final class InvalidPercoreConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigValidationException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, ConfigValidationException cause) {
        Map<String, String> origins = cause instanceof InvalidPercoreConfigurationException invalid ? invalid.origins() : Map.of();
        StringBuilder description = new StringBuilder("The Percore configuration has ")
                .append(cause.errors().size()).append(cause.errors().size() == 1 ? " error" : " errors")
                .append("; no shard was started.\n");
        for (ConfigError error : cause.errors()) {
            description.append("\n    Property: ").append(error.path());
            if (error.value() != null) {
                description.append("\n    Value:    ").append(error.value());
            }
            String origin = origins.get(error.path());
            if (origin != null) {
                description.append("\n    Origin:   ").append(origin);
            }
            description.append("\n    Rule:     ").append(error.rule());
            description.append("\n    Reason:   ").append(error.message());
            if (error.suggestion() != null) {
                description.append("\n    Fix:      ").append(error.suggestion());
            }
            description.append('\n');
        }
        String action = "Correct the percore.* properties listed above. Every key, its type, default and allowed values "
                + "are in docs/configuration.md and in the JSON Schema io/percore/config/percore-config.schema.json "
                + "(your IDE completes percore.* keys from the starter's configuration metadata).";
        return new FailureAnalysis(description.toString(), action, cause);
    }
}
