package io.percore.operator.config;

import io.percore.config.schema.ConfigError;
import io.percore.config.schema.ConfigValidator;
import java.util.List;
import java.util.Map;

/**
 * {@link ConfigCheck} backed by config-schema's {@link ConfigValidator}: the same schema and
 * rules the application applies at startup, so a config the operator accepts is one the pods
 * accept. Catches what the CRD's structural schema cannot express (RE2-incompatible patterns,
 * minimum durations, cross-field rules, nearest-key suggestions).
 */
public final class SchemaConfigCheck implements ConfigCheck {

    private static final String PREFIX = "percore.";

    private final ConfigValidator validator = new ConfigValidator();

    @Override
    public List<ConfigProblem> check(Map<String, Object> percoreSection) {
        return validator.validateTree(percoreSection).stream().map(SchemaConfigCheck::toProblem).toList();
    }

    private static ConfigProblem toProblem(ConfigError error) {
        String path = error.path() == null ? "" : error.path();
        String inSpec = "spec.config" + (path.startsWith(PREFIX) ? "." + path.substring(PREFIX.length()) : path.equals("percore") ? "" : "." + path);
        return new ConfigProblem(inSpec, error.toString());
    }
}
