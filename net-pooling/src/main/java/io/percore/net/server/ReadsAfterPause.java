package io.percore.net.server;

/**
 * Declared by a server's initializer whose connections take a read that arrives after they turned auto-read off (a
 * request held in the decoder or behind a barrier, or answered: a bounded amount, one receive's). Such a server's
 * connections receive into the shard's buffer ring on io_uring ({@code ShardTransport#useReceiveRing}): their next
 * receive is armed before a pause and completes once after it. Without it a connection reads only after readiness, and
 * a pause stops reading at once.
 */
public interface ReadsAfterPause {
}
