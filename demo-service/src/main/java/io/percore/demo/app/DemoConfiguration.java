package io.percore.demo.app;

import io.percore.config.EngineConfig;
import io.percore.demo.DemoService;
import io.percore.demo.shard.ShardState;
import io.percore.engine.Engine;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Creates the engine from {@code percore.engine.*} and starts the demo on it. Temporary: when
 * the Percore starter exists it provides the {@link Engine} bean and this class keeps only the
 * demo service.
 */
@Configuration(proxyBeanMethods = false)
public class DemoConfiguration {

    @Bean
    @ConfigurationProperties("percore.engine")
    public EngineConfig percoreEngineConfig() {
        return new EngineConfig();
    }

    @Bean(destroyMethod = "close")
    public Engine percoreEngine(EngineConfig percoreEngineConfig) {
        return Engine.start(percoreEngineConfig);
    }

    @Bean(destroyMethod = "close")
    public DemoService demoService(Engine percoreEngine, DemoProperties properties) {
        return DemoService.start(percoreEngine, properties.toSettings());
    }

    /** UP while both servers listen; details: ports, shards, keys per shard. */
    @Bean
    public HealthIndicator demoHealthIndicator(DemoService demoService) {
        return () -> {
            if (demoService.respServer().isClosing() || demoService.httpServer().isClosing()) {
                return Health.down().withDetail("reason", "servers are shutting down").build();
            }
            List<ShardState.Snapshot> shards = demoService.keyspace().snapshots();
            return Health.up()
                    .withDetail("respPort", demoService.respPort())
                    .withDetail("httpPort", demoService.httpPort())
                    .withDetail("shards", shards.size())
                    .withDetail("keysPerShard", shards.stream().map(ShardState.Snapshot::keys).toList())
                    .build();
        };
    }
}
