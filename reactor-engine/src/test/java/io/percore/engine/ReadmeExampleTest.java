package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The "Without Spring" example of docs/getting-started/spring-boot.md, kept compiling and true. */
class ReadmeExampleTest {

    @Test
    void crossShardCallFromTheReadme() {
        EngineConfig config = new EngineConfig();
        config.setShards(2);
        config.setMode(EngineConfig.Mode.OVERPROVISIONED); // the README uses the default (pinned); tests share CPUs
        // --- README example starts
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
            // --- README example ends
            assertThat(answer).isEqualTo("hello from shard 0, answered on shard 1");
            assertThat(value).isEqualTo("hello");
            assertThat(fromShard).isEqualTo("hello (asked by shard " + (1 - owner) + ")");
            maps.stop().join();
        }
    }
}
