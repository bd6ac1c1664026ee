package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.percore.config.EngineConfig;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: a stall is reported with its true length, as it grows and when it ends, whether the
 * shard is stuck in a task, a timer or an I/O handler; a short stall does not hide a long one.
 * (Before: a stall of seconds was logged as "stalled for 25-42 ms", the detection time, and a
 * 10 s rate limit hid the second stall entirely.)
 */
class StallReportTest {

    private static final long THRESHOLD_MS = 25;

    /**
     * What the detector reported, per shard, in order: "growing stack=<bool>" and "ended". Kept per
     * shard because the other shard of the engine can stall for real on a loaded machine (a turn
     * descheduled for longer than the 25 ms threshold): CI once read shard 0's 25 ms report among
     * shard 1's growing figures, [26, 50, 100, 25, 200, 400].
     */
    private static final class Recorder implements StallListener {
        private final Map<Integer, List<String>> reports = new ConcurrentHashMap<>();
        private final Map<Integer, List<Long>> endedMillis = new ConcurrentHashMap<>();
        private final Map<Integer, List<Long>> growingMillis = new ConcurrentHashMap<>();

        private static <T> List<T> of(Map<Integer, List<T>> byShard, int shard) {
            return byShard.computeIfAbsent(shard, s -> new CopyOnWriteArrayList<>());
        }

        List<String> reports(int shard) {
            return of(reports, shard);
        }

        List<Long> endedMillis(int shard) {
            return of(endedMillis, shard);
        }

        List<Long> growingMillis(int shard) {
            return of(growingMillis, shard);
        }

        @Override
        public void growing(int shard, long stalledNanos, StackTraceElement[] stack) {
            // the report first: a test waits on the figures' list, then reads the reports
            reports(shard).add("growing stack=" + (stack != null));
            growingMillis(shard).add(TimeUnit.NANOSECONDS.toMillis(stalledNanos));
        }

        @Override
        public void ended(int shard, long totalNanos) {
            reports(shard).add("ended");
            endedMillis(shard).add(TimeUnit.NANOSECONDS.toMillis(totalNanos));
        }
    }

    private static Engine engine(Recorder recorder) {
        return engine(recorder, THRESHOLD_MS);
    }

    private static Engine engine(Recorder recorder, long thresholdMillis) {
        EngineConfig c = TestEngines.config();
        c.setStallThreshold(Duration.ofMillis(thresholdMillis));
        Engine engine = TestEngines.start(c, 2);
        engine.stallDetector().listener(recorder);
        return engine;
    }

    private static void awaitEnded(Recorder r, int shard, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.endedMillis(shard).size() < count && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(r.endedMillis(shard)).hasSizeGreaterThanOrEqualTo(count);
    }

    /**
     * The stall a test caused on a shard that also serves the test's setup: awaited until one at
     * least {@code atLeastMillis} long has ended (a shorter one before it is the setup's turn
     * descheduled on a loaded machine, a real stall too), and returned as the longest.
     */
    private static long awaitStallEnded(Recorder r, int shard, long atLeastMillis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.endedMillis(shard).stream().noneMatch(ms -> ms >= atLeastMillis) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        return r.endedMillis(shard).stream().mapToLong(Long::longValue).max().orElse(0);
    }

    @Test
    void aStallInATaskIsReportedAsItGrowsAndWithItsTotal() throws Exception {
        Recorder r = new Recorder();
        try (Engine engine = engine(r)) {
            await(engine.submitTo(1, () -> {
                Thread.sleep(420);
                return null;
            }));
            awaitEnded(r, 1, 1);
            // Reported as it grows, at 1x, 2x, 4x, 8x the threshold when the detector looks (25, 50, 100,
            // 200 ms on a quiet machine; at load 27 its thread ran at 25, 155 and 205 ms only) ...
            assertThat(r.growingMillis(1)).hasSizeGreaterThanOrEqualTo(2);
            assertThat(r.growingMillis(1)).isSorted().doesNotHaveDuplicates();
            assertThat(r.growingMillis(1).get(0)).isGreaterThanOrEqualTo(THRESHOLD_MS);
            // ... and the end with the true length: the task slept 420 ms.
            assertThat(r.endedMillis(1).get(0)).isBetween(400L, 5_000L);
            assertThat(r.reports(1).get(0)).as("the first report carries the stack").isEqualTo("growing stack=true");
            assertThat(engine.shard(1).stats().stalls()).isEqualTo(1);
            assertThat(engine.shard(1).stats().stallNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(400));
        }
    }

    /** Issue 15: a shard stuck at 100 % read 0.0004 utilization; it reads 1.0 while stuck, and an idle one stays low. */
    @Test
    void aStuckShardReadsFullUtilization() throws Exception {
        Recorder r = new Recorder();
        try (Engine engine = engine(r)) {
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            engine.submitTo(1, () -> {
                release.await(30, TimeUnit.SECONDS);
                return null;
            });
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (engine.shard(1).stats().utilization() < 1.0 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(engine.shard(1).stats().utilization()).isEqualTo(1.0);
                assertThat(engine.shard(0).stats().utilization()).as("idle shard").isLessThan(0.5);
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void aShortStallDoesNotHideALongOneThatFollows() throws Exception {
        Recorder r = new Recorder();
        try (Engine engine = engine(r)) {
            await(engine.submitTo(1, () -> {
                Thread.sleep(130);
                return null;
            }));
            awaitEnded(r, 1, 1);
            await(engine.submitTo(1, () -> {
                Thread.sleep(600);
                return null;
            }));
            awaitEnded(r, 1, 2);
            assertThat(r.endedMillis(1).get(0)).isBetween(120L, 2_000L);
            assertThat(r.endedMillis(1).get(1)).isBetween(580L, 5_000L);
            assertThat(r.growingMillis(1)).anySatisfy(ms -> assertThat(ms).isGreaterThanOrEqualTo(400));
            assertThat(engine.shard(1).stats().stalls()).isEqualTo(2);
            assertThat(engine.shard(1).stats().longestStallNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(580));
        }
    }

    @Test
    void aStallInATimerIsReported() throws Exception {
        Recorder r = new Recorder();
        try (Engine engine = engine(r)) {
            await(engine.submitTo(0, () -> {
                Shard.current().schedule(Duration.ofMillis(10), () -> {
                    try {
                        Thread.sleep(300);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                return null;
            }));
            assertThat(awaitStallEnded(r, 0, 280)).isBetween(280L, 5_000L);
        }
    }

    @Test
    void aStallInAnIoHandlerIsReported() throws Exception {
        Recorder r = new Recorder();
        try (Engine engine = engine(r)) {
            Shard shard = engine.shard(0);
            Channel server = TestEngines.serveOn(shard, () -> new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                    // A handler that hogs its shard for 300 ms of CPU. Run while the shard
                                    // sleeps in the poll, it is seen by the thread's CPU time.
                                    // Spun to 300 ms of this thread's CPU, not of the clock: on a loaded machine
                                    // 300 ms of wall time gave the detector (which reads CPU time) 222 ms once.
                                    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
                                    long end = threads.getCurrentThreadCpuTime() + TimeUnit.MILLISECONDS.toNanos(300);
                                    long spin = 0;
                                    while (threads.getCurrentThreadCpuTime() < end) {
                                        spin++;
                                    }
                                    ctx.channel().attr(io.netty.util.AttributeKey.valueOf("spins")).set(spin);
                                    ctx.close();
                                }
                            });
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                client.getOutputStream().write(1);
                client.getOutputStream().flush();
                // CPU time counts from the first check inside the poll: up to one period (5 ms) late.
                assertThat(awaitStallEnded(r, 0, 250)).isBetween(250L, 5_000L);
            } finally {
                server.close().sync();
            }
        }
    }

    /** A handler that blocks (sleeps) inside the poll uses no CPU: its thread state gives it away. */
    @Test
    void aBlockingIoHandlerIsReported() throws Exception {
        Recorder r = new Recorder();
        try (Engine engine = engine(r)) {
            Shard shard = engine.shard(0);
            Channel server = TestEngines.serveOn(shard, () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                    io.netty.util.ReferenceCountUtil.release(msg);
                    Thread.sleep(600); // blocking I/O or a lock, as a careless handler would
                    ctx.close();
                }
            });
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                client.getOutputStream().write(1);
                client.getOutputStream().flush();
                // counted from the watchdog's first look that found the thread blocked: a loaded machine runs
                // that look late (207 of 300 ms seen at load 12), so the block is long enough to leave room for it
                assertThat(awaitStallEnded(r, 0, 400)).isBetween(400L, 5_000L);
                assertThat(r.endedMillis(0)).as("the 600 ms block is one stall, not one per look")
                        .filteredOn(ms -> ms >= 100).hasSize(1);
                assertThat(shard.stats().stalls()).as("each reported stall counted once").isEqualTo(r.endedMillis(0).size());
            } finally {
                server.close().sync();
            }
        }
    }

    /**
     * Short blocks inside the poll (a handler sleeping 3 ms per read, well under the 250 ms threshold)
     * are no stall: a block first seen at a look is dated back by at most a fifth of the threshold,
     * not to the previous look, which can be a whole threshold ago now that the watchdog sleeps
     * until a report could be due (dated back to it, about every other look reported a stall here).
     */
    @Test
    void shortBlocksInAnIoHandlerAreNoStall() throws Exception {
        Recorder r = new Recorder();
        long thresholdMillis = 250;
        // A stall is wall time, and a thread the OS does not run for a while is one: at a load of 20 on
        // two CPUs a 3 ms sleep came back after more than 25 ms, and now and then after a quarter of a
        // second. So the handler times each of its blocks as the shard thread lived it (its sleep and
        // the wait to run again), and a report must be explained by one: at most that long plus the
        // fifth of the threshold a first sight is dated back. Dated back to the previous look (the
        // defect this guards), 3 ms blocks were reported at about every other look.
        AtomicLong longestBlockNanos = new AtomicLong();
        try (Engine engine = engine(r, thresholdMillis)) {
            Shard shard = engine.shard(0);
            Channel server = TestEngines.serveOn(shard, () -> new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
                    io.netty.util.ReferenceCountUtil.release(msg);
                    long start = System.nanoTime();
                    Thread.sleep(3);
                    longestBlockNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
                }
            });
            try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
                long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1_500);
                while (System.nanoTime() < end) {
                    client.getOutputStream().write(1);
                    client.getOutputStream().flush();
                    Thread.sleep(4);
                }
            } finally {
                server.close().sync();
            }
            long longestBlockMillis = TimeUnit.NANOSECONDS.toMillis(longestBlockNanos.get());
            long explained = longestBlockMillis + thresholdMillis / 5 + 1;
            assertThat(r.growingMillis(0)).as("stalls reported for 3 ms blocks, the longest of which the OS made %d ms", longestBlockMillis)
                    .allSatisfy(reported -> assertThat(reported).isLessThanOrEqualTo(explained));
            if (longestBlockMillis < thresholdMillis - thresholdMillis / 5) {
                assertThat(r.growingMillis(0)).as("no block came near the threshold").isEmpty();
                assertThat(shard.stats().stalls()).isZero();
            }
        }
    }
}
