package io.percore.engine.readme;

import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.util.HashMap;
import java.util.Map;

/** The engine without Spring: a call from one shard to another, and a map per shard. */
public class WithoutSpring {

    public static void main(String[] args) {
        EngineConfig config = new EngineConfig();            // defaults: one pinned shard per usable core
        config.setShards(2);
        System.out.println(run(config));
    }

    record Answers(String answer, String value, String fromShard, int owner) { }

    static Answers run(EngineConfig config) {
        try (Engine engine = Engine.start(config)) {
            // From any thread: run on shard 1, which asks shard 0; the answer comes back on shard 1.
            String answer = engine.submitTo(1, () -> Shard.current()
                            .submitTo(0, () -> "hello from shard " + Shard.current().id())
                            .map(s -> s + ", answered on shard " + Shard.current().id()))
                    .thenCompose(ShardFuture::toCompletableFuture)
                    .join();

            // One instance per shard; each key lives on one shard.
            Sharded<Map<String, String>> maps = Sharded.start(engine, shard -> new HashMap<>());
            String key = "greeting";
            int owner = Math.floorMod(key.hashCode(), engine.shardCount());
            // From a thread that is not a shard, through the adapter that gives CompletableFutures:
            maps.fromOutside().invokeOn(owner, m -> m.put(key, "hello")).join();
            String value = maps.fromOutside().invokeOn(owner, m -> m.get(key)).join();
            // On a shard, invokeOn returns a ShardFuture completing back on the calling shard:
            String fromShard = engine.submitTo(1 - owner, () -> maps.invokeOn(owner, m -> m.get(key))
                            .map(v -> v + " (asked by shard " + Shard.current().id() + ")"))
                    .thenCompose(ShardFuture::toCompletableFuture)
                    .join();
            maps.stop().join();
            return new Answers(answer, value, fromShard, owner);
        }
    }
}
