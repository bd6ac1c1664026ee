package io.percore.sample.webflux;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import io.percore.spring.boot.autoconfigure.web.WebSocketBroadcast;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;
import org.springframework.web.bind.annotation.RestController;

/**
 * The example of docs/how-to/webflux-on-the-shards.md: handlers on the shards, a {@code Sharded<T>} reached
 * locally. {@code /} and {@code /json} touch no shard state, so the same application also runs
 * on Spring Boot's own server ({@code percore.web.enabled=false}) for benchmarks/run-webflux.sh.
 * {@code /ws/feed} is a WebSocket that gets every message {@code POST /broadcast} publishes (the
 * starter's {@link WebSocketBroadcast}: per shard on the shards, one set of sessions on Spring
 * Boot's server), what benchmarks/run-websocket.sh fans out.
 */
@SpringBootApplication
public class HelloApplication {

    record Counter(int shard, AtomicLong hits) { }

    @Bean
    Sharded<Counter> counters(Engine engine) {
        return PercoreSharded.of(engine, shard -> new Counter(shard, new AtomicLong()));
    }

    /** Each session may fall 1024 messages behind its socket before it is closed as a slow consumer. */
    @Bean
    WebSocketBroadcast feed(Engine engine) {
        return new WebSocketBroadcast(engine, 1024);
    }

    @Bean
    HandlerMapping webSockets(WebSocketBroadcast feed) {
        return new SimpleUrlHandlerMapping(Map.of("/ws/feed", (WebSocketHandler) feed::join), -1);
    }

    @RestController
    static class Feed {
        private final WebSocketBroadcast feed;
        Feed(WebSocketBroadcast feed) { this.feed = feed; }

        @PostMapping("/broadcast")
        String broadcast(@RequestBody String message) {
            feed.publish(message);
            return "sent to " + feed.sessions();
        }
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
