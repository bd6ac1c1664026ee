package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardedTest {

    static final class Counter implements AutoCloseable {
        final int shard;
        final String createdOn;
        long value;
        final List<String> closes;

        Counter(int shard, List<String> closes) {
            this.shard = shard;
            this.createdOn = Thread.currentThread().getName();
            this.closes = closes;
        }

        @Override
        public void close() {
            closes.add(shard + "@" + Thread.currentThread().getName());
        }
    }

    @Test
    void oneInstancePerShardWithInvokeMapReduceAndOrderedStop() throws Exception {
        List<String> closes = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = TestEngines.start(3)) {
            Sharded<Counter> counters = Sharded.start(engine, shard -> new Counter(shard, closes));
            for (int i = 0; i < 3; i++) {
                int id = i;
                String createdOn = await(counters.<String>invokeOn(i, c -> c.createdOn));
                int shard = await(counters.<Integer>invokeOn(i, c -> c.shard));
                assertThat(createdOn).isEqualTo("percore-shard-" + id);
                assertThat(shard).isEqualTo(id);
            }
            await(counters.invokeOnAll(c -> c.value += 10));
            await(counters.invokeOn(2, c -> c.value += 5));
            int local = await(engine.submitTo(1, () -> counters.local().shard));
            assertThat(local).isEqualTo(1);
            long total = await(counters.mapReduce(c -> c.value, 0L, Long::sum));
            assertThat(total).isEqualTo(35);
            String order = await(counters.mapReduce(c -> String.valueOf(c.shard), "", String::concat));
            assertThat(order).isEqualTo("012");
            await(counters.stop());
            assertThat(closes).containsExactly("0@percore-shard-0", "1@percore-shard-1", "2@percore-shard-2");
            assertThatThrownBy(() -> counters.invokeOn(0, c -> c)).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void failingFactoryStopsTheCreatedInstancesAndRethrows() {
        List<String> closes = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = TestEngines.start(2)) {
            assertThatThrownBy(() -> Sharded.start(engine, shard -> {
                if (shard == 1) {
                    throw new IllegalStateException("no counter on shard 1");
                }
                return new Counter(shard, closes);
            })).isInstanceOf(IllegalStateException.class).hasMessage("no counter on shard 1");
            assertThat(closes).containsExactly("0@percore-shard-0");
        }
    }
}
