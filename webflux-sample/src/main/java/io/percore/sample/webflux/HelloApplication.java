package io.percore.sample.webflux;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The example of docs/how-to/webflux-on-the-shards.md: handlers on the shards, a {@code Sharded<T>} reached locally.
 * {@code /} and {@code /json} touch no shard state, so the same application also runs on Spring Boot's own server
 * ({@code percore.web.enabled=false}) for benchmarks/run-webflux.sh. Its WebSocket feed is {@link FeedConfiguration}.
 */
@SpringBootApplication
public class HelloApplication {

    record Counter(int shard, AtomicLong hits) { }

    @Bean
    Sharded<Counter> counters(Engine engine) {
        return PercoreSharded.of(engine, shard -> new Counter(shard, new AtomicLong()));
    }

    @RestController
    static class Hello {
        private final Sharded<Counter> counters;
        Hello(Sharded<Counter> counters) { this.counters = counters; }

        @GetMapping("/")
        String hello() {   // runs on percore-shard-N
            return "Hello, World!";
        }

        @GetMapping("/hits")
        String hits() {    // this shard's own Counter: no lock, no hop
            Counter mine = counters.local();
            return "shard " + mine.shard() + ": " + mine.hits().incrementAndGet() + " hits";
        }

        @GetMapping("/json")
        Map<String, String> json() {
            return Map.of("message", "Hello, World!");
        }
    }

    public static void main(String[] args) { SpringApplication.run(HelloApplication.class, args); }
}
