package io.percore.net.server;

import java.util.Arrays;

/**
 * The read times of the replies a connection wrote since its last flush: their latency ends when the flush hands them
 * to the socket. Kept as runs of (read time, replies), since the replies of one read burst share its read time, so a
 * burst of thousands of pipelined requests takes one run and no allocation. One per connection, on its event loop.
 */
final class UnflushedLatencies {

    private final ShardRequestMetrics metrics;
    private long[] runs;
    private int length;

    UnflushedLatencies(ShardRequestMetrics metrics) {
        this.metrics = metrics;
    }

    /** A reply to a request read at {@code readAt} was written, not flushed yet. */
    void replyWritten(long readAt) {
        int n = length;
        if (n > 0 && runs[n - 2] == readAt) {
            runs[n - 1]++;
            return;
        }
        if (runs == null) {
            runs = new long[8];
        } else if (n == runs.length) {
            runs = Arrays.copyOf(runs, n * 2);
        }
        runs[n] = readAt;
        runs[n + 1] = 1;
        length = n + 2;
    }

    /** The replies written have left the server: each one's latency ends now. */
    void flushed() {
        int n = length;
        if (n == 0) {
            return;
        }
        length = 0;
        long now = System.nanoTime();
        for (int i = 0; i < n; i += 2) {
            metrics.recordLatency(now - runs[i], runs[i + 1]);
        }
    }

    /** The connection closed: its unflushed replies will never leave. */
    void clear() {
        length = 0;
    }
}
