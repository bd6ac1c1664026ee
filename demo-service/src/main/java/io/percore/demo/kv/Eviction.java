package io.percore.demo.kv;

import java.util.SplittableRandom;

/**
 * Redis's {@code evict.c} for one store: which key goes when the shard is over its budget, and the access rank the
 * policies compare (the LRU clock, or the LFU counter with its decay). The store keeps the rank of each entry in
 * each key's access row of its {@code KeyTable} and calls here; the budget's bookkeeping stays in {@link ValueStore}, on its hot path.
 */
final class Eviction {

    /** Evictions one write may trigger before it gives up and answers -OOM (CONFIG SET maxmemory may cut deep). */
    static final int MAX_EVICTIONS_PER_WRITE = 10_000;
    /** Redis's LFU constants: initial counter, lfu-log-factor, lfu-decay-time (minutes). */
    static final int LFU_INIT_VAL = 5;
    static final int LFU_LOG_FACTOR = 10;
    static final int LFU_DECAY_MINUTES = 1;

    private Eviction() {
    }

    /**
     * Samples {@code maxmemory-samples} candidates (random keys, or keys with a TTL walked
     * round-robin for the volatile policies) and returns the one the policy ranks first:
     * least recently used, least frequently used (Redis's decayed logarithmic counter), nearest
     * expiry, or any. Redis keeps a pool of the best candidates across calls; a fresh sample per
     * eviction is the same approximation with a little less precision.
     */
    static int pickVictim(KeyTable table, VolatileKeys volatileKeys, MemoryBudget budget, SplittableRandom random,
                                     long now) {
        MaxmemoryPolicy policy = budget.policy();
        int nowMinutes = minutes(now);
        int nowClock = lruClock(now);
        int best = KeyTable.NONE;
        long bestRank = Long.MAX_VALUE;
        for (int i = 0; i < budget.samples(); i++) {
            int candidate = policy.volatileOnly ? volatileKeys.nextForEviction(table) : table.random(random);
            if (candidate == KeyTable.NONE) {
                break;
            }
            long rank = rank(table, candidate, policy, nowMinutes, nowClock);
            if (best == KeyTable.NONE || rank < bestRank) {
                best = candidate;
                bestRank = rank;
            }
        }
        return best;
    }

    /** How soon the policy takes {@code e}: the lower, the sooner (its LRU clock, decayed LFU counter or expiry; 0 for random). */
    static long rankAt(KeyTable table, int e, MaxmemoryPolicy policy, long now) {
        return rank(table, e, policy, minutes(now), lruClock(now));
    }

    private static long rank(KeyTable table, int e, MaxmemoryPolicy policy, int nowMinutes, int nowClock) {
        return switch (policy.rank) {
            case LRU -> -lruIdle(table.access(e), nowClock);
            case LFU -> lfuDecayed(table.access(e), nowMinutes);
            case TTL -> table.expireAt(e);
            default -> 0;
        };
    }

    /**
     * The access rank of a key RESTOREd with IDLETIME or FREQ (Redis's {@code objectSetLRUOrLFU}): a {@code frequency}
     * of 0..255 as the LFU counter, or the LRU clock {@code idleSeconds} before {@code now}; {@code access} as it was
     * when the value is negative or the policy does not rank by it.
     */
    static int restoredAccess(int access, boolean lfu, long idleSeconds, int frequency, long now) {
        if (lfu) {
            return frequency >= 0 ? minutes(now) << 8 | Math.min(frequency, 255) : access;
        }
        if (idleSeconds < 0) {
            return access;
        }
        long idleMillis = idleSeconds > now / 1000 ? now : idleSeconds * 1000;
        // whole clock units of 1.024 s, rounded up: OBJECT IDLETIME then reads at least the seconds restored
        return (int) ((now >>> 10) - (idleMillis + 1023) / 1024) & KeyTable.ACCESS;
    }

    /** The LRU clock at {@code now}: units of 1.024 s (a shift, not a division), 24 bits as a key's access rank keeps it. */
    static int lruClock(long now) {
        return (int) (now >>> 10) & KeyTable.ACCESS;
    }

    /**
     * The clock units since a key's last access {@code access} by the LRU clock {@code nowClock}, across the 24-bit
     * clock's wrap (Redis's {@code estimateObjectIdleTime}); an access stamped after {@code nowClock} (a command's
     * "now" a moment behind another's) is 0, so idle times run to 99 days, half the clock's round.
     */
    static long lruIdle(int access, int nowClock) {
        int idle = (nowClock - access) & KeyTable.ACCESS;
        return idle > KeyTable.ACCESS >>> 1 ? 0 : idle;
    }

    /** The LFU clock: minutes, 16 bits, as Redis's LFUGetTimeInMinutes. */
    static int minutes(long now) {
        return (int) ((now / 60_000) & 0xFFFF);
    }

    /** Redis's LFUDecrAndReturn: the counter less one per elapsed decay period. */
    static int lfuDecayed(int access, int nowMinutes) {
        int last = access >>> 8;
        int counter = access & 0xFF;
        int elapsed = nowMinutes >= last ? nowMinutes - last : 0xFFFF - last + nowMinutes;
        int periods = elapsed / LFU_DECAY_MINUTES;
        return periods > counter ? 0 : counter - periods;
    }

    /** Redis's LFULogIncr: the counter grows with probability 1 / ((counter - 5) * 10 + 1). */
    static int lfuIncrement(int counter, SplittableRandom random) {
        if (counter == 255) {
            return 255;
        }
        double base = Math.max(0, counter - LFU_INIT_VAL);
        return random.nextDouble() < 1.0 / (base * LFU_LOG_FACTOR + 1) ? counter + 1 : counter;
    }
}
