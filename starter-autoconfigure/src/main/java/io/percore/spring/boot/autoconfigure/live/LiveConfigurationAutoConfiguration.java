package io.percore.spring.boot.autoconfigure.live;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.engine.topology.HostTopology;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.metrics.PercoreMeterNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.logging.LoggerGroups;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * The live configuration ({@code percore.config-reload.*}): the {@code percore.*} settings marked
 * "changes live", Spring Boot's {@code logging.level.*}, and whatever the application's own
 * {@link LiveConfigurationParticipant} beans take.
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class,
        afterName = "io.percore.spring.boot.autoconfigure.net.PercoreNetAutoConfiguration")
@ConditionalOnBean({Engine.class, PercoreConfig.class})
public final class LiveConfigurationAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    LiveConfiguration percoreLiveConfiguration(ConfigurableEnvironment environment, ApplicationContext context, PercoreConfig config,
                                               Engine engine, ObjectProvider<HostTopology> topology, ObjectProvider<PercoreLiveTarget> targets,
                                               ObjectProvider<LiveConfigurationParticipant> participants, ObjectProvider<LoggingSystem> logging,
                                               ObjectProvider<LoggerGroups> loggerGroups) {
        List<LiveConfigurationParticipant> all = new ArrayList<>();
        all.add(new PercoreSettings(config, engine, topology.getIfAvailable(HostTopology::detect), targets.orderedStream().toList()));
        LoggingSystem loggingSystem = logging.getIfAvailable();
        if (loggingSystem != null) {
            all.add(new LogLevels(loggingSystem, loggerGroups.getIfAvailable(), environment));
        }
        participants.orderedStream().forEach(all::add);
        return new LiveConfiguration(environment, context, all, config.getConfigReload().isEnabled(), config.getConfigReload().getInterval());
    }

    /** {@code percore.config.reloads}, by outcome: alert on {@code refused}, a configuration the pods did not take. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterRegistry.class)
    static final class LiveConfigurationMetrics {

        @Bean
        MeterBinder percoreLiveConfigurationMeters(LiveConfiguration live) {
            return registry -> {
                for (LiveConfiguration.Outcome outcome : LiveConfiguration.Outcome.values()) {
                    FunctionCounter.builder(PercoreMeterNames.CONFIG_RELOADS, live, l -> l.count(outcome))
                            .description("Changes of the configuration files seen while running, by outcome")
                            .tag("outcome", outcome.name().toLowerCase(Locale.ROOT).replace('_', '-'))
                            .register(registry);
                }
            };
        }
    }
}
