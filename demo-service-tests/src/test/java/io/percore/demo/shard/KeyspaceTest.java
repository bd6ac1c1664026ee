package io.percore.demo.shard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import io.percore.demo.kv.ValueStore;
import io.percore.engine.Engine;
import io.percore.engine.ShardFuture;
import io.percore.engine.topology.ShardPlacement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The keyspace is a Sharded service: another shard's state is reached only by sending it work. */
class KeyspaceTest {

    @Test
    void noPublicMethodHandsOutAnotherShardsStateOrStore() {
        for (Method m : Keyspace.class.getMethods()) {
            Class<?> returned = m.getReturnType();
            if (m.getName().equals("local")) {
                continue; // the calling shard's own state (checked below)
            }
            assertThat(returned).as("Keyspace." + m.getName()).isNotIn(KeyspaceShard.class, ValueStore.class);
            // a Snapshot is a copy, safe to hand over; the state itself is not
            assertThat(m.getGenericReturnType().getTypeName().replace("KeyspaceShard$Snapshot", "Snapshot")).as("Keyspace." + m.getName())
                    .doesNotContain(KeyspaceShard.class.getName()).doesNotContain(ValueStore.class.getName());
        }
        for (var f : Keyspace.class.getDeclaredFields()) {
            assertThat(Modifier.isPublic(f.getModifiers())).as(f.getName()).isFalse();
        }
        for (var c : KeyspaceShard.class.getConstructors()) {
            throw new AssertionError("KeyspaceShard is created only by the Keyspace's Sharded service, not by " + c);
        }
    }

    @Test
    void localIsTheCallingShardsStateAndOtherShardsAreReachedThroughInvokeOn() throws Exception {
        EngineConfig config = new EngineConfig();
        config.setMode(EngineConfig.Mode.OVERPROVISIONED);
        config.setShards(2);
        config.setIdlePoll(Duration.ZERO);
        try (Engine engine = Engine.start(config, ShardPlacement.unpinned(2, "test"))) {
            Keyspace keyspace = Keyspace.start(engine);
            try {
                assertThatThrownBy(keyspace::local).isInstanceOf(IllegalStateException.class);
                assertThat(engine.submitTo(1, () -> keyspace.local().shardId()).get()).isEqualTo(1);

                byte[] key = "k".getBytes(StandardCharsets.UTF_8);
                // shard 1 writes on shard 0 and reads back; the function runs on shard 0's thread
                String seen = engine.submitTo(1, () -> keyspace.invokeOn(0, st -> {
                    byte[] value = "v".getBytes(StandardCharsets.UTF_8);
                    st.store().setString(key, value, ValueStore.NO_EXPIRY);
                    st.store().changes().propagate("SET".getBytes(StandardCharsets.US_ASCII), key, value); // every write reports its effect
                    return Thread.currentThread().getName();
                })).thenCompose(ShardFuture::toCompletableFuture).get();
                assertThat(seen).endsWith("-0");
                // on the owning shard the call runs inline
                boolean inline = engine.submitTo(0, () -> keyspace.invokeOn(0, st -> st.store().exists(key, 0)).getNow()).get();
                assertThat(inline).isTrue();

                long keys = engine.submitTo(1, () -> keyspace.mapReduce(st -> (long) st.store().size(), 0L, Long::sum))
                        .thenCompose(ShardFuture::toCompletableFuture).get();
                assertThat(keys).isEqualTo(1);

                List<KeyspaceShard.Snapshot> snapshots = keyspace.snapshots();
                assertThat(snapshots).extracting(KeyspaceShard.Snapshot::shard).containsExactly(0, 1);
                assertThat(snapshots).extracting(KeyspaceShard.Snapshot::keys).containsExactly(1L, 0L);
                // shard 1 crossed to shard 0 once, then to every other shard once for mapReduce
                assertThat(snapshots).extracting(KeyspaceShard.Snapshot::crossShardCalls).containsExactly(0L, 2L);
            } finally {
                keyspace.close();
            }
        }
    }
}
