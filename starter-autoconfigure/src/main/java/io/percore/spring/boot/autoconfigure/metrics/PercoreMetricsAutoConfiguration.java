package io.percore.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer meters of the engine (per shard), the task latency probe and Netty's allocators,
 * when Micrometer is on the class path. Spring Boot's metrics auto-configuration binds every
 * {@code MeterBinder} bean to the application's registries, so these show up in
 * {@code /actuator/metrics} and {@code /actuator/prometheus}.
 */
@AutoConfiguration(after = PercoreAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean(Engine.class)
public final class PercoreMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    PercoreEngineMetrics percoreEngineMetrics(Engine engine) {
        return new PercoreEngineMetrics(engine);
    }

    @Bean
    @ConditionalOnMissingBean
    TaskLatencyProbe percoreTaskLatencyProbe(Engine engine) {
        return new TaskLatencyProbe(engine, TaskLatencyProbe.DEFAULT_PERIOD);
    }

    @Bean
    @ConditionalOnMissingBean
    PercoreNettyAllocatorMetrics percoreNettyAllocatorMetrics() {
        return new PercoreNettyAllocatorMetrics();
    }
}
