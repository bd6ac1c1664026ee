package io.percore.demo.kv;

/**
 * The type tag of a stored value (Redis's {@code OBJ_STRING}, {@code OBJ_HASH}, ...), compared by
 * identity. A type's commands ask {@link ValueStore#lookupRead}/{@link ValueStore#lookupWrite} for
 * its tag.
 */
public final class ValueType {

    /**
     * A byte string: a {@code byte[]} when written whole (replaced, never changed in place), a
     * {@link GrowableString} once APPEND, SETRANGE or a bit command changed it in place.
     */
    public static final ValueType STRING = new ValueType("string");

    /** Field → value, stored as a {@link HashValue} (mutated in place). */
    public static final ValueType HASH = new ValueType("hash");

    /** Distinct members, stored as a {@link SetValue} (mutated in place). */
    public static final ValueType SET = new ValueType("set");

    /** A sequence, stored as a {@link ListValue} (mutated in place). */
    public static final ValueType LIST = new ValueType("list");

    /** Members ordered by score, stored as a {@link ZSetValue} (mutated in place). */
    public static final ValueType ZSET = new ValueType("zset");

    /** Entries by ID with consumer groups, stored as a {@link StreamValue} (mutated in place). */
    public static final ValueType STREAM = new ValueType("stream");

    private final String name;

    ValueType(String name) {
        this.name = name;
    }

    /** The name TYPE replies and SCAN ... TYPE filters by. */
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }
}
