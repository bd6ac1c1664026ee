package io.percore.demo.shard;

import java.util.Arrays;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The blocking commands whose first try is under way, on every shard (shared by every view of one
 * keyspace). A try can take several hops before it reaches a key's shard (BLMOVE's admission on its
 * destination's shard, one step per shard of a multi-key BLPOP), and a write read there after the
 * blocking command was read must still serve it first, as Redis serves in read order: so each try
 * gets a ticket, in the order tries begin anywhere, and a write that added a key while tries were
 * under way waits for the tickets issued before it to end ({@link #oldest} past them) before it
 * serves and answers ({@link KeyWaiters}).
 *
 * <p>A try begins and ends on its client's shard: that shard keeps its own tickets
 * ({@link Local}) and publishes its oldest one. Begin and end cost two atomic writes and a set
 * operation; a shard without blocking commands never touches this.
 */
public final class BlockingTries {

    /** No ticket: a command that may not block (inside MULTI, LMPOP) has no try to wait for. */
    public static final long NONE = 0;

    private final AtomicLong issued = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    /** Per client shard: its oldest ticket under way, or {@link Long#MAX_VALUE}. */
    private final AtomicLongArray oldestByShard;

    BlockingTries(int shards) {
        long[] none = new long[shards];
        Arrays.fill(none, Long.MAX_VALUE);
        oldestByShard = new AtomicLongArray(none);
    }

    /** Whether any try is under way (a key added now may be what it is after). */
    boolean any() {
        return inFlight.get() != 0;
    }

    /** The last ticket issued: every try that began before this call has one at most this. */
    long issued() {
        return issued.get();
    }

    /** The oldest ticket under way on any shard, or {@link Long#MAX_VALUE} when none is. */
    long oldest() {
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < oldestByShard.length(); i++) {
            oldest = Math.min(oldest, oldestByShard.get(i));
        }
        return oldest;
    }

    /** One shard's tries: touched only by that shard's thread. */
    public final class Local {
        private final int shard;
        private final TreeSet<Long> underWay = new TreeSet<>();

        Local(int shard) {
            this.shard = shard;
        }

        /** A try begins on this shard: its ticket. */
        public long begin() {
            long ticket = issued.incrementAndGet();
            underWay.add(ticket);
            inFlight.incrementAndGet();
            if (underWay.first() == ticket) {
                oldestByShard.set(shard, ticket);
            }
            return ticket;
        }

        /** The try of {@code ticket} ended (a second end, or {@link #NONE}, does nothing). */
        public void end(long ticket) {
            if (ticket == NONE || !underWay.remove(ticket)) {
                return;
            }
            oldestByShard.set(shard, underWay.isEmpty() ? Long.MAX_VALUE : underWay.first());
            inFlight.decrementAndGet();
        }
    }

    Local local(int shard) {
        return new Local(shard);
    }
}
