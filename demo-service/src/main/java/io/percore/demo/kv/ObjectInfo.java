package io.percore.demo.kv;

/**
 * What OBJECT reports of a key (Redis's {@code object.c}): its type and value, the idle time since its last access
 * (with an LRU or no eviction rank) and its decayed access frequency (with an LFU policy).
 */
public record ObjectInfo(ValueType type, Object value, long idleMillis, int frequency) {

    /** Key {@code e} of {@code table} as OBJECT reads it at {@code now}, its access rank being an LFU counter or the LRU clock. */
    static ObjectInfo of(KeyTable table, int e, boolean lfu, long now) {
        if (lfu) {
            return new ObjectInfo(table.type(e), table.value(e), 0, Eviction.lfuDecayed(table.access(e), Eviction.minutes(now)));
        }
        long idleClock = Eviction.lruIdle(table.access(e), Eviction.lruClock(now));
        return new ObjectInfo(table.type(e), table.value(e), idleClock << 10, 0);
    }
}
