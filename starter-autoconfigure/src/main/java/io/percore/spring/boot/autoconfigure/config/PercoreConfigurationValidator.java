package io.percore.spring.boot.autoconfigure.config;

import io.percore.config.PercoreConfig;
import io.percore.config.PropertyNames;
import io.percore.config.schema.ConfigError;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.HostRejectedSettingException;
import io.percore.engine.topology.HostTopology;
import io.percore.engine.topology.ShardPlanner;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;

/**
 * Checks the {@code percore.*} configuration of an application before anything starts, and
 * reports every problem at once: the JSON Schema and model rules of config-schema (types,
 * ranges, patterns, unknown keys with the nearest known key, CPU lists, unique scheduling
 * groups), the Jakarta constraints of the bound {@link PercoreConfig}, and whether the host can
 * run the engine as configured (shard count versus usable CPUs, CPUs outside the affinity).
 *
 * <p>Later checks need a bindable model, so they only run when the schema found nothing.
 */
public final class PercoreConfigurationValidator {

    /** Topology problems are named by the engine's planner as {@code percore.engine.x=value ...}. */

    private static volatile ConfigValidator sharedSchemaValidator;

    private final Validator beanValidator;

    public PercoreConfigurationValidator(Validator beanValidator) {
        this.beanValidator = beanValidator;
    }

    /**
     * Validates the environment's {@code percore.*} properties.
     *
     * @throws InvalidPercoreConfigurationException listing every error found
     */
    public PercoreConfig validate(Environment environment, HostTopology topology) {
        PercorePropertySnapshot snapshot = PercorePropertySnapshot.of(environment);
        List<ConfigError> errors = new ArrayList<>(schemaValidator().validateProperties(snapshot.values()));
        PercoreConfig bound = null;
        if (errors.isEmpty()) {
            try {
                bound = Binder.get(environment).bind("percore", Bindable.of(PercoreConfig.class)).orElseGet(PercoreConfig::new);
            } catch (BindException e) {
                Throwable cause = e.getCause() != null ? e.getCause() : e;
                errors.add(new ConfigError(e.getProperty() != null ? e.getProperty().getName().toString() : e.getName().toString(),
                        e.getProperty() != null ? String.valueOf(e.getProperty().getValue()) : null, "binding",
                        e.getName() + ": " + cause.getMessage() + " (binding)", null));
            }
        }
        if (bound != null) {
            errors.addAll(constraintErrors(bound));
        }
        if (bound != null && errors.isEmpty() && bound.isEnabled()) {
            errors.addAll(topologyErrors(bound, topology));
        }
        if (!errors.isEmpty()) {
            throw new InvalidPercoreConfigurationException(errors, snapshot.origins());
        }
        return bound;
    }

    private List<ConfigError> constraintErrors(PercoreConfig config) {
        List<ConfigError> errors = new ArrayList<>();
        for (ConstraintViolation<PercoreConfig> violation : beanValidator.validate(config)) {
            String path = propertyPath(violation.getPropertyPath());
            String rule = violation.getConstraintDescriptor().getAnnotation().annotationType().getSimpleName();
            String value = violation.getInvalidValue() == null ? null : String.valueOf(violation.getInvalidValue());
            errors.add(new ConfigError(path, value, rule,
                    path + ": " + (value == null ? "(empty)" : "'" + value + "'") + " " + violation.getMessage() + " (" + rule + ")", null));
        }
        errors.sort(java.util.Comparator.comparing(ConfigError::path));
        return errors;
    }

    /** {@code engine.schedulingGroups[0].name} as {@code percore.engine.scheduling-groups[0].name}. */
    static String propertyPath(Path path) {
        StringBuilder out = new StringBuilder("percore");
        for (Path.Node node : path) {
            if (node.getName() == null) {
                continue;
            }
            out.append('.').append(PropertyNames.kebabCase(node.getName()));
            if (node.getIndex() != null) {
                out.append('[').append(node.getIndex()).append(']');
            } else if (node.getKey() != null) {
                out.append('.').append(node.getKey());
            }
        }
        return out.toString();
    }

    private static List<ConfigError> topologyErrors(PercoreConfig config, HostTopology topology) {
        try {
            ShardPlanner.plan(topology, config.getEngine());
            return List.of();
        } catch (HostRejectedSettingException e) {
            return List.of(e.error());
        }
    }

    private static ConfigValidator schemaValidator() {
        ConfigValidator v = sharedSchemaValidator;
        if (v == null) {
            // Compiling the schema takes a while; one validator serves every context in the JVM.
            v = new ConfigValidator();
            sharedSchemaValidator = v;
        }
        return v;
    }
}
