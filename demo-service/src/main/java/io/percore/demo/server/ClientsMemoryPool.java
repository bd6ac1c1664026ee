package io.percore.demo.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What the clients of all shards hold together, for {@code maxmemory-clients}, which bounds the
 * process as Redis's does, not a shard: one bulk client may take all of it while the other shards'
 * clients hold little. Each shard adds its own figure's moves here once they reach {@link #STEP}, so
 * the shared word is written about once per step of client memory, not at every read burst, and is
 * read only by a shard whose own clients hold more than their even part.
 */
final class ClientsMemoryPool {

    /** How far a shard's own figure moves before it tells the others: the pool's error is at most this per shard. */
    static final long STEP = 256 * 1024;

    private final AtomicLong total = new AtomicLong();

    /** All shards' figures as each last published them. */
    long total() {
        return total.get();
    }

    void add(long delta) {
        total.addAndGet(delta);
    }
}
