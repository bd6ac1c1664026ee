package io.percore.demo.kv;

/**
 * The keys of a store that have a TTL (Redis's {@code db->expires}), as a list threaded by id through their
 * {@code KeyTable.Expiry}: adding and removing one is a few stores, and the walks need no table of their own. Two
 * cursors walk it round-robin, the active expiry cycle's (Redis's {@code expire.c}) and the volatile policies'
 * eviction sample; each resumes where it stopped. The store owns the keys and their budget; this owns the order. The
 * ids are those of the table the store hands each call (the store's, swapped with it by SWAPDB, cleared with it).
 */
final class VolatileKeys {

    /** Keys sampled per active-expiry round, and the expired fraction that triggers another round (Redis's values). */
    static final int ACTIVE_EXPIRE_SAMPLE = 20;
    static final int ACTIVE_EXPIRE_REPEAT_PERCENT = 25;

    private int head = KeyTable.NONE;
    private int count;
    private int activeCursor = KeyTable.NONE;
    private int evictCursor = KeyTable.NONE;
    /** Redis's {@code db->avg_ttl}: a running estimate of the TTL left, from the expiry cycle's samples (INFO keyspace). */
    private long avgTtl;

    /** The running estimate of the TTL left of these keys, in ms (Redis's {@code avg_ttl}); 0 when none has a TTL. */
    long avgTtl() {
        return avgTtl;
    }

    int count() {
        return count;
    }

    /** {@code e}, which has no TTL, gets one at {@code expireAt} (epoch ms). */
    void add(KeyTable table, int e, long expireAt) {
        KeyTable.Expiry x = new KeyTable.Expiry(expireAt);
        x.next = head;
        if (head != KeyTable.NONE) {
            table.expiry(head).prev = e;
        }
        head = e;
        table.expiry(e, x);
        count++;
    }

    /** {@code e}, which has a TTL, loses it (PERSIST, a write without one, a deleted key); the cursors step past it. */
    void remove(KeyTable table, int e) {
        KeyTable.Expiry x = table.expiry(e);
        if (activeCursor == e) {
            activeCursor = x.next;
        }
        if (evictCursor == e) {
            evictCursor = x.next;
        }
        if (x.prev != KeyTable.NONE) {
            table.expiry(x.prev).next = x.next;
        } else {
            head = x.next;
        }
        if (x.next != KeyTable.NONE) {
            table.expiry(x.next).prev = x.prev;
        }
        table.expiry(e, null);
        count--;
    }

    /** Every key was deleted at once (FLUSHALL): their entries go with the table. */
    void clear() {
        head = KeyTable.NONE;
        activeCursor = KeyTable.NONE;
        evictCursor = KeyTable.NONE;
        count = 0;
        avgTtl = 0;
    }

    /** The next candidate of a volatile eviction policy's sample, or {@link KeyTable#NONE} when no key has a TTL. */
    int nextForEviction(KeyTable table) {
        int e = evictCursor != KeyTable.NONE ? evictCursor : head;
        if (e != KeyTable.NONE) {
            evictCursor = table.expiry(e).next;
        }
        return e;
    }

    /**
     * Redis's active expiry, adapted: examines {@value #ACTIVE_EXPIRE_SAMPLE} keys with a TTL
     * (walking them round-robin from where the previous cycle stopped), has {@code store} delete the
     * expired ones, and repeats while more than {@value #ACTIVE_EXPIRE_REPEAT_PERCENT}% of a round had
     * expired and the time budget lasts. Returns the number of keys deleted.
     */
    int expireCycle(ValueStore store, KeyTable table, long now, long budgetNanos) {
        long deadline = System.nanoTime() + budgetNanos;
        int removed = 0;
        if (count == 0) {
            avgTtl = 0;
        }
        while (count > 0) {
            int expiredThisRound = 0;
            int sample = Math.min(ACTIVE_EXPIRE_SAMPLE, count);
            long ttlSum = 0;
            int ttlSamples = 0;
            for (int i = 0; i < sample && count > 0; i++) {
                int e = activeCursor != KeyTable.NONE ? activeCursor : head;
                KeyTable.Expiry x = table.expiry(e);
                activeCursor = x.next;
                long ttl = x.at - now;
                if (store.expireIfDue(e, now)) {
                    expiredThisRound++;
                }
                if (ttl > 0) { // the TTL of keys not expired yet, as Redis averages it
                    ttlSum += ttl;
                    ttlSamples++;
                }
            }
            if (ttlSamples > 0) {
                // Redis's running average: the estimate so far weighs 98 %, this round's 2 %
                long avg = ttlSum / ttlSamples;
                if (avgTtl == 0) {
                    avgTtl = avg;
                }
                avgTtl = (avgTtl / 50) * 49 + (avg / 50);
            }
            removed += expiredThisRound;
            if (expiredThisRound * 100 <= sample * ACTIVE_EXPIRE_REPEAT_PERCENT || System.nanoTime() >= deadline) {
                break;
            }
        }
        return removed;
    }
}
