package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import java.util.HashMap;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;

/**
 * The shard convention builds its six tags itself, in one array, rather than adding one to Spring's five: these are
 * Spring's tags exactly, for every kind of request Spring's convention tells apart, plus {@code shard}. (The tag's
 * value on a shard's loop: {@code WebFluxOnShardsTest}.)
 */
class ShardServerRequestObservationConventionTest {

    private final ShardServerRequestObservationConvention shards = new ShardServerRequestObservationConvention("http.server.requests");
    private final DefaultServerRequestObservationConvention spring = new DefaultServerRequestObservationConvention("http.server.requests");

    @Test
    void theTagsAreSpringsAndTheShardsForEveryKindOfRequest() {
        List<Consumer<ServerRequestObservationContext>> kinds = List.of(
                c -> c.getResponse().setStatusCode(HttpStatus.OK),
                c -> {
                    c.setPathPattern("/items/{id}");
                    c.getResponse().setStatusCode(HttpStatus.OK);
                },
                c -> c.getResponse().setStatusCode(HttpStatus.NOT_FOUND),
                c -> c.getResponse().setStatusCode(HttpStatus.MOVED_PERMANENTLY),
                c -> {
                    c.setError(new IllegalStateException("boom"));
                    c.getResponse().setStatusCode(HttpStatus.INTERNAL_SERVER_ERROR);
                },
                c -> c.setConnectionAborted(true),
                c -> { });
        for (Consumer<ServerRequestObservationContext> kind : kinds) {
            ServerRequestObservationContext context = context(kind);
            KeyValues expected = spring.getLowCardinalityKeyValues(context).and(KeyValue.of("shard", "none"));
            assertThat(shards.getLowCardinalityKeyValues(context)).containsExactlyElementsOf(expected);
            assertThat(shards.getHighCardinalityKeyValues(context)).containsExactlyElementsOf(spring.getHighCardinalityKeyValues(context));
        }
    }

    private static ServerRequestObservationContext context(Consumer<ServerRequestObservationContext> kind) {
        ServerRequestObservationContext context = new ServerRequestObservationContext(
                MockServerHttpRequest.get("/items/7?x=1").build(), new MockServerHttpResponse(), new HashMap<>());
        kind.accept(context);
        return context;
    }
}
