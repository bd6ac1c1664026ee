package io.percore.spring.boot.autoconfigure.config;

import io.percore.config.schema.PercoreConfigSchema;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.context.properties.bind.PlaceholdersResolver;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Every {@code percore.*} property the application defines, from all of the Environment's
 * property sources (YAML, properties files, system properties, environment variables, test
 * properties), flattened to the keys {@code ConfigValidator.validateProperties} reads:
 * {@code percore.engine.task-quota=5ms}, {@code percore.engine.scheduling-groups[0].name=batch}.
 *
 * <p>Spring binds keys in relaxed forms ({@code taskQuota}, {@code task_quota}, and
 * {@code PERCORE_ENGINE_TASKQUOTA} from the environment, which loses the word boundaries); each
 * segment that matches a schema key in Spring's uniform form (lowercase, no dashes or
 * underscores) is rewritten to the schema's spelling, so exactly the keys Spring would bind are
 * accepted and everything else is reported as unknown. When several sources define a key, the
 * one Spring binds (highest precedence) wins. Values are read with their {@code ${...}}
 * placeholders resolved, as Spring binds them. Keys inside the application's own namespaces
 * ({@link PercoreApplicationNamespaces}, e.g. {@code percore.demo.*}) are left out: they are the
 * application's to bind and validate.
 */
public final class PercorePropertySnapshot {

    static final ConfigurationPropertyName ROOT = ConfigurationPropertyName.of("percore");

    private final Map<String, String> values;
    private final Map<String, String> origins;

    private PercorePropertySnapshot(Map<String, String> values, Map<String, String> origins) {
        this.values = Collections.unmodifiableMap(values);
        this.origins = Collections.unmodifiableMap(origins);
    }

    /** Reads the {@code percore.*} properties of {@code environment}. */
    public static PercorePropertySnapshot of(Environment environment) {
        JsonNode schema = PercoreConfigSchema.tree();
        PercoreApplicationNamespaces applicationNamespaces = PercoreApplicationNamespaces.of(environment);
        PlaceholdersResolver placeholders = environment instanceof ConfigurableEnvironment
                ? new PropertySourcesPlaceholdersResolver(environment) : PlaceholdersResolver.NONE;
        Map<String, String> values = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
            if (!(source instanceof IterableConfigurationPropertySource iterable)) {
                continue;
            }
            boolean environmentVariables = source.getUnderlyingSource() instanceof SystemEnvironmentPropertySource;
            iterable.stream().filter(name -> name.equals(ROOT) || ROOT.isAncestorOf(name))
                    .filter(name -> !applicationNamespaces.owns(name))
                    .filter(name -> !environmentVariables || isPercoreSection(name, schema)).forEach(name -> {
                ConfigurationProperty property = source.getConfigurationProperty(name);
                if (property == null || property.getValue() == null) {
                    return;
                }
                // What Spring will bind: ${...} resolved, as the Binder does.
                String value = String.valueOf(placeholders.resolvePlaceholders(property.getValue()));
                if (name.equals(ROOT) && value.isEmpty()) {
                    // "percore:" with nothing under it.
                    return;
                }
                String key = canonicalKey(name, schema);
                if (!values.containsKey(key)) {
                    values.put(key, value);
                    Origin origin = property.getOrigin();
                    if (origin != null) {
                        origins.put(key, origin.toString());
                    }
                }
            });
        }
        return new PercorePropertySnapshot(values, origins);
    }

    /**
     * Whether an environment variable names one of the schema's top-level sections. Variables
     * such as {@code PERCORE_HOME} or {@code PERCORE_JAR} share our prefix without being Percore
     * settings (scripts set them), so only {@code PERCORE_ENGINE_*}, {@code PERCORE_SERVERS_*},
     * ... are checked; within a section a misspelling is still an error.
     */
    private static boolean isPercoreSection(ConfigurationPropertyName name, JsonNode rootSchema) {
        if (name.getNumberOfElements() < 2) {
            return false;
        }
        String section = name.getElement(1, ConfigurationPropertyName.Form.UNIFORM);
        for (String key : rootSchema.get("properties").propertyNames()) {
            if (key.replace("-", "").equals(section)) {
                return true;
            }
        }
        return false;
    }

    /** Flattened {@code percore.*} keys and their values as text. */
    public Map<String, String> values() {
        return values;
    }

    /** Where each key was defined ({@code class path resource [application.yml] - 3:14}), when known. */
    public Map<String, String> origins() {
        return origins;
    }

    /** The key as the schema spells it, e.g. {@code percore.engine.scheduling-groups[0].name}. */
    static String canonicalKey(ConfigurationPropertyName name, JsonNode rootSchema) {
        StringBuilder key = new StringBuilder("percore");
        JsonNode schema = rootSchema;
        for (int i = 1; i < name.getNumberOfElements(); i++) {
            if (name.isNumericIndex(i)) {
                key.append('[').append(name.getElement(i, Form.ORIGINAL)).append(']');
                schema = schema == null ? null : schema.get("items");
                continue;
            }
            String element = name.getElement(i, Form.ORIGINAL);
            JsonNode properties = schema == null ? null : schema.get("properties");
            JsonNode additional = schema == null ? null : schema.get("additionalProperties");
            String resolved = element;
            JsonNode next = null;
            if (properties != null && properties.isObject()) {
                String uniform = uniform(element);
                for (Map.Entry<String, JsonNode> known : properties.properties()) {
                    if (uniform(known.getKey()).equals(uniform)) {
                        resolved = known.getKey();
                        next = known.getValue();
                        break;
                    }
                }
            } else if (additional != null && additional.isObject()) {
                // A map key (server or client name): data, kept as written.
                next = additional;
            }
            if (element.indexOf('.') >= 0) {
                key.append('[').append(resolved).append(']');
            } else {
                key.append('.').append(resolved);
            }
            schema = next;
        }
        return key.toString();
    }

    private static String uniform(String element) {
        StringBuilder out = new StringBuilder(element.length());
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c != '-' && c != '_') {
                out.append(Character.toLowerCase(c));
            }
        }
        return out.toString().toLowerCase(Locale.ROOT);
    }
}
