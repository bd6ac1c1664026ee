package io.percore.net.server;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failed TLS handshakes of one server, told to the log as one line per 10 s with their count and
 * the last reason, never a line per connection: a plain-text client or a scanner on the TLS port
 * must not fill the log. Every failure is counted per shard ({@link ShardServerMetrics#tlsHandshakeFailures()}).
 * Any shard may report; the count is shared.
 */
final class TlsFailureLog {

    private static final Logger LOG = LoggerFactory.getLogger(TlsFailureLog.class);
    private static final long INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int MAX_REASON = 160;

    private final String server;
    private final AtomicLong unlogged = new AtomicLong();
    private final AtomicLong lastLogNanos = new AtomicLong(System.nanoTime() - INTERVAL_NANOS);

    TlsFailureLog(String server) {
        this.server = server;
    }

    void failed(Object peer, Throwable cause) {
        long count = unlogged.incrementAndGet();
        long now = System.nanoTime();
        long last = lastLogNanos.get();
        if (now - last >= INTERVAL_NANOS && lastLogNanos.compareAndSet(last, now)) {
            unlogged.addAndGet(-count);
            LOG.warn("Server {}: {} TLS handshake(s) failed since the last report; the last, from {}: {}", server, count, peer, reason(cause));
        } else {
            LOG.debug("Server {}: TLS handshake from {} failed", server, peer, cause);
        }
    }

    /** The cause's class and message, cut short: a plain-text client's bytes are in Netty's message. */
    static String reason(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return text.length() > MAX_REASON ? text.substring(0, MAX_REASON) + "..." : text;
    }
}
