package io.percore.sample.webflux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.engine.Engine;
import io.percore.engine.Sharded;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The counters on two shards: each key lives only on its owner shard, and the other shard's requests hop there. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"percore.engine.shards=2", "percore.engine.mode=overprovisioned"})
class ShardedCountersTest extends CountersContract {

    @LocalServerPort
    int port;

    @Autowired
    KeyCounts counts;

    @Autowired
    Sharded<ShardedKeyCounts.ShardCounts> shardCounts;

    @Autowired
    Engine engine;

    @Override
    int port() {
        return port;
    }

    @Test
    void theShardsServeThemWithThreadPerCoreState() {
        assertThat(counts).isInstanceOf(ShardedKeyCounts.class);
    }

    @Override
    @Test
    void concurrentIncrementsAreCountedOnceEach() throws Exception {
        long hopsBefore = engine.shard(0).stats().messagesSent() + engine.shard(1).stats().messagesSent();
        super.concurrentIncrementsAreCountedOnceEach();
        ShardedKeyCounts sharded = (ShardedKeyCounts) counts;
        int perKey = CLIENTS * INCREMENTS_PER_CLIENT / KEYS.size();
        boolean[] owners = new boolean[2];
        for (String key : KEYS) {
            int owner = sharded.ownerOf(key);
            owners[owner] = true;
            assertThat(shardCounts.fromOutside().invokeOn(owner, c -> c.get(key)).get()).as("%s on its owner", key).isEqualTo(perKey);
            assertThat(shardCounts.fromOutside().invokeOn(1 - owner, c -> c.get(key)).get()).as("%s not on the other shard", key).isZero();
        }
        assertThat(owners).as("the keys are owned by both shards").containsExactly(true, true);
        long hops = engine.shard(0).stats().messagesSent() + engine.shard(1).stats().messagesSent() - hopsBefore;
        assertThat(hops).as("requests served by a key's other shard went to the owner").isPositive();
    }

    @Test
    void aShardRefusesNewKeysPastItsBound() {
        ShardedKeyCounts.ShardCounts one = new ShardedKeyCounts.ShardCounts();
        for (int i = 0; i < KeyCounts.MAX_KEYS; i++) {
            one.increment("k" + i);
        }
        assertThat(one.increment("k0")).as("a known key still counts").isEqualTo(2);
        assertThatThrownBy(() -> one.increment("new")).isInstanceOf(KeyCounts.TooManyKeys.class);
    }
}
