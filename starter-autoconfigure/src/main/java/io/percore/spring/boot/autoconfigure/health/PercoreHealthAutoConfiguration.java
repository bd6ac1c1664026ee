package io.percore.spring.boot.autoconfigure.health;

import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code percore} health indicator (when spring-boot-health is present and
 * {@code management.health.percore.enabled} is not false), added to the readiness and liveness groups.
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class,
        afterName = "org.springframework.boot.health.autoconfigure.actuate.endpoint.AvailabilityProbesAutoConfiguration")
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(Engine.class)
@ConditionalOnEnabledHealthIndicator("percore")
@EnableConfigurationProperties(PercoreHealthProperties.class)
public final class PercoreHealthAutoConfiguration {

    /** The indicator's name in /actuator/health: the bean name minus "HealthIndicator". */
    public static final String INDICATOR_NAME = "percore";

    @Bean(name = INDICATOR_NAME + "HealthIndicator")
    @ConditionalOnMissingBean(name = INDICATOR_NAME + "HealthIndicator")
    PercoreHealthIndicator percoreHealthIndicator(Engine engine, PercoreHealthProperties properties) {
        return new PercoreHealthIndicator(engine, properties.getStallMultiplier());
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor",
            "org.springframework.boot.actuate.endpoint.SecurityContext"})
    @ConditionalOnBooleanProperty(name = "management.health.percore.readiness", matchIfMissing = true)
    static final class ReadinessGroupConfiguration {

        @Bean
        static PercoreReadinessGroupPostProcessor percoreReadinessGroupPostProcessor() {
            return new PercoreReadinessGroupPostProcessor(INDICATOR_NAME);
        }
    }

    /**
     * The indicator in the {@code liveness} group too: a shard that has not turned for
     * {@code stall-threshold × stall-multiplier} makes liveness DOWN, so Kubernetes restarts a
     * pod whose shard stays stuck (after the probe's failure threshold; a passing stall does not).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = {"org.springframework.boot.health.actuate.endpoint.HealthEndpointGroupsPostProcessor",
            "org.springframework.boot.actuate.endpoint.SecurityContext"})
    @ConditionalOnBooleanProperty(name = "management.health.percore.liveness", matchIfMissing = true)
    static final class LivenessGroupConfiguration {

        @Bean
        static PercoreReadinessGroupPostProcessor percoreLivenessGroupPostProcessor() {
            return new PercoreReadinessGroupPostProcessor(INDICATOR_NAME, PercoreReadinessGroupPostProcessor.LIVENESS);
        }
    }
}
