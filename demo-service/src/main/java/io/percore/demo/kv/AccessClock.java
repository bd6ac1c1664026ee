package io.percore.demo.kv;

import java.util.SplittableRandom;

/**
 * How a shard records each use of a key, by which eviction ranks its keys (Redis's evict.c: {@code LRU_CLOCK},
 * {@code updateLFU}, {@code objectSetLRUOrLFU}): the LRU clock, or under an LFU policy the logarithmic counter with its
 * decay, kept in each entry's {@code access}. One per shard, its databases sharing it as Redis's databases share the
 * server's clock. Touched by its shard's thread only.
 */
final class AccessClock {

    private final SplittableRandom random;
    /** Whether the budget's policy ranks keys by LFU: a plain field, read on every access. */
    private boolean lfu;
    /** The LRU clock (units of 1.024 s) as of the last access or timer tick, for entries written without a "now". */
    private int lruClock = (int) (System.currentTimeMillis() >>> 10);

    AccessClock(SplittableRandom random) {
        this.random = random;
    }

    /** The budget's policy from the next access on. */
    void rankBy(MaxmemoryPolicy policy) {
        lfu = policy.rank == MaxmemoryPolicy.Rank.LFU;
    }

    boolean lfu() {
        return lfu;
    }

    /** A new key's record. */
    int initial() {
        // LFU's minutes from the wall clock, as its decay reads them: the LRU clock lags up to a tick
        // behind, and a minute turning in between would decay a new key's counter before its first read
        return lfu ? Eviction.minutes(System.currentTimeMillis()) << 8 | Eviction.LFU_INIT_VAL : lruClock;
    }

    /**
     * Records an access: the LRU clock (a shift, not a division: units of 1.024 s, Redis's own resolution is 1 s) or
     * Redis's LFU counter. Two plain stores per access.
     */
    void touch(KeyTable.Entry e, long now) {
        int clock = (int) (now >>> 10);
        lruClock = clock;
        if (lfu) {
            int minutes = Eviction.minutes(now);
            e.access = minutes << 8 | Eviction.lfuIncrement(Eviction.lfuDecayed(e.access, minutes), random);
        } else {
            e.access = clock;
        }
    }

    /**
     * The shard's timer: Redis's serverCron keeps the LRU clock current for keys created without a "now", so a new key
     * on a shard nobody read from lately is not born idle (OBJECT IDLETIME).
     */
    void tick(long now) {
        lruClock = (int) (now >>> 10);
    }

    /** RESTORE's IDLETIME and FREQ ({@link ValueStore#restoreAccess}). */
    void restore(KeyTable.Entry e, long idleSeconds, int frequency, long now) {
        e.access = Eviction.restoredAccess(e.access, lfu, idleSeconds, frequency, now);
    }
}
