package io.percore.demo.kv;

/**
 * What OBJECT reports of a key (Redis's {@code object.c}): its type and value, the idle time since its last access
 * (with an LRU or no eviction rank) and its decayed access frequency (with an LFU policy).
 */
public record ObjectInfo(ValueType type, Object value, long idleMillis, int frequency) {

    /** {@code e} as OBJECT reads it at {@code now}, its access rank being an LFU counter or the LRU clock. */
    static ObjectInfo of(KeyTable.Entry e, boolean lfu, long now) {
        if (lfu) {
            return new ObjectInfo(e.type, e.value, 0, Eviction.lfuDecayed(e.access, Eviction.minutes(now)));
        }
        long idleClock = Math.max(0, (int) (now >>> 10) - e.access);
        return new ObjectInfo(e.type, e.value, idleClock << 10, 0);
    }
}
