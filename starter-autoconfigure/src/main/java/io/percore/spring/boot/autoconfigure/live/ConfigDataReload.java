package io.percore.spring.boot.autoconfigure.live;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.springframework.boot.bootstrap.DefaultBootstrapContext;
import org.springframework.boot.context.config.ConfigDataEnvironmentPostProcessor;
import org.springframework.boot.context.config.ConfigDataEnvironmentUpdateListener;
import org.springframework.boot.context.config.ConfigDataLocation;
import org.springframework.boot.context.config.ConfigDataResource;
import org.springframework.boot.context.config.StandardConfigDataResource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.ConfigTreePropertySource;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.core.io.ResourceLoader;

/**
 * The application's environment as it would be if it started now: the same command line, system
 * properties, environment variables and test properties as the running one, and its configuration
 * data ({@code application.yml}, {@code spring.config.location}/{@code additional-location},
 * profiles, imports) read again by Spring Boot's own {@link ConfigDataEnvironmentPostProcessor},
 * so a reload sees exactly what a restart would. Also which files that data came from: those are
 * what the live configuration watches.
 */
final class ConfigDataReload {

    /** The new environment, and the files its configuration data was read from. */
    record Result(ConfigurableEnvironment environment, List<Path> files) {
    }

    private ConfigDataReload() {
    }

    static Result load(ConfigurableEnvironment running, ResourceLoader loader) {
        StandardEnvironment fresh = new StandardEnvironment();
        MutablePropertySources sources = fresh.getPropertySources();
        for (String name : sources.stream().map(PropertySource::getName).toList()) {
            sources.remove(name);
        }
        for (PropertySource<?> source : running.getPropertySources()) {
            if (!isConfigData(source) && !ConfigurationPropertySources.isAttachedConfigurationPropertySource(source)) {
                sources.addLast(source);
            }
        }
        ConfigurationPropertySources.attach(fresh);
        Set<Path> files = new LinkedHashSet<>();
        ConfigDataEnvironmentUpdateListener listener = new ConfigDataEnvironmentUpdateListener() {
            @Override
            public void onPropertySourceAdded(PropertySource<?> propertySource, ConfigDataLocation location, ConfigDataResource resource) {
                Path file = fileOf(resource);
                if (file != null) {
                    files.add(file);
                }
            }
        };
        ConfigDataEnvironmentPostProcessor.applyTo(fresh, loader, new DefaultBootstrapContext(), List.of(), listener);
        return new Result(fresh, new ArrayList<>(files));
    }

    /** What Spring Boot's configuration data loaders add: the files and config trees read at start. */
    private static boolean isConfigData(PropertySource<?> source) {
        return source instanceof ConfigTreePropertySource
                || (source instanceof OriginTrackedMapPropertySource && source.getName().startsWith("Config resource '"));
    }

    /**
     * The file of a resource read from the file system. Class-path configuration is part of the
     * application as built (even where the class path is a directory), not a file to change under it.
     */
    private static Path fileOf(ConfigDataResource resource) {
        if (!(resource instanceof StandardConfigDataResource standard) || standard.getResource() instanceof ClassPathResource) {
            return null;
        }
        Resource r = standard.getResource();
        try {
            return r.isFile() ? r.getFile().toPath() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
