package io.percore.operator.backup;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client writing {@code w:0, w:1, ...} one at a time, each after the last was acknowledged, and timing each write:
 * so a snapshot taken meanwhile holds {@code w:0 .. w:k-1} for one k, and the latencies say whether the backup held
 * the clients up.
 */
final class Writer implements AutoCloseable {

    private final int port;
    private final String password;
    private final Thread thread;
    private final AtomicLong acked = new AtomicLong();
    /** Per write: when it was acknowledged (nanoTime) and how long it took. */
    private final List<long[]> samples = new ArrayList<>();
    private volatile boolean stop;
    private volatile Exception failure;

    Writer(int port, String password) {
        this.port = port;
        this.password = password;
        this.thread = new Thread(this::write, "writer-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    private void write() {
        try (RespPipe p = new RespPipe(port, password)) {
            for (long i = 0; !stop; i++) {
                long t0 = System.nanoTime();
                Object reply = p.call("SET", "w:" + i, Long.toString(i));
                long t1 = System.nanoTime();
                if (!"OK".equals(reply)) {
                    throw new IOException("SET w:" + i + ": " + reply);
                }
                acked.incrementAndGet();
                synchronized (samples) {
                    samples.add(new long[] {t1, t1 - t0});
                }
            }
        } catch (Exception e) {
            failure = e;
        }
    }

    /** Writes acknowledged so far. */
    long acked() {
        return acked.get();
    }

    /** Writes acknowledged between two times (nanoTime). */
    long ackedBetween(long from, long to) {
        synchronized (samples) {
            return samples.stream().filter(s -> s[0] >= from && s[0] <= to).count();
        }
    }

    /** The 99th percentile of the latencies of the writes acknowledged between two times, in microseconds; -1 if none. */
    long p99Micros(long from, long to) {
        List<Long> l;
        synchronized (samples) {
            l = samples.stream().filter(s -> s[0] >= from && s[0] <= to).map(s -> s[1]).sorted().toList();
        }
        return l.isEmpty() ? -1 : l.get(Math.min(l.size() - 1, (int) Math.ceil(l.size() * 0.99) - 1)) / 1000;
    }

    Exception failure() {
        return failure;
    }

    @Override
    public void close() throws InterruptedException {
        stop = true;
        thread.join(30_000);
    }
}
