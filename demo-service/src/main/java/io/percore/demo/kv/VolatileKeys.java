package io.percore.demo.kv;

/**
 * The keys of a store that have a TTL (Redis's {@code db->expires}), as a list threaded through their
 * {@code KeyTable.Expiry}: adding and removing one is a few stores, and the walks need no table of their own. Two
 * cursors walk it round-robin, the active expiry cycle's (Redis's {@code expire.c}) and the volatile policies'
 * eviction sample; each resumes where it stopped. The store owns the entries and their budget; this owns the order.
 */
final class VolatileKeys {

    /** Keys sampled per active-expiry round, and the expired fraction that triggers another round (Redis's values). */
    static final int ACTIVE_EXPIRE_SAMPLE = 20;
    static final int ACTIVE_EXPIRE_REPEAT_PERCENT = 25;

    private KeyTable.Entry head;
    private int count;
    private KeyTable.Entry activeCursor;
    private KeyTable.Entry evictCursor;
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
    void add(KeyTable.Entry e, long expireAt) {
        KeyTable.Expiry x = new KeyTable.Expiry(expireAt);
        x.next = head;
        if (head != null) {
            head.expiry.prev = e;
        }
        head = e;
        e.expiry = x;
        count++;
    }

    /** {@code e}, which has a TTL, loses it (PERSIST, a write without one, a deleted key); the cursors step past it. */
    void remove(KeyTable.Entry e) {
        KeyTable.Expiry x = e.expiry;
        if (activeCursor == e) {
            activeCursor = x.next;
        }
        if (evictCursor == e) {
            evictCursor = x.next;
        }
        if (x.prev != null) {
            x.prev.expiry.next = x.next;
        } else {
            head = x.next;
        }
        if (x.next != null) {
            x.next.expiry.prev = x.prev;
        }
        e.expiry = null;
        count--;
    }

    /** Every key was deleted at once (FLUSHALL): their entries go with the table. */
    void clear() {
        head = null;
        activeCursor = null;
        evictCursor = null;
        count = 0;
        avgTtl = 0;
    }

    /** The next candidate of a volatile eviction policy's sample, or null when no key has a TTL. */
    KeyTable.Entry nextForEviction() {
        KeyTable.Entry e = evictCursor != null ? evictCursor : head;
        if (e != null) {
            evictCursor = e.expiry.next;
        }
        return e;
    }

    /**
     * Redis's active expiry, adapted: examines {@value #ACTIVE_EXPIRE_SAMPLE} keys with a TTL
     * (walking them round-robin from where the previous cycle stopped), has {@code store} delete the
     * expired ones, and repeats while more than {@value #ACTIVE_EXPIRE_REPEAT_PERCENT}% of a round had
     * expired and the time budget lasts. Returns the number of keys deleted.
     */
    int expireCycle(ValueStore store, long now, long budgetNanos) {
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
                KeyTable.Entry e = activeCursor != null ? activeCursor : head;
                activeCursor = e.expiry.next;
                long ttl = e.expiry.at - now;
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
