package io.percore.net.server;

import io.percore.net.ShardCounter;

/**
 * Connection and traffic counters of one server on one shard. Written only by that shard's
 * thread; readable from any thread (for Micrometer binders, Actuator, tests).
 */
public final class ShardServerMetrics {

    private final int shardId;
    final ShardCounter open = new ShardCounter();
    final ShardCounter accepted = new ShardCounter();
    final ShardCounter rejected = new ShardCounter();
    final ShardCounter bytesIn = new ShardCounter();
    final ShardCounter bytesOut = new ShardCounter();
    final ShardCounter reads = new ShardCounter();
    final ShardCounter flushes = new ShardCounter();
    final ShardCounter idleClosed = new ShardCounter();
    final ShardCounter requestsTooLarge = new ShardCounter();
    final ShardCounter acceptFailures = new ShardCounter();
    final ShardCounter tlsHandshakes = new ShardCounter();
    final ShardCounter tlsHandshakeFailures = new ShardCounter();
    final ShardRequestMetrics requests;

    ShardServerMetrics(int shardId, RequestKinds requestKinds) {
        this.shardId = shardId;
        this.requests = new ShardRequestMetrics(requestKinds);
    }

    public int shardId() {
        return shardId;
    }

    /** Connections currently open on this shard. */
    public long connectionsOpen() {
        return open.get();
    }

    /** Connections accepted and handed to the initializer since start. */
    public long connectionsAccepted() {
        return accepted.get();
    }

    /**
     * Connections closed right after accept: the shard was at max-connections-per-shard (or, on a
     * TLS port, at ssl.max-handshakes-per-shard), the process at its file-descriptor budget, or
     * the server draining.
     */
    public long connectionsRejected() {
        return rejected.get();
    }

    public long bytesIn() {
        return bytesIn.get();
    }

    public long bytesOut() {
        return bytesOut.get();
    }

    /** Reads that brought bytes (Redis's total_reads_processed). */
    public long reads() {
        return reads.get();
    }

    /** Flushes to the sockets (Redis's total_writes_processed: a write event, whatever it carries). */
    public long flushes() {
        return flushes.get();
    }

    /** Connections closed by the idle timeout. */
    public long connectionsIdleClosed() {
        return idleClosed.get();
    }

    /** Connections closed because a request exceeded max-request-size. */
    public long requestsTooLarge() {
        return requestsTooLarge.get();
    }

    /** Accepts that failed on this shard's listener (e.g. EMFILE); each one paused accepting briefly. */
    public long acceptFailures() {
        return acceptFailures.get();
    }

    /** TLS handshakes completed on this shard. */
    public long tlsHandshakes() {
        return tlsHandshakes.get();
    }

    /**
     * TLS handshakes that failed on this shard: a peer speaking plain text, no common protocol or
     * cipher, a client certificate refused, the handshake timeout, a peer gone before the end.
     */
    public long tlsHandshakeFailures() {
        return tlsHandshakeFailures.get();
    }

    /** Requests served on this shard: counts by the protocol's kinds, and latency of every reply an {@link OrderedResponder} wrote. */
    public ShardRequestMetrics requests() {
        return requests;
    }

    @Override
    public String toString() {
        return "shard " + shardId + ": open=" + open + " accepted=" + accepted + " rejected=" + rejected
                + " bytesIn=" + bytesIn + " bytesOut=" + bytesOut + " idleClosed=" + idleClosed
                + " tooLarge=" + requestsTooLarge;
    }
}
