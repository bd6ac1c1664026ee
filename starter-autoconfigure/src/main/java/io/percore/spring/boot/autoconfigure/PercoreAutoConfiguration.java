package io.percore.spring.boot.autoconfigure;

import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.EngineSettings;
import io.percore.config.schema.HostRejectedSettingException;
import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.engine.topology.HostTopology;
import io.percore.engine.topology.ShardPlacement;
import io.percore.engine.topology.ShardPlanner;
import io.percore.spring.boot.autoconfigure.config.InvalidPercoreConfigurationException;
import io.percore.spring.boot.autoconfigure.config.PercoreConfigurationValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.validation.annotation.Validated;

/**
 * Boots the Percore engine inside a Spring Boot application from the {@code percore.*}
 * properties: validates them (all errors at once, before any shard starts), plans the shards on
 * the detected host topology, starts the engine, and stops it after the web server on shutdown.
 * {@code percore.enabled=false} turns everything off; an application's own {@link Engine},
 * {@link HostTopology} or {@link PercoreConfig} bean replaces the starter's.
 */
@AutoConfiguration
@ConditionalOnBooleanProperty(name = "percore.enabled", matchIfMissing = true)
@EnableConfigurationProperties
public final class PercoreAutoConfiguration {

    /** Margin kept from the per-phase timeout so the engine's drain ends before Spring gives up. */
    private static final double DRAIN_SHARE_OF_PHASE_TIMEOUT = 0.9;

    @Bean
    @ConditionalOnMissingBean
    HostTopology percoreHostTopology() {
        return HostTopology.detect();
    }

    /**
     * The bound configuration. The environment is validated first (schema, unknown keys,
     * constraints, topology), so binding, which would ignore unknown keys and stop at the first
     * bad value, only ever sees a valid configuration.
     */
    @Bean
    @ConditionalOnMissingBean
    @ConfigurationProperties("percore")
    @Validated
    PercoreConfig percoreConfig(Environment environment, HostTopology topology) {
        try (ValidatorFactory factory = Validation.byDefaultProvider().configure()
                .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory()) {
            Validator validator = factory.getValidator();
            // Spring binds the same environment again (@ConfigurationProperties), which also
            // lists the bean in /actuator/configprops; returning the validated copy keeps the
            // configuration right even where the binding post-processor is absent.
            return new PercoreConfigurationValidator(validator).validate(environment, topology);
        }
    }

    @Bean
    @ConditionalOnMissingBean
    ShardPlacement percoreShardPlacement(HostTopology topology, EngineSettings settings) {
        return ShardPlanner.plan(topology, settings);
    }

    /** The engine settings the validator hands out; the engine and the planner take them as they are. */
    @Bean
    @ConditionalOnMissingBean
    EngineSettings percoreEngineSettings(PercoreConfig config) {
        return ConfigValidator.shared().validatedEngine(config.getEngine());
    }

    /** Started here, so the engine runs before any lifecycle bean (the web server) starts. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    Engine percoreEngine(EngineSettings settings, ShardPlacement placement) {
        try {
            return Engine.start(settings, placement);
        } catch (HostRejectedSettingException e) {
            // Problems only this host reveals (an unavailable transport, a CPU that cannot be pinned).
            throw new InvalidPercoreConfigurationException(List.of(e.error()), Map.of());
        }
    }

    /** Replaces the engine's default fatal-error handler (halt) with: liveness BROKEN, then a bounded exit. */
    @Bean
    @ConditionalOnMissingBean
    PercoreFatalErrorExit percoreFatalErrorExit(Engine engine, ApplicationEventPublisher events) {
        return new PercoreFatalErrorExit(engine, events);
    }

    @Bean
    @ConditionalOnMissingBean
    PercoreEngineLifecycle percoreEngineLifecycle(Engine engine, Environment environment) {
        return new PercoreEngineLifecycle(engine, drainTimeout(environment));
    }

    @Bean
    @ConditionalOnMissingBean
    static ShardedServiceRegistry percoreShardedServiceRegistry(Environment environment) {
        return new ShardedServiceRegistry(drainTimeout(environment));
    }

    /** {@code spring.lifecycle.timeout-per-shutdown-phase} (default 30 s) less a margin, so a drain ends inside the phase. */
    public static Duration drainTimeout(Environment environment) {
        Duration phase = Binder.get(environment).bind("spring.lifecycle.timeout-per-shutdown-phase", Duration.class)
                .orElse(Duration.ofSeconds(30));
        return Duration.ofNanos((long) (phase.toNanos() * DRAIN_SHARE_OF_PHASE_TIMEOUT));
    }
}
