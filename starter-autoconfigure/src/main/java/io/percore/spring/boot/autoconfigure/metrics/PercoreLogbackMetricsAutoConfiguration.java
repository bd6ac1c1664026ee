package io.percore.spring.boot.autoconfigure.metrics;

import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.logging.LogbackMetrics;
import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Spring Boot's {@code logback.events} without the turbo filter that taxes every level check on the shards
 * ({@link LogbackEventMetrics}): bound before Boot's {@code LogbackMetricsAutoConfiguration}, which then backs off. An
 * application's own {@link LogbackMetrics} bean still wins.
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class,
        afterName = {"org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"},
        beforeName = "org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration")
@ConditionalOnClass({MeterRegistry.class, LogbackMetrics.class, LoggerContext.class, LoggerFactory.class})
@ConditionalOnBean({Engine.class, MeterRegistry.class})
@Conditional(PercoreLogbackMetricsAutoConfiguration.LogbackLogging.class)
public final class PercoreLogbackMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean(LogbackMetrics.class)
    LogbackEventMetrics percoreLogbackEventMetrics() {
        return new LogbackEventMetrics((LoggerContext) LoggerFactory.getILoggerFactory());
    }

    /** Logback on the class path but another SLF4J binding in use: nothing to count. */
    static final class LogbackLogging extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return LoggerFactory.getILoggerFactory() instanceof LoggerContext
                    ? ConditionOutcome.match("SLF4J is bound to Logback")
                    : ConditionOutcome.noMatch("SLF4J is not bound to Logback");
        }
    }
}
