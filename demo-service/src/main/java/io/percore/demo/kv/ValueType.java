package io.percore.demo.kv;

/**
 * The type tag of a stored value (Redis's {@code OBJ_STRING}, {@code OBJ_HASH}, ...), compared by
 * identity. A type's commands ask {@link ValueStore#lookupRead}/{@link ValueStore#lookupWrite} for
 * its tag.
 */
public final class ValueType {

    /** The tags by {@link #code}: a key table keeps a key's tag as this one byte, not as a reference. Before the tags, which add themselves. */
    private static volatile ValueType[] byCode = new ValueType[0];

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
    private final byte code;

    ValueType(String name) {
        this.name = name;
        synchronized (ValueType.class) {
            ValueType[] known = byCode;
            if (known.length > KeyTable.TYPE_CODE) {
                throw new IllegalStateException("more than " + (KeyTable.TYPE_CODE + 1) + " value types");
            }
            this.code = (byte) known.length;
            ValueType[] more = java.util.Arrays.copyOf(known, known.length + 1);
            more[code] = this;
            byCode = more;
        }
    }

    /** This tag as one byte ({@link #ofCode}). */
    byte code() {
        return code;
    }

    /** The tag whose {@link #code} is {@code code}. */
    static ValueType ofCode(byte code) {
        return byCode[code];
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
