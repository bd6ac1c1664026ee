package io.percore.demo.app;

import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import io.percore.config.schema.ConfigError;
import io.percore.demo.DemoService;
import io.percore.demo.admin.ConfigCommands;
import io.percore.spring.boot.autoconfigure.live.LiveConfigurationParticipant;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.UnboundConfigurationPropertiesException;
import org.springframework.boot.context.properties.bind.handler.NoUnboundElementsBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.core.env.Environment;
import org.springframework.validation.BeanPropertyBindingResult;
import org.springframework.validation.FieldError;

/**
 * The demo's {@code percore.demo.*} in the starter's live configuration: a key that is one of
 * Redis's CONFIG parameters ({@code maxmemory}, {@code maxmemory-policy}, {@code requirepass},
 * {@code save}, {@code appendfsync} ...) changes live exactly as {@code CONFIG SET} would change it,
 * with CONFIG SET's checks and error text; every other key (the persistence mode and files, the
 * protocol's array and inline limits, the HTTP limits, {@code replicaof}, {@code databases}) needs a restart. The new
 * properties are bound and validated as at start first (unknown keys and bad values refuse the
 * change, naming the key).
 */
final class DemoLiveConfiguration implements LiveConfigurationParticipant {

    /** The {@code percore.demo.*} keys that set Redis CONFIG parameters live, and the parameter each sets (the CONFIG table's). */
    static final Map<String, String> PARAMETERS = ConfigCommands.properties();

    private static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("percore.demo");

    private final DemoService service;
    private final PercoreConfig percore;
    private final Validator validator;
    /** The CONFIG parameters' texts of the keys applied last ({@link DemoProperties#configTexts()}). */
    private Map<String, String> appliedTexts;
    private Map<String, String> appliedKeys;

    DemoLiveConfiguration(DemoService service, PercoreConfig percore, DemoProperties started, Environment startedWith, Validator validator) {
        this.service = service;
        this.percore = percore;
        this.validator = validator;
        this.appliedTexts = started.configTexts();
        this.appliedKeys = keys(startedWith);
    }

    @Override
    public Proposal propose(Environment next) {
        Map<String, String> keys = keys(next);
        List<String> changed = new ArrayList<>();
        for (String key : union(appliedKeys.keySet(), keys.keySet())) {
            if (!Objects.equals(appliedKeys.get(key), keys.get(key))) {
                changed.add(key);
            }
        }
        if (changed.isEmpty()) {
            return Proposal.none();
        }
        DemoProperties properties = new DemoProperties();
        try {
            // unknown keys are errors, except in system properties and environment variables (as Spring's own binding of
            // @ConfigurationProperties(ignoreUnknownFields = false): a build's -Dpercore.demo.x is no configuration mistake)
            Binder.get(next).bind("percore.demo", Bindable.ofInstance(properties),
                    new NoUnboundElementsBindHandler(org.springframework.boot.context.properties.bind.BindHandler.DEFAULT,
                            source -> !(source.getUnderlyingSource() instanceof org.springframework.core.env.PropertySource<?> ps)
                                    || !(ps.getName().equals(org.springframework.core.env.StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME)
                                    || ps.getName().equals(org.springframework.core.env.StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME))));
        } catch (BindException e) {
            if (e.getCause() instanceof UnboundConfigurationPropertiesException unbound) {
                return Proposal.refused(unbound.getUnboundProperties().stream().map(p -> new ConfigError(p.getName().toString(),
                        String.valueOf(p.getValue()), "unknown-key", p.getName() + ": no such key of percore.demo (unknown-key)", null)).toList());
            }
            String key = e.getProperty() != null ? e.getProperty().getName().toString() : e.getName().toString();
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return Proposal.refused(List.of(new ConfigError(key, e.getProperty() == null ? null : String.valueOf(e.getProperty().getValue()),
                    "binding", key + ": " + cause.getMessage() + " (binding)", null)));
        }
        List<ConfigError> errors = new ArrayList<>();
        for (ConstraintViolation<DemoProperties> v : validator.validate(properties)) {
            String key = key(v.getPropertyPath().toString());
            String rule = v.getConstraintDescriptor().getAnnotation().annotationType().getSimpleName();
            errors.add(new ConfigError(key, String.valueOf(v.getInvalidValue()), rule, key + ": " + v.getMessage() + " (" + rule + ")", null));
        }
        // the keys that are CONFIG parameters, read by the CONFIG table as at start
        BeanPropertyBindingResult table = new BeanPropertyBindingResult(properties, "percore.demo");
        properties.validate(properties, table);
        for (FieldError f : table.getFieldErrors()) {
            String key = key(f.getField());
            errors.add(new ConfigError(key, keys.get(key), "redis-config", key + ": " + f.getDefaultMessage() + " (redis-config)", null));
        }
        if (!errors.isEmpty()) {
            return Proposal.refused(errors);
        }
        try {
            properties.toSettings(server(DemoService.RESP_SERVER), server(DemoService.HTTP_SERVER));
        } catch (IllegalArgumentException e) {
            return Proposal.refused(List.of(new ConfigError("percore.demo", null, "binding", e.getMessage(), null)));
        }
        Map<String, String> before = appliedTexts;
        Map<String, String> after = properties.configTexts();
        Map<String, String> set = new LinkedHashMap<>();
        List<String> live = new ArrayList<>();
        List<String> restart = new ArrayList<>();
        for (String key : changed) {
            String parameter = PARAMETERS.get(key);
            if (parameter == null) {
                restart.add(key);
            } else {
                live.add(key);
                if (!Objects.equals(before.get(key), after.get(key))) {
                    set.put(parameter, after.get(key));
                }
            }
        }
        String refusal = set.isEmpty() ? null : service.checkConfig(set);
        if (refusal != null) {
            String key = live.get(0);
            return Proposal.refused(List.of(new ConfigError(key, keys.get(key), "redis-config", key + ": " + refusal + " (redis-config)", null)));
        }
        return new Proposal(List.of(), live, restart, () -> {
            if (!set.isEmpty()) {
                service.setConfig(set);
            }
            appliedTexts = after;
            appliedKeys = keys;
        });
    }

    /** The key of the bean's {@code path}: {@code replication.replTimeout} is {@code percore.demo.replication.repl-timeout}. */
    private static String key(String path) {
        return "percore.demo." + path.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private ServerConfig server(String name) {
        ServerConfig config = percore.getServers().get(name);
        return config != null ? config : new ServerConfig();
    }

    /** The {@code percore.demo.*} keys of {@code environment} and their values as written (highest precedence first). */
    static Map<String, String> keys(Environment environment) {
        Map<String, String> keys = new LinkedHashMap<>();
        ConfigurationPropertySources.get(environment).forEach(source -> {
            if (source instanceof IterableConfigurationPropertySource iterable) {
                iterable.stream().filter(ROOT::isAncestorOf).forEach(name -> {
                    var property = source.getConfigurationProperty(name);
                    if (property != null && property.getValue() != null) {
                        keys.putIfAbsent(name.toString(), String.valueOf(property.getValue()));
                    }
                });
            }
        });
        return keys;
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        java.util.Set<String> all = new java.util.TreeSet<>(a);
        all.addAll(b);
        return new ArrayList<>(all);
    }
}
