package io.percore.spring.boot.autoconfigure.readme;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import java.util.HashMap;
import java.util.Map;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(name = "percore.enabled", matchIfMissing = true) // no Engine bean when off
class CacheConfiguration {

    @Bean
    Sharded<Map<String, String>> caches(Engine engine) {
        return PercoreSharded.of(engine, shard -> new HashMap<>()); // one map per shard, built on it
    }

    @Bean
    CacheReader cacheReader(Engine engine, Sharded<Map<String, String>> caches) {
        return new CacheReader(engine, caches);
    }
}
