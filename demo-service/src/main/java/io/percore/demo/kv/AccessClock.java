package io.percore.demo.kv;

import java.util.SplittableRandom;

/**
 * How a shard records each use of a key, by which eviction ranks its keys (Redis's evict.c: {@code LRU_CLOCK},
 * {@code updateLFU}, {@code objectSetLRUOrLFU}): the LRU clock, or under an LFU policy the logarithmic counter with its
 * decay, kept in each key's access row of its {@code KeyTable}. One per shard, its databases sharing it as Redis's databases share the
 * server's clock. Touched by its shard's thread only.
 */
final class AccessClock {

    private final SplittableRandom random;
    /** Whether the budget's policy ranks keys by LFU: a plain field, read on every access. */
    private boolean lfu;
    /** The LRU clock (units of 1.024 s) as of the last access or timer tick, for entries written without a "now". */
    private int lruClock = Eviction.lruClock(System.currentTimeMillis());

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
    void touch(KeyTable table, int e, long now) {
        int clock = Eviction.lruClock(now);
        lruClock = clock;
        if (lfu) {
            int minutes = Eviction.minutes(now);
            table.access(e, minutes << 8 | Eviction.lfuIncrement(Eviction.lfuDecayed(table.access(e), minutes), random));
        } else {
            table.access(e, clock);
        }
    }

    /**
     * The shard's timer: Redis's serverCron keeps the LRU clock current for keys created without a "now", so a new key
     * on a shard nobody read from lately is not born idle (OBJECT IDLETIME).
     */
    void tick(long now) {
        lruClock = Eviction.lruClock(now);
    }

    /** RESTORE's IDLETIME and FREQ ({@link ValueStore#restoreAccess}). */
    void restore(KeyTable table, int e, long idleSeconds, int frequency, long now) {
        table.access(e, Eviction.restoredAccess(table.access(e), lfu, idleSeconds, frequency, now));
    }
}
