package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoop;
import io.percore.config.EngineConfig;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Netty's own tasks on a shard (what Reactor Netty hands off with {@code EventLoop.execute}) run in
 * step 4 of a turn for up to a quarter of the stall threshold, not cut at the task quota into slices
 * with an I/O poll between each; and that bound holds against tasks that never stop coming.
 */
class NettyTaskBudgetTest {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private static final int TASKS = 60;
    private static final long TASK_CPU_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    @Test
    void aBurstOfNettyTasksRunsInOneTurnNotOneTaskQuotaAtATime() throws Exception {
        EngineConfig config = TestEngines.config();
        config.setStallThreshold(Duration.ofSeconds(2)); // budget 500 ms: far more than the burst takes on a loaded machine
        try (Engine engine = TestEngines.start(config, 1)) {
            Set<Long> turns = ConcurrentHashMap.newKeySet();
            CountDownLatch ran = new CountDownLatch(TASKS);
            await(engine.submitTo(0, () -> {
                EventLoop loop = (EventLoop) Shard.current().ioEventLoop();
                for (int i = 0; i < TASKS; i++) {
                    loop.execute(() -> {
                        burnCpu(TASK_CPU_NANOS);
                        turns.add(Shard.current().stats().loopIterations()); // the turn's number, stamped when it started
                        ran.countDown();
                    });
                }
                return null;
            }));
            assertThat(ran.await(60, TimeUnit.SECONDS)).isTrue();
            // Each task takes at least 50 µs of CPU, so at least as long on the clock: cut at the 500 µs task quota,
            // 60 of them took at least 6 turns whatever the machine's load.
            assertThat(turns).as("turns that ran the burst").hasSizeLessThanOrEqualTo(2);
        }
    }

    @Test
    void nettyTasksThatKeepComingDoNotStarveTheShardsOtherWork() throws Exception {
        EngineConfig config = TestEngines.config();
        config.setStallThreshold(Duration.ofMillis(100)); // budget 25 ms
        try (Engine engine = TestEngines.start(config, 1)) {
            AtomicBoolean stop = new AtomicBoolean();
            await(engine.submitTo(0, () -> {
                EventLoop loop = (EventLoop) Shard.current().ioEventLoop();
                loop.execute(new Runnable() {
                    @Override
                    public void run() {
                        if (!stop.get()) {
                            loop.execute(this); // queued while step 4 runs: step 4 would never end without its bound
                        }
                    }
                });
                return null;
            }));
            try {
                for (int i = 0; i < 20; i++) {
                    assertThat(await(engine.submitTo(0, () -> "served"))).isEqualTo("served");
                }
                CountDownLatch timerFired = new CountDownLatch(1);
                engine.shard(0).execute(() -> Shard.current().schedule(Duration.ofMillis(1), timerFired::countDown));
                assertThat(timerFired.await(30, TimeUnit.SECONDS)).as("a timer fires while the tasks keep coming").isTrue();
            } finally {
                stop.set(true);
            }
        }
    }

    @Test
    void theBudgetIsAQuarterOfTheStallThresholdAndNeverLessThanTheQuota() {
        long quota = TimeUnit.MICROSECONDS.toNanos(500);
        assertThat(LiveTuning.ioTaskBudgetNanos(quota, Duration.ofMillis(25))).isEqualTo(TimeUnit.MICROSECONDS.toNanos(6250));
        assertThat(LiveTuning.ioTaskBudgetNanos(quota, Duration.ofMillis(1))).isEqualTo(quota);
    }

    private static void burnCpu(long nanos) {
        long end = THREADS.getCurrentThreadCpuTime() + nanos;
        while (THREADS.getCurrentThreadCpuTime() < end) {
            Thread.onSpinWait();
        }
    }
}
