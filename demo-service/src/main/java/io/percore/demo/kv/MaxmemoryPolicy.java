package io.percore.demo.kv;

import java.util.Locale;

/** Redis's {@code maxmemory-policy}: what a shard does when a write would take it over its budget. */
public enum MaxmemoryPolicy {
    NOEVICTION(false, Rank.NONE),
    ALLKEYS_LRU(false, Rank.LRU),
    ALLKEYS_LFU(false, Rank.LFU),
    ALLKEYS_RANDOM(false, Rank.RANDOM),
    VOLATILE_LRU(true, Rank.LRU),
    VOLATILE_LFU(true, Rank.LFU),
    VOLATILE_RANDOM(true, Rank.RANDOM),
    VOLATILE_TTL(true, Rank.TTL);

    /** How candidates are compared: the victim is the one Redis would evict first. */
    enum Rank { NONE, LRU, LFU, RANDOM, TTL }

    final boolean volatileOnly;
    final Rank rank;

    MaxmemoryPolicy(boolean volatileOnly, Rank rank) {
        this.volatileOnly = volatileOnly;
        this.rank = rank;
    }

    /** An LFU policy: entries keep Redis's access-frequency counter (OBJECT FREQ), not their last access (OBJECT IDLETIME). */
    public boolean isLfu() {
        return rank == Rank.LFU;
    }

    /** An LRU policy (with maxmemory set, Redis then stops sharing small integers: OBJECT REFCOUNT). */
    public boolean isLru() {
        return rank == Rank.LRU;
    }

    /** Redis's spelling, e.g. {@code allkeys-lru}. */
    public String redisName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** @throws IllegalArgumentException naming the accepted values */
    public static MaxmemoryPolicy fromRedisName(String name) {
        for (MaxmemoryPolicy p : values()) {
            if (p.redisName().equalsIgnoreCase(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a maxmemory-policy (noeviction, allkeys-lru, allkeys-lfu, "
                + "allkeys-random, volatile-lru, volatile-lfu, volatile-random, volatile-ttl)");
    }
}
