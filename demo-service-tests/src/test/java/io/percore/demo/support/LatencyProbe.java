package io.percore.demo.support;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Another client reading {@code keys} one after the other, in a loop, while a test runs a large
 * command: how many reads it made and how long the slowest waited tell whether the command held a
 * shard (Redis's serve nobody while one runs).
 */
public final class LatencyProbe implements AutoCloseable {

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong worstNanos = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final ExecutorService pool = Executors.newSingleThreadExecutor();
    private final Future<?> prober;

    /** Starts GETting {@code keys} (say one per shard) on the server at {@code port}. */
    public LatencyProbe(int port, List<String> keys) {
        prober = pool.submit(() -> {
            try (RespTestClient p = new RespTestClient(port)) {
                while (running.get()) {
                    for (String k : keys) {
                        long t = System.nanoTime();
                        p.cmd("GET", k);
                        worstNanos.accumulateAndGet(System.nanoTime() - t, Math::max);
                        reads.incrementAndGet();
                    }
                }
            }
            return null;
        });
    }

    /** Stops the reads and waits for the last one. */
    @Override
    public void close() throws Exception {
        running.set(false);
        try {
            prober.get(30, TimeUnit.SECONDS);
        } finally {
            pool.shutdown();
        }
    }

    public long reads() {
        return reads.get();
    }

    public long worstNanos() {
        return worstNanos.get();
    }
}
