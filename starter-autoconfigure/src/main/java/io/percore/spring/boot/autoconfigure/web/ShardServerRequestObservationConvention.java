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
 *
 * <p>The six tags are made as one array already in Micrometer's order, and each shard's tag once: Spring's five
 * followed by {@code and(shard)} sorted and merged a second array at the observation's start and again at its
 * stop, every request (benchmarks/results/webflux.md,
 * "Warmed until the compiler is quiet, and the shard tag").
 */
public class ShardServerRequestObservationConvention extends DefaultServerRequestObservationConvention {

    public static final String SHARD_KEY = "shard";
    private static final KeyValue NONE = KeyValue.of(SHARD_KEY, "none");
    /** The engine's shard ids are small and dense: a tag per id, made the first time a shard serves a request. */
    private static final int CACHED_SHARDS = 1024;

    private final KeyValue[] shardTags = new KeyValue[CACHED_SHARDS];

    public ShardServerRequestObservationConvention(String name) {
        super(name);
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(ServerRequestObservationContext context) {
        // Spring's five (DefaultServerRequestObservationConvention) and the shard's, by key: exception, method,
        // outcome, shard, status, uri. ShardServerRequestObservationConventionTest holds it to super's and(shard).
        return KeyValues.of(exception(context), method(context), outcome(context), shardTag(), status(context), uri(context));
    }

    private KeyValue shardTag() {
        Shard shard = Shard.currentOrNull();
        if (shard == null) {
            return NONE;
        }
        int id = shard.id();
        if (id >= CACHED_SHARDS) {
            return KeyValue.of(SHARD_KEY, Integer.toString(id));
        }
        KeyValue tag = shardTags[id];
        if (tag == null) {
            // Racing shards may each make it: equal values, and a reference write is atomic.
            tag = KeyValue.of(SHARD_KEY, Integer.toString(id));
            shardTags[id] = tag;
        }
        return tag;
    }
}
