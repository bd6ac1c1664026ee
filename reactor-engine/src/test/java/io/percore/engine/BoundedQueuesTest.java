package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, row 9: a stuck shard must not take the process down by queueing without end. The
 * foreign queue and the parked cross-shard overflow accept exactly their capacity, refuse the
 * rest with a RejectedExecutionException naming the shard and the setting, and lose nothing
 * they accepted.
 */
class BoundedQueuesTest {

    private static final int CAPACITY = 100;

    @Test
    void aFloodFromOutsideIsAcceptedUpToTheCapacityAndAllOfItRunsAfterTheShardMovesAgain() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setForeignQueueCapacity(CAPACITY);
        try (Engine engine = TestEngines.start(c, 2)) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            engine.shard(1).execute(() -> {
                entered.countDown();
                awaitUninterruptibly(release);
            });
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            // Four threads flood the stuck shard at once: admission is exact under contention.
            int perThread = 250;
            List<CompletableFuture<Integer>> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Throwable> refused = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger executeRefused = new AtomicInteger();
            List<Thread> flooders = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                final int base = t * perThread;
                Thread th = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        int value = base + i;
                        CompletableFuture<Integer> f = engine.submitTo(1, () -> value);
                        if (f.isCompletedExceptionally()) {
                            refused.add(f.handle((v, e) -> e).join());
                        } else {
                            accepted.add(f);
                        }
                    }
                });
                flooders.add(th);
                th.start();
            }
            for (Thread th : flooders) {
                th.join(30_000);
            }
            assertThat(accepted).hasSize(CAPACITY);
            assertThat(refused).hasSize(4 * perThread - CAPACITY);
            assertThat(refused).allSatisfy(e -> assertThat(e).isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("Shard 1")
                    .hasMessageContaining("percore.engine.foreign-queue-capacity=" + CAPACITY));
            // Shard.execute from outside meets the same bound, by throwing.
            assertThatThrownBy(() -> engine.shard(1).execute(executeRefused::incrementAndGet))
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("percore.engine.foreign-queue-capacity");

            release.countDown();
            java.util.Set<Integer> ran = new java.util.HashSet<>();
            for (CompletableFuture<Integer> f : accepted) {
                ran.add(TestEngines.await(f));
            }
            assertThat(ran).hasSize(CAPACITY);
            assertThat(executeRefused).hasValue(0);
            // The places come back: the shard accepts work from outside again.
            assertThat(TestEngines.await(engine.submitTo(1, () -> 42))).isEqualTo(42);
        }
    }

    @Test
    void callsThatWouldParkBeyondTheOverflowCapacityFailTheirFutureAndTheAcceptedOnesAllComplete() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setRingCapacity(16);
        c.setCrossShardOverflowCapacity(16);
        try (Engine engine = TestEngines.start(c, 2)) {
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            engine.shard(1).execute(() -> {
                entered.countDown();
                awaitUninterruptibly(release);
            });
            assertThat(entered.await(30, TimeUnit.SECONDS)).isTrue();

            int calls = 100;
            List<ShardFuture<Integer>> futures = TestEngines.await(engine.submitTo(0, () -> {
                Shard self = Shard.current();
                List<ShardFuture<Integer>> fs = new ArrayList<>();
                for (int i = 0; i < calls; i++) {
                    int value = i;
                    fs.add(self.submitTo(1, () -> value));
                }
                return fs;
            }));
            // Settled on the caller's shard as soon as submitTo returned: refused ones are failed.
            List<ShardFuture<Integer>> accepted = new ArrayList<>();
            List<Throwable> refused = new ArrayList<>();
            TestEngines.await(engine.submitTo(0, () -> {
                for (ShardFuture<Integer> f : futures) {
                    if (f.isDone() && !f.isSuccess()) {
                        refused.add(f.cause());
                    } else {
                        accepted.add(f);
                    }
                }
                return null;
            }));
            // 16 in the ring, 16 parked, the rest refused (the ring is stuck: nothing drains it).
            assertThat(accepted).hasSize(32);
            assertThat(refused).hasSize(calls - 32).allSatisfy(e -> assertThat(e)
                    .isInstanceOf(RejectedExecutionException.class)
                    .hasMessageContaining("Shard 1 is not keeping up with shard 0")
                    .hasMessageContaining("percore.engine.cross-shard-overflow-capacity=16"));
            // Shard.execute to the stuck shard from a shard meets the same bound, by throwing.
            Throwable executeRefused = TestEngines.await(engine.submitTo(0, () -> {
                try {
                    engine.shard(1).execute(() -> { });
                    return null;
                } catch (RejectedExecutionException e) {
                    return e;
                }
            }));
            assertThat(executeRefused).isInstanceOf(RejectedExecutionException.class);

            release.countDown();
            List<Integer> values = new ArrayList<>();
            for (ShardFuture<Integer> f : accepted) {
                values.add(TestEngines.await(f));
            }
            assertThat(values).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 32).boxed().toList());
        }
    }

    @Test
    void theCapacitiesComeFromTheValidatedSettings() {
        EngineConfig c = TestEngines.config();
        c.setForeignQueueCapacity(0);
        assertThatThrownBy(() -> TestEngines.start(c, 1))
                .hasMessageContaining("percore.engine.foreign-queue-capacity");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
