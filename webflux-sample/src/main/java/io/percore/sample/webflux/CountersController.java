package io.percore.sample.webflux;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * {@code POST /counters/{key}} adds one to the key's count and answers the new count; {@code GET}
 * reads it. Keys are 1 to 64 characters of {@code [A-Za-z0-9:_-]} (anything else is a 404). On the
 * shards the counts are {@link ShardedKeyCounts}; on Spring Boot's own server
 * ({@code percore.web.enabled=false}) {@link ConcurrentKeyCounts}.
 */
@RestController
class CountersController {

    private final KeyCounts counts;

    CountersController(KeyCounts counts) {
        this.counts = counts;
    }

    @PostMapping("/counters/{key:[A-Za-z0-9:_-]{1,64}}")
    Mono<String> increment(@PathVariable String key) {
        return counts.increment(key).map(String::valueOf);
    }

    @GetMapping("/counters/{key:[A-Za-z0-9:_-]{1,64}}")
    Mono<String> get(@PathVariable String key) {
        return counts.get(key).map(String::valueOf);
    }

    @ExceptionHandler(KeyCounts.TooManyKeys.class)
    @ResponseStatus(HttpStatus.INSUFFICIENT_STORAGE)
    String tooManyKeys(KeyCounts.TooManyKeys e) {
        return e.getMessage();
    }

    @Configuration(proxyBeanMethods = false)
    static class Counts {

        @Bean
        @ConditionalOnBooleanProperty(name = "percore.web.enabled", matchIfMissing = true)
        Sharded<ShardedKeyCounts.ShardCounts> shardCounts(Engine engine) {
            return PercoreSharded.of(engine, shard -> new ShardedKeyCounts.ShardCounts());
        }

        @Bean
        @ConditionalOnBooleanProperty(name = "percore.web.enabled", matchIfMissing = true)
        KeyCounts shardedKeyCounts(Engine engine, Sharded<ShardedKeyCounts.ShardCounts> shardCounts) {
            return new ShardedKeyCounts(engine, shardCounts);
        }

        @Bean
        @ConditionalOnBooleanProperty(name = "percore.web.enabled", havingValue = false)
        KeyCounts concurrentKeyCounts() {
            return new ConcurrentKeyCounts();
        }
    }
}
