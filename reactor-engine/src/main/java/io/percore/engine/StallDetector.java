package io.percore.engine;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A watchdog thread that notices a shard whose current loop turn has lasted longer than the
 * stall threshold. A turn is bounded by the task quota plus one task, so a long turn means one
 * task (or I/O handler) hogged the shard. It costs the shards nothing: they already publish
 * when each turn started and whether they are idle.
 *
 * <p>Each stalled turn is counted once. Logs (with the shard thread's stack) are rate-limited
 * per shard; the count is not.
 */
final class StallDetector implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(StallDetector.class);
    static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final Engine engine;
    private final long thresholdNanos;
    private final long periodMillis;
    private final long[] reportedTurn;
    private final long[] lastLog;
    private final long[] suppressed;
    private volatile boolean running = true;
    private Thread thread;

    StallDetector(Engine engine, Duration threshold) {
        this.engine = engine;
        this.thresholdNanos = threshold.toNanos();
        this.periodMillis = Math.max(1, Math.min(100, threshold.toMillis() / 5));
        int n = engine.shardCount();
        this.reportedTurn = new long[n];
        this.lastLog = new long[n];
        this.suppressed = new long[n];
        java.util.Arrays.fill(reportedTurn, Long.MIN_VALUE);
    }

    void start() {
        thread = new Thread(this, "percore-stall-detector");
        thread.setDaemon(true);
        thread.start();
    }

    void stop() {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    @Override
    public void run() {
        while (running) {
            try {
                Thread.sleep(periodMillis);
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            }
            long now = System.nanoTime();
            for (Shard s : engine.shards()) {
                check(s, now);
            }
        }
    }

    private void check(Shard shard, long now) {
        if (shard.isIdle() || shard.isTerminated()) {
            return;
        }
        long turnStart = shard.stats().lastLoopTurnNanos();
        long stalledFor = now - turnStart;
        int id = shard.id();
        if (stalledFor < thresholdNanos || reportedTurn[id] == turnStart || shard.isIdle()) {
            return;
        }
        reportedTurn[id] = turnStart;
        shard.stats().stallDetected();
        if (lastLog[id] != 0 && now - lastLog[id] < LOG_INTERVAL_NANOS) {
            suppressed[id]++;
            return;
        }
        lastLog[id] = now;
        long notLogged = suppressed[id];
        suppressed[id] = 0;
        StringBuilder stack = new StringBuilder();
        for (StackTraceElement e : shard.thread().getStackTrace()) {
            stack.append("\n\tat ").append(e);
        }
        LOG.warn("Reactor stalled for {} ms on shard {}{}; shard thread stack:{}",
                TimeUnit.NANOSECONDS.toMillis(stalledFor), id,
                notLogged > 0 ? " (" + notLogged + " earlier stalls not logged)" : "", stack);
    }
}
