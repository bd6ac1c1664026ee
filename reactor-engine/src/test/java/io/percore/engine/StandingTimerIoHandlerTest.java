package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.ManualIoEventLoop;
import io.netty.channel.uring.IoUringIoHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The shards' io_uring waits leave their deadline to a timer standing in the kernel: many waits, few timers, every
 * scheduled task still on time, Netty's own timeout when the standing ones cannot serve, and a close that removes
 * them. Each test runs a Netty loop on its own thread, as a shard does.
 */
class StandingTimerIoHandlerTest {

    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @BeforeAll
    static void ioUring() {
        assumeTrue(ShardTransport.ioUringAvailable(), "io_uring is not available here");
    }

    /** What Netty's handler is asked: how many blocking waits, and how many of them carried a timeout of their own. */
    private static final class CountingRing extends ForwardingIoHandler {
        long blockingWaits;
        long timedWaits;

        CountingRing(IoHandler ring) {
            super(ring);
        }

        @Override
        public int run(IoHandlerContext context) {
            if (context.canBlock()) {
                blockingWaits++;
                if (context.deadlineNanos() != -1) {
                    timedWaits++;
                }
            }
            return delegate.run(context);
        }
    }

    private CountingRing counting;
    private StandingTimerIoHandler standing;

    private ManualIoEventLoop loopOnThisThread() {
        return loopOnThisThread(0);
    }

    private ManualIoEventLoop loopOnThisThread(int timeoutFlags) {
        return new ManualIoEventLoop(Thread.currentThread(), executor -> {
            counting = new CountingRing(IoUringIoHandler.newFactory().newHandler(executor));
            standing = new StandingTimerIoHandler(counting, timeoutFlags);
            return standing;
        });
    }

    /** Wakes the loop from another thread in 5 ms, as a request would. */
    private static void wakeSoon(ManualIoEventLoop loop) {
        new Thread(() -> {
            LockSupport.parkNanos(5 * MS);
            loop.execute(() -> { });
        }, "waker").start();
    }

    private static void shutDown(ManualIoEventLoop loop) {
        loop.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        while (!loop.isTerminated()) {
            loop.run(MS);
        }
    }

    @Test
    void oneTimerServesManyWaitsThatIoEnds() throws Exception {
        ManualIoEventLoop loop = loopOnThisThread();
        AtomicBoolean done = new AtomicBoolean();
        // Wakes the loop as often as it can (the eventfd Netty's handler reads), as a flow of requests would.
        Thread waker = new Thread(() -> {
            while (!done.get()) {
                loop.execute(() -> { });
                LockSupport.parkNanos(50_000);
            }
        }, "waker");
        waker.start();
        long start = System.nanoTime();
        long bound = start + TimeUnit.SECONDS.toNanos(30);
        try {
            while ((counting == null || counting.blockingWaits < 2_000) && System.nanoTime() - bound < 0) {
                loop.run(25 * MS); // a shard's longest sleep, by default
            }
        } finally {
            done.set(true);
            waker.join();
        }
        long elapsed = System.nanoTime() - start;
        assertThat(counting.timedWaits).as("waits that carried Netty's timeout, of %d", counting.blockingWaits).isZero();
        // A timer a sleep period at most, when the waits' deadline moves later with each of them.
        assertThat(standing.armed()).isBetween(1L, 1 + elapsed / (25 * MS) + StandingTimerIoHandler.SLOTS);
        shutDown(loop);
    }

    @Test
    void aScheduledTaskRunsOnTimeWithNothingElseToWakeTheLoop() {
        ManualIoEventLoop loop = loopOnThisThread();
        long start = System.nanoTime();
        long[] ranAt = new long[1];
        loop.schedule(() -> ranAt[0] = System.nanoTime(), 50, TimeUnit.MILLISECONDS);
        long bound = start + TimeUnit.SECONDS.toNanos(10);
        while (ranAt[0] == 0 && System.nanoTime() - bound < 0) {
            loop.run(0); // no longest sleep: the task's deadline alone ends the wait
        }
        assertThat(ranAt[0]).as("the task ran").isNotZero();
        assertThat(ranAt[0] - start).isGreaterThanOrEqualTo(50 * MS);
        assertThat(counting.timedWaits).isZero();
        assertThat(standing.armed()).isBetween(1L, 2L);
        shutDown(loop);
    }

    @Test
    void aKernelThatRefusesTheTimerLeavesTheWaitsToNettysTimeouts() {
        ManualIoEventLoop loop = loopOnThisThread(1 << 30); // a timeout flag no kernel knows: EINVAL
        long start = System.nanoTime();
        long[] ranAt = new long[1];
        loop.schedule(() -> ranAt[0] = System.nanoTime(), 50, TimeUnit.MILLISECONDS);
        long bound = start + TimeUnit.SECONDS.toNanos(10);
        while (ranAt[0] == 0 && System.nanoTime() - bound < 0) {
            loop.run(0);
        }
        assertThat(ranAt[0]).as("the task ran").isNotZero();
        assertThat(ranAt[0] - start).isGreaterThanOrEqualTo(50 * MS);
        // One refused, its completion at once; then Netty's timeout, not a timer a wait with the loop turning for nothing.
        assertThat(standing.armed()).isEqualTo(1);
        assertThat(counting.timedWaits).isPositive();
        assertThat(counting.blockingWaits).isLessThan(10);
        shutDown(loop);
    }

    @Test
    void deadlinesEarlierThanEveryStandingTimerFallBackToNettysTimeoutWhenAllAreTaken() {
        ManualIoEventLoop loop = loopOnThisThread();
        List<Integer> ran = new ArrayList<>();
        // Each deadline earlier than the last: each needs a timer of its own, one more than there are slots.
        int tasks = StandingTimerIoHandler.SLOTS + 1;
        for (int i = 0; i < tasks; i++) {
            int delay = 2000 - 300 * i; // far enough that no timer fires before the five waits, on a loaded machine too
            loop.schedule(() -> ran.add(delay), delay, TimeUnit.MILLISECONDS);
            wakeSoon(loop);
            loop.run(0); // one wait with that deadline, ended by the wake-up
        }
        assertThat(standing.armed()).isEqualTo(StandingTimerIoHandler.SLOTS);
        assertThat(counting.timedWaits).as("the wait with all slots taken").isPositive();
        long bound = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ran.size() < tasks && System.nanoTime() - bound < 0) {
            loop.run(0);
        }
        assertThat(ran).containsExactly(800, 1100, 1400, 1700, 2000);
        shutDown(loop);
        assertThat(standing.standing()).isZero();
    }

    @Test
    void theRingsCloseRemovesItsStandingTimers() {
        ManualIoEventLoop loop = loopOnThisThread();
        loop.schedule(() -> { }, 60, TimeUnit.SECONDS);
        wakeSoon(loop);
        loop.run(0);
        assertThat(standing.standing()).isEqualTo(1);
        long start = System.nanoTime();
        shutDown(loop);
        assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThat(standing.standing()).as("timers the close removed and reaped").isZero();
    }
}
