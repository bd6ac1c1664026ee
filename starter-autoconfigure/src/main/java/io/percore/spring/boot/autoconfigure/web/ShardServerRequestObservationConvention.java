package io.percore.spring.boot.autoconfigure.web;

import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.percore.engine.Shard;
import org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention;
import org.springframework.http.server.reactive.observation.ServerRequestObservationContext;

/**
 * Spring's {@code http.server.requests} with one more low-cardinality tag, {@code shard}: the shard
 * whose loop served the request ({@code none} for a request served off the shards, e.g. by the
 * management server). The observation stops where the response completes, on the connection's
 * loop, so the shard is read there; it has at most as many values as the engine has shards.
 */
public class ShardServerRequestObservationConvention extends DefaultServerRequestObservationConvention {

    public static final String SHARD_KEY = "shard";
    private static final KeyValue NONE = KeyValue.of(SHARD_KEY, "none");

    public ShardServerRequestObservationConvention(String name) {
        super(name);
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(ServerRequestObservationContext context) {
        Shard shard = Shard.currentOrNull();
        return super.getLowCardinalityKeyValues(context).and(shard == null ? NONE : KeyValue.of(SHARD_KEY, Integer.toString(shard.id())));
    }
}
