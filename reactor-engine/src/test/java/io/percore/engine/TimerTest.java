package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TimerTest {

    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = TestEngines.start(1);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @Test
    void oneShotFiresOnTheShardAfterTheDelay() throws Exception {
        Shard shard = engine.shard(0);
        long firedBefore = shard.stats().timersFired();
        CompletableFuture<String> fired = new CompletableFuture<>();
        long start = System.nanoTime();
        shard.schedule(Duration.ofMillis(50), () -> fired.complete(Thread.currentThread().getName()));
        assertThat(await(fired)).isEqualTo("percore-shard-0");
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(49));
        CrossShardMeshTest.awaitStat(() -> shard.stats().timersFired(), firedBefore + 1);
    }

    @Test
    void periodicRunsUntilCancelledAndSurvivesAThrowingRun() throws Exception {
        Shard shard = engine.shard(0);
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch five = new CountDownLatch(5);
        Cancellable periodic = shard.scheduleAtFixedRate(Duration.ofMillis(5), Duration.ofMillis(10), () -> {
            five.countDown();
            if (runs.incrementAndGet() == 2) {
                throw new IllegalStateException("one bad run");
            }
        });
        assertThat(five.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(periodic.cancel()).isTrue();
        // A run may have been in flight on the shard; once the shard has answered a call queued
        // after the cancel, it has finished that run (the loop runs one thing at a time).
        await(engine.submitTo(0, () -> null));
        int after = runs.get();
        // five periods on, by the shard's own timers (they fire in order): a run still due would have come first
        awaitTimer(shard, Duration.ofMillis(50));
        assertThat(runs.get()).isEqualTo(after);
        assertThat(periodic.cancel()).isFalse();
    }

    /**
     * The crons of a shard (fixed rate, first run one period away) fire in one wakeup: one scheduled 7 ms after the
     * first, on the shard, and one from another thread run in the loop turns the first runs in, from their first run on.
     * Each still runs until it is cancelled, a throwing one included, and the others go on without it.
     */
    @Test
    void fixedRateTimersOfOnePeriodFireInOneWakeup() throws Exception {
        Shard shard = engine.shard(0);
        Duration period = Duration.ofMillis(20);
        List<Set<Long>> turns = List.of(ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet(), ConcurrentHashMap.newKeySet());
        CountDownLatch rounds = new CountDownLatch(12);
        java.util.function.IntFunction<Runnable> recorder = i -> () -> {
            turns.get(i).add(shard.stats().loopIterations()); // published once per turn: equal within one
            rounds.countDown();
            if (i == 2 && turns.get(i).size() == 1) {
                throw new IllegalStateException("one bad run");
            }
        };
        Cancellable first = await(engine.submitTo(0, () -> shard.scheduleAtFixedRate(period, period, recorder.apply(0))));
        CompletableFuture<Cancellable> second = new CompletableFuture<>();
        shard.schedule(Duration.ofMillis(7), () -> second.complete(shard.scheduleAtFixedRate(period, period, recorder.apply(1))));
        Cancellable third = shard.scheduleAtFixedRate(period, period, recorder.apply(2));
        assertThat(rounds.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(second.get(30, TimeUnit.SECONDS).cancel()).isTrue();
        assertThat(third.cancel()).isTrue();
        await(engine.submitTo(0, () -> null)); // a run in flight has finished
        Set<Long> firstTurns = Set.copyOf(turns.get(0));
        assertThat(turns.get(1)).as("the second timer's runs").isNotEmpty().isSubsetOf(firstTurns);
        assertThat(turns.get(2)).as("the third timer's runs").hasSizeGreaterThan(1).isSubsetOf(firstTurns);

        int secondRuns = turns.get(1).size();
        int before = turns.get(0).size();
        awaitTimer(shard, Duration.ofMillis(70));
        assertThat(turns.get(0).size()).as("the first goes on alone").isGreaterThan(before);
        assertThat(turns.get(1)).as("a cancelled one runs no more").hasSize(secondRuns);
        assertThat(first.cancel()).isTrue();
    }

    @Test
    void cancelledOneShotNeverRuns() throws Exception {
        AtomicInteger ran = new AtomicInteger();
        Cancellable t = engine.shard(0).schedule(Duration.ofMillis(100), ran::incrementAndGet);
        assertThat(t.cancel()).isTrue();
        // a timer due after it has fired: timers fire in order, so the cancelled one would have run first
        awaitTimer(engine.shard(0), Duration.ofMillis(150));
        assertThat(ran.get()).isZero();
    }

    /** Waits until a timer scheduled now on {@code shard}, due after {@code delay}, has fired. */
    private static void awaitTimer(Shard shard, Duration delay) throws Exception {
        CompletableFuture<Void> fired = new CompletableFuture<>();
        shard.schedule(delay, () -> fired.complete(null));
        fired.get(30, TimeUnit.SECONDS);
    }

    @Test
    void timeoutFailsSlowFuturesAndPassesFastOnes() throws Exception {
        AtomicReference<Throwable> slow = new AtomicReference<>();
        String fast = await(engine.submitTo(0, () -> {
            Shard s = Shard.current();
            ShardFuture<String> never = new ShardPromise<>();
            s.timeout(never, Duration.ofMillis(30)).whenComplete((v, e) -> slow.set(e));
            ShardPromise<String> soon = new ShardPromise<>();
            s.schedule(Duration.ofMillis(5), () -> soon.complete("in time"));
            return s.timeout(soon, Duration.ofSeconds(10));
        }).thenCompose(ShardFuture::toCompletableFuture));
        assertThat(fast).isEqualTo("in time");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (slow.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(slow.get()).isInstanceOf(TimeoutException.class).hasMessageContaining("PT0.03S");
    }

    @Test
    void negativeDelaysAreRejected() {
        assertThatThrownBy(() -> engine.shard(0).schedule(Duration.ofMillis(-1), () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delay");
        assertThatThrownBy(() -> engine.shard(0).scheduleAtFixedRate(Duration.ZERO, Duration.ZERO, () -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("period");
    }
}
