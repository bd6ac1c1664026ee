package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CrossShardMeshTest {

    /**
     * Per producer: two producers make a burst of 1,000,000 messages. The rings are small next
     * to the burst, so nearly all of it parks on the producers and drains in hundreds of
     * full-ring/park/retry cycles. A ring of 1024 rather than 64 keeps the number of cycles
     * (each a hand-off that costs an OS scheduling delay on an oversubscribed host) low enough
     * for a loaded CI machine without changing what is tested.
     */
    private static final int MESSAGES = 500_000;
    private static final int RING_CAPACITY = 1024;

    @Test
    void burstOverflowsSmallRingsWithoutLossAndInOrderPerProducer() throws Exception {
        EngineConfig c = TestEngines.config();
        c.setRingCapacity(RING_CAPACITY);
        // One task sends the whole burst without a flush in between: room to park all of it
        // (the default bound would refuse calls past 65,536 parked: BoundedQueuesTest).
        c.setCrossShardOverflowCapacity(MESSAGES);
        try (Engine engine = TestEngines.start(c, 3)) {
            int consumer = 1;
            int[] producers = {0, 2};
            // Touched only by the consumer shard's thread.
            long[] next = new long[3];
            long[] outOfOrder = new long[1];
            CountDownLatch all = new CountDownLatch(producers.length * MESSAGES);
            for (int p : producers) {
                engine.shard(p).execute(() -> {
                    Shard target = engine.shard(consumer);
                    int from = Shard.current().id();
                    for (int i = 0; i < MESSAGES; i++) {
                        long seq = i;
                        target.execute(() -> {
                            if (next[from] != seq) {
                                outOfOrder[0]++;
                            }
                            next[from] = seq + 1;
                            all.countDown();
                        });
                    }
                });
            }
            assertThat(all.await(120, TimeUnit.SECONDS)).as("all messages delivered").isTrue();
            long[] checked = await(engine.submitTo(consumer, () -> new long[] {next[0], next[2], outOfOrder[0]}));
            assertThat(checked).containsExactly(MESSAGES, MESSAGES, 0);
            for (int p : producers) {
                ShardStats s = engine.shard(p).stats();
                assertThat(s.messagesSent()).isEqualTo(MESSAGES);
                assertThat(s.messagesOverflowed()).as("overflow on shard %d", p).isGreaterThan(0);
            }
            awaitStat(() -> engine.shard(consumer).stats().messagesReceived(), 2L * MESSAGES);
        }
    }

    @Test
    void crossShardCallsRoundTripAndCountMessages() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            int calls = 10_000;
            CompletableFuture<Long> sum = engine.submitTo(0, () -> {
                ShardPromise<Long> done = new ShardPromise<>();
                long[] acc = {0};
                int[] left = {calls};
                for (int i = 0; i < calls; i++) {
                    int v = i;
                    Shard.current().submitTo(1, () -> (long) v * 2).whenComplete((r, e) -> {
                        assertThat(Shard.current().id()).isEqualTo(0);
                        acc[0] += r;
                        if (--left[0] == 0) {
                            done.complete(acc[0]);
                        }
                    });
                }
                return done;
            }).thenCompose(ShardFuture::toCompletableFuture);
            assertThat(await(sum)).isEqualTo((long) calls * (calls - 1));
            awaitStat(() -> engine.shard(0).stats().messagesSent(), calls);
            awaitStat(() -> engine.shard(1).stats().messagesReceived(), calls);
            awaitStat(() -> engine.shard(1).stats().messagesSent(), calls);
        }
    }

    @Test
    void foreignSubmissionWakesASleepingShardButNotABusyOne() throws Exception {
        try (Engine engine = TestEngines.start(1)) {
            Shard s = engine.shard(0);
            Thread.sleep(100); // let it fall asleep
            long before = s.stats().wakeupsReceived();
            for (int i = 0; i < 20; i++) {
                assertThat(await(engine.submitTo(0, () -> 1))).isEqualTo(1);
                Thread.sleep(5);
            }
            assertThat(s.stats().wakeupsReceived() - before).as("wakeups of a sleeping shard").isGreaterThan(0);

            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            s.execute(() -> {
                busy.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            busy.await();
            long whileBusy = s.stats().wakeupsReceived();
            AtomicLong ran = new AtomicLong();
            for (int i = 0; i < 1000; i++) {
                s.execute(ran::incrementAndGet);
            }
            assertThat(s.stats().wakeupsReceived()).as("no wakeups while running a task").isEqualTo(whileBusy);
            release.countDown();
            awaitStat(ran::get, 1000);
        }
    }

    static void awaitStat(java.util.function.LongSupplier stat, long atLeast) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (stat.getAsLong() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertThat(stat.getAsLong()).isGreaterThanOrEqualTo(atLeast);
    }
}
