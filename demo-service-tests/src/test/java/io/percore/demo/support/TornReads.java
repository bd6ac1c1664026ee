package io.percore.demo.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * An isolation check: one writer sends a command that gives every one of {@code keys} the same new
 * value (round {@code i}), while two readers MGET them; a reader that sees them differ saw half of
 * one command. Counted, not timed: it runs until 200 writes and 200 reads (or a torn read), whatever
 * the machine's load (a write holding 3 shards made ~30 a second at a load of 20 on 2 cores).
 */
public final class TornReads {

    private TornReads() {
    }

    /**
     * @param writer   the writer's connection (placed on a shard of the caller's choosing)
     * @param command  the writer's command of round {@code i}
     * @param answer   what that command answers
     */
    public static void check(TestServices demo, Callable<RespTestClient> writer, IntFunction<String[]> command, Object answer,
                             String... keys) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicLong writes = new AtomicLong();
        ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<?> writing = pool.submit(() -> {
                try (RespTestClient w = writer.call()) {
                    for (int i = 1; !stop.get(); i++) {
                        Object r = w.cmd(command.apply(i));
                        if (!Objects.equals(answer, r)) {
                            torn.add("the write answered " + r);
                        }
                        writes.incrementAndGet();
                    }
                }
                return null;
            });
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    try (RespTestClient rd = new RespTestClient(demo.respPort())) {
                        String[] mget = new String[keys.length + 1];
                        mget[0] = "MGET";
                        System.arraycopy(keys, 0, mget, 1, keys.length);
                        while (!stop.get()) {
                            List<?> got = (List<?>) rd.cmd(mget);
                            if (got.stream().distinct().count() != 1) {
                                torn.add("MGET " + got);
                            }
                            reads.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && torn.isEmpty() && (writes.get() < 200 || reads.get() < 200)) {
                Thread.sleep(20);
            }
            stop.set(true);
            writing.get(30, TimeUnit.SECONDS);
            for (Future<?> f : readers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(torn).as("reads that saw half of a write, of " + reads.get()).isEmpty();
        assertThat(reads.get()).as("reads made").isGreaterThanOrEqualTo(200);
        assertThat(writes.get()).as("writes made").isGreaterThanOrEqualTo(200);
    }
}
