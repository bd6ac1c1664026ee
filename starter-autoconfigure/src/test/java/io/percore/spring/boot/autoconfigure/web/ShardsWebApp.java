package io.percore.spring.boot.autoconfigure.web;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.spring.boot.autoconfigure.PercoreSharded;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * A WebFlux application as a user writes it: an annotated controller, a router function and a
 * {@code Sharded<T>} bean. Its handlers report the thread and shard they run on.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(ShardsWebApp.Controller.class)
public class ShardsWebApp {

    /** /slow requests the controller has begun to answer: a test waits for its requests to be in flight. */
    static final AtomicInteger SLOW_STARTED = new AtomicInteger();

    /** One per shard, made on its shard: knows which shard it belongs to. */
    public record Hits(int shard, AtomicInteger count) {
    }

    @Bean
    Sharded<Hits> hits(Engine engine) {
        return PercoreSharded.of(engine, shard -> new Hits(shard, new AtomicInteger()));
    }

    @Bean
    RouterFunction<ServerResponse> routes() {
        return RouterFunctions.route()
                .GET("/route", request -> ServerResponse.ok().bodyValue(where()))
                .build();
    }

    static String where() {
        Shard shard = Shard.currentOrNull();
        return Thread.currentThread().getName() + " shard=" + (shard == null ? "none" : shard.id());
    }

    @RestController
    static class Controller {

        private final Sharded<Hits> hits;

        Controller(Sharded<Hits> hits) {
            this.hits = hits;
        }

        @GetMapping("/where")
        String where() {
            return ShardsWebApp.where();
        }

        /** The shard's own instance, reached without a hop: it must be this shard's. */
        @GetMapping("/hits")
        String hits() {
            Hits local = hits.local();
            return "current=" + Shard.current().id() + " local=" + local.shard() + " count=" + local.count().incrementAndGet();
        }

        /** Blocks the shard without Reactor noticing: the stall detector must. */
        @GetMapping("/sleep")
        String sleep() throws InterruptedException {
            // long enough for a watchdog that a loaded machine runs late to find the shard still blocked (150 ms
            // went unseen at load 18)
            Thread.sleep(600);
            return "slept";
        }

        /** Blocks the shard: refused by Reactor, as on its own loops. */
        @GetMapping("/block")
        String block() {
            return Mono.delay(Duration.ofMillis(50)).map(x -> "blocked").block();
        }

        /** Answers after {@code ms} milliseconds: in flight while the application shuts down. */
        @GetMapping("/slow")
        Mono<String> slow(@org.springframework.web.bind.annotation.RequestParam(defaultValue = "600") long ms) {
            SLOW_STARTED.incrementAndGet();
            return Mono.delay(Duration.ofMillis(ms)).map(x -> "slow done");
        }
    }
}
