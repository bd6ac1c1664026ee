package io.percore.spring.boot.autoconfigure.net;

import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ShardedServer;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

/** The {@link ShardedServerRegistry}, when net-pooling is on the class path. */
@AutoConfiguration(after = PercoreAutoConfiguration.class)
@ConditionalOnClass(ShardedServer.class)
@ConditionalOnBean({Engine.class, PercoreConfig.class})
public final class PercoreNetAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    ShardedServerRegistry percoreShardedServerRegistry(Engine engine, PercoreConfig config, Environment environment) {
        return new ShardedServerRegistry(engine, config, PercoreAutoConfiguration.drainTimeout(environment));
    }
}
