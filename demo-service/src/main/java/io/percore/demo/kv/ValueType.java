package io.percore.demo.kv;

/**
 * The type tag of a stored value (Redis's {@code OBJ_STRING}, {@code OBJ_HASH}, ...), compared by
 * identity. Strings, hashes, sets and lists exist; sorted sets add a constant here and their
 * commands ask {@link ValueStore#lookupRead}/{@link ValueStore#lookupWrite} for their tag.
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
