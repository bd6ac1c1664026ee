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
    void oneInstancePerShardFromOutsideWithInvokeMapReduceAndOrderedStop() throws Exception {
        List<String> closes = Collections.synchronizedList(new ArrayList<>());
        try (Engine engine = TestEngines.start(3)) {
            Sharded<Counter> counters = Sharded.start(engine, shard -> new Counter(shard, closes));
            ShardedFromOutside<Counter> outside = counters.fromOutside();
            for (int i = 0; i < 3; i++) {
                int id = i;
                String createdOn = await(outside.<String>invokeOn(i, c -> c.createdOn));
                int shard = await(outside.<Integer>invokeOn(i, c -> c.shard));
                assertThat(createdOn).isEqualTo("percore-shard-" + id);
                assertThat(shard).isEqualTo(id);
            }
            await(outside.invokeOnAll(c -> c.value += 10));
            await(outside.invokeOn(2, c -> c.value += 5));
            int local = await(engine.submitTo(1, () -> counters.local().shard));
            assertThat(local).isEqualTo(1);
            long total = await(outside.mapReduce(c -> c.value, 0L, Long::sum));
            assertThat(total).isEqualTo(35);
            String order = await(outside.mapReduce(c -> String.valueOf(c.shard), "", String::concat));
            assertThat(order).isEqualTo("012");
            assertThat(await(outside.mapEach(c -> c.value))).as("one result per shard, in shard order").containsExactly(10L, 10L, 15L);
            await(counters.stop());
            assertThat(closes).containsExactly("0@percore-shard-0", "1@percore-shard-1", "2@percore-shard-2");
            assertThatThrownBy(() -> outside.invokeOn(0, c -> c)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> engine.submitTo(0, () -> counters.invokeOn(1, c -> c)).join())
                    .hasCauseInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void onAShardTheOperationsReturnShardFuturesCompletingOnTheCallingShard() throws Exception {
        try (Engine engine = TestEngines.start(3)) {
            Sharded<Counter> counters = Sharded.start(engine, shard -> new Counter(shard, new ArrayList<>()));
            // shard 1 asks shard 2; the function runs on shard 2, its result is seen on shard 1
            String seen = await(engine.submitTo(1, () -> counters.invokeOn(2, c -> c.shard + "@" + Thread.currentThread().getName())
                    .map(r -> r + " seen on " + Thread.currentThread().getName())).thenCompose(ShardFuture::toCompletableFuture));
            assertThat(seen).isEqualTo("2@percore-shard-2 seen on percore-shard-1");

            // on the owning shard the function runs inline: the future is already complete
            boolean inline = await(engine.submitTo(0, () -> counters.invokeOn(0, c -> c.shard).isDone()));
            assertThat(inline).isTrue();

            String all = await(engine.submitTo(2, () -> counters.invokeOnAll(c -> c.value += 7)
                    .flatMap(v -> counters.mapReduce(c -> c.shard + ":" + c.value, "", String::concat))
                    .map(r -> r + "@" + Thread.currentThread().getName())).thenCompose(ShardFuture::toCompletableFuture));
            assertThat(all).isEqualTo("0:71:72:7@percore-shard-2");

            // a failing function fails the caller's future, on the caller's shard
            Throwable failure = await(engine.submitTo(0, () -> counters.invokeOn(1, c -> {
                throw new IllegalArgumentException("boom on " + c.shard);
            }).handle((v, e) -> e)).thenCompose(ShardFuture::toCompletableFuture));
            assertThat(ShardFuture.unwrap(failure)).isInstanceOf(IllegalArgumentException.class).hasMessage("boom on 1");
            await(counters.stop());
        }
    }

    @Test
    void offAShardTheShardOperationsThrowNamingTheAdapter() {
        try (Engine engine = TestEngines.start(2)) {
            Sharded<Counter> counters = Sharded.start(engine, shard -> new Counter(shard, new ArrayList<>()));
            assertThatThrownBy(() -> counters.invokeOn(0, c -> c.shard))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("fromOutside()");
            assertThatThrownBy(() -> counters.invokeOnAll(c -> c.value++))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("fromOutside()");
            assertThatThrownBy(() -> counters.mapReduce(c -> c.value, 0L, Long::sum))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("fromOutside()");
            assertThatThrownBy(counters::local).isInstanceOf(IllegalStateException.class);
            counters.stop().join();
        }
    }

    @Test
    void noPublicMethodHandsOutAnInstance() {
        // Only the function's result crosses shards: no method of Sharded or its adapter returns T.
        for (Class<?> type : List.of(Sharded.class, ShardedFromOutside.class)) {
            for (java.lang.reflect.Method m : type.getMethods()) {
                if (m.getName().equals("local")) {
                    continue; // the calling shard's own instance
                }
                assertThat(m.getGenericReturnType().getTypeName()).as(type.getSimpleName() + "." + m.getName()).isNotEqualTo("T");
            }
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
