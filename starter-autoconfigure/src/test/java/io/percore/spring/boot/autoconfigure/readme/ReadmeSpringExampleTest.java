package io.percore.spring.boot.autoconfigure.readme;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The Spring example of the documentation site's docs/getting-started/spring-boot.md, compiled and run: {@link Caches} and
 * {@link CacheReader} are the page's code, imports included. If this test has to change, the
 * page changes with it.
 */
class ReadmeSpringExampleTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withUserConfiguration(Caches.class)
            .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned");

    // --- README code begins ---
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = "percore.enabled", matchIfMissing = true) // no Engine bean when off
    static class Caches {

        @Bean
        Sharded<Map<String, String>> caches(Engine engine) {
            return PercoreSharded.of(engine, shard -> new HashMap<>()); // one map per shard, built on it
        }

        @Bean
        CacheReader cacheReader(Engine engine, Sharded<Map<String, String>> caches) {
            return new CacheReader(engine, caches);
        }
    }

    record CacheReader(Engine engine, Sharded<Map<String, String>> caches) {

        int ownerOf(String key) {
            return Math.floorMod(key.hashCode(), engine.shardCount());
        }

        // From a Spring thread: run on the shard that owns the key, get the answer back.
        CompletableFuture<String> get(String key) {
            return caches.fromOutside().invokeOn(ownerOf(key), cache -> cache.get(key));
        }

        CompletableFuture<String> put(String key, String value) {
            return caches.fromOutside().invokeOn(ownerOf(key), cache -> cache.put(key, value));
        }
        // On a shard, caches.invokeOn(...) returns a ShardFuture that completes on the calling shard.
    }
    // --- README code ends ---

    @Test
    void theReadmeExampleRunsOnTheOwningShard() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            CacheReader reader = context.getBean(CacheReader.class);
            reader.put("greeting", "hello").join();
            assertThat(reader.get("greeting").join()).isEqualTo("hello");
            int owner = reader.ownerOf("greeting");
            assertThat(reader.caches().fromOutside().invokeOn(owner, cache -> Shard.current().id()).join()).isEqualTo(owner);
            assertThat(reader.caches().fromOutside().invokeOn(1 - owner, cache -> cache.containsKey("greeting")).join()).isFalse();
        });
    }

    @Test
    void withPercoreDisabledTheExampleStepsAsideInsteadOfFailingStartup() {
        runner.withPropertyValues("percore.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Engine.class).doesNotHaveBean(CacheReader.class));
    }
}
