package io.percore.demo.replication;

import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Engine;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** Every shard at one point: where the stream's feeds are attached and let go. */
final class EveryShard {

    private EveryShard() {
    }

    /**
     * Runs {@code action} on every shard while one transaction of its own holds them all (off the
     * shards; blocks): a feed attached or detached there never sees a part of a transaction
     * without its other parts, which would hold the stream's order for ever.
     */
    static void atOnePoint(Engine engine, Keyspace keyspace, Consumer<KeyspaceShard> action) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        engine.submitTo(0, () -> {
            long group = keyspace.local().nextGroupId();
            Keyspace bound = keyspace.boundTo(group);
            BitSet every = new BitSet();
            every.set(0, keyspace.shardCount());
            bound.reserveInOrder(every)
                    .flatMap(held -> bound.mapReduce(state -> {
                        action.accept(state);
                        return 0;
                    }, 0, Integer::sum))
                    .whenComplete((v, failure) -> {
                        bound.releaseAll(every);
                        if (failure != null) {
                            done.completeExceptionally(failure);
                        } else {
                            done.complete(null);
                        }
                    });
            return null;
        });
        done.join();
    }
}
