package io.percore.spring.boot.autoconfigure.config;

import io.percore.config.schema.PercoreConfigSchema;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Sub-trees of {@code percore.*} that belong to the application rather than to the schema: a
 * {@code @ConfigurationProperties("percore.<name>")} bean of the application claims
 * {@code percore.<name>.*} when {@code <name>} is not one of the schema's top-level keys
 * ({@code enabled}, {@code engine}, {@code servers}, {@code clients}). The starter's validator
 * leaves those keys to the application's own binding (declare the bean with
 * {@code ignoreUnknownFields = false} and {@code @Validated} to keep typos and bad values fatal),
 * and still validates every other {@code percore.*} key, so a misspelled {@code percore.engin}
 * is an error while {@code percore.demo.resp.requirepass} is the demo's.
 *
 * <p>A bean that binds a schema-owned prefix ({@code percore.engine}, {@code percore}) claims
 * nothing: those keys stay the schema's.
 *
 * <p>The claims are found from the bean definitions (no bean is created) by
 * {@link PercoreApplicationNamespacesInitializer}, and handed to the validator through the
 * Environment, the only thing it is given.
 */
public final class PercoreApplicationNamespaces {

    /** Name of the property source that carries the claims; it exposes no properties. */
    public static final String PROPERTY_SOURCE_NAME = "percoreApplicationNamespaces";

    private static final PercoreApplicationNamespaces NONE = new PercoreApplicationNamespaces(Set.of());

    private final Set<ConfigurationPropertyName> prefixes;

    private PercoreApplicationNamespaces(Set<ConfigurationPropertyName> prefixes) {
        this.prefixes = prefixes;
    }

    /**
     * The namespaces among {@code prefixes}: those under {@code percore.} outside the schema's
     * top-level keys; others are dropped.
     */
    public static PercoreApplicationNamespaces of(Collection<String> prefixes) {
        JsonNode schemaKeys = PercoreConfigSchema.tree().get("properties");
        Set<ConfigurationPropertyName> owned = new LinkedHashSet<>();
        for (String prefix : prefixes) {
            ConfigurationPropertyName name = ConfigurationPropertyName.ofIfValid(prefix);
            if (name == null || name.getNumberOfElements() < 2 || !PercorePropertySnapshot.ROOT.isAncestorOf(name)) {
                continue;
            }
            boolean schemaOwned = false;
            for (Map.Entry<String, JsonNode> known : schemaKeys.properties()) {
                ConfigurationPropertyName schemaKey = ConfigurationPropertyName.of("percore." + known.getKey());
                if (schemaKey.equals(name) || schemaKey.isAncestorOf(name)) {
                    schemaOwned = true;
                    break;
                }
            }
            if (!schemaOwned) {
                owned.add(name);
            }
        }
        return owned.isEmpty() ? NONE : new PercoreApplicationNamespaces(Set.copyOf(owned));
    }

    /** The namespaces recorded in {@code environment}; none if nothing was recorded. */
    public static PercoreApplicationNamespaces of(Environment environment) {
        if (environment instanceof ConfigurableEnvironment configurable
                && configurable.getPropertySources().get(PROPERTY_SOURCE_NAME) instanceof Carrier carrier) {
            return carrier.getSource();
        }
        return NONE;
    }

    /**
     * Finds the {@code @ConfigurationProperties} prefixes of the bean definitions in
     * {@code beanFactory} (class-level or on {@code @Bean} methods) and records the namespaces
     * among them in {@code environment}, replacing an earlier record.
     */
    public static PercoreApplicationNamespaces detect(ConfigurableListableBeanFactory beanFactory,
                                                      ConfigurableEnvironment environment) {
        List<String> prefixes = new ArrayList<>();
        for (String beanName : beanFactory.getBeanDefinitionNames()) {
            String prefix = factoryMethodPrefix(beanFactory.getBeanDefinition(beanName));
            if (prefix == null) {
                try {
                    // false: never create a FactoryBean just to learn its type.
                    ConfigurationProperties annotation = beanFactory.findAnnotationOnBean(beanName, ConfigurationProperties.class, false);
                    prefix = annotation == null ? null : annotation.prefix();
                } catch (RuntimeException | LinkageError e) {
                    // A bean whose type cannot be resolved here cannot be a properties bean we could honour.
                }
            }
            if (prefix != null) {
                prefixes.add(prefix);
            }
        }
        PercoreApplicationNamespaces namespaces = of(prefixes);
        environment.getPropertySources().remove(PROPERTY_SOURCE_NAME);
        environment.getPropertySources().addLast(new Carrier(namespaces));
        return namespaces;
    }

    /** The prefix of {@code @Bean @ConfigurationProperties("...")}, read from metadata without loading classes. */
    private static String factoryMethodPrefix(BeanDefinition definition) {
        if (definition instanceof AnnotatedBeanDefinition annotated && annotated.getFactoryMethodMetadata() != null) {
            MergedAnnotation<ConfigurationProperties> annotation =
                    annotated.getFactoryMethodMetadata().getAnnotations().get(ConfigurationProperties.class);
            if (annotation.isPresent()) {
                return annotation.getString("prefix");
            }
        }
        return null;
    }

    /** Whether {@code name} is one of the namespaces or lies inside one. */
    public boolean owns(ConfigurationPropertyName name) {
        for (ConfigurationPropertyName prefix : prefixes) {
            if (prefix.equals(name) || prefix.isAncestorOf(name)) {
                return true;
            }
        }
        return false;
    }

    /** The namespaces, e.g. {@code [percore.demo]}, sorted. */
    public Set<String> prefixes() {
        Set<String> out = new TreeSet<>();
        prefixes.forEach(p -> out.add(p.toString()));
        return out;
    }

    @Override
    public String toString() {
        return prefixes().toString();
    }

    /** Holds the namespaces in the Environment without adding any property to it. */
    private static final class Carrier extends PropertySource<PercoreApplicationNamespaces> {

        Carrier(PercoreApplicationNamespaces namespaces) {
            super(PROPERTY_SOURCE_NAME, namespaces);
        }

        @Override
        public Object getProperty(String name) {
            return null;
        }
    }
}
