package io.percore.sample.webflux;

import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.web.WebSocketBroadcast;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * The example of docs/how-to/websocket-and-grpc.md: {@code /ws/feed} is a WebSocket that gets every message
 * {@code POST /broadcast} publishes (the starter's {@link WebSocketBroadcast}: per shard on the shards, one set of
 * sessions on Spring Boot's server), what benchmarks/run-websocket.sh fans out.
 */
@Configuration(proxyBeanMethods = false)
class FeedConfiguration {

    @Bean
    WebSocketBroadcast feed(Engine engine) {
        return new WebSocketBroadcast(engine, 1024);   // a session may be 1,024 messages behind its socket
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
            feed.publish(message);    // from any thread
            return "sent to " + feed.sessions();
        }
    }
}
