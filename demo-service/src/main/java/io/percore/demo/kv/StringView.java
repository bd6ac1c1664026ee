package io.percore.demo.kv;

/**
 * A stored string read in place, whichever form holds it: a plain {@code byte[]} (exact length) or a
 * {@link GrowableString} (its array may be longer than the string). {@code array} is valid up to
 * {@code length} until the shard's next write and must not be kept or changed: commands that only
 * look (GETBIT, BITCOUNT, STRLEN, GETRANGE, ...) read it without copying.
 */
public record StringView(byte[] array, int length) {

    /** The view of a value {@link ValueStore#lookupRead} returned for {@link ValueType#STRING}; null for null. */
    public static StringView of(Object stored) {
        if (stored == null) {
            return null;
        }
        if (stored instanceof byte[] bytes) {
            return new StringView(bytes, bytes.length);
        }
        GrowableString g = (GrowableString) stored;
        return new StringView(g.array(), g.length());
    }

    /**
     * A view the caller may keep past the command or hand to another shard (BITOP's and LCS's
     * sources): a {@link GrowableString}'s array is shared, so its next change copies it first.
     */
    public static StringView shared(Object stored) {
        if (stored instanceof GrowableString g) {
            int length = g.length();
            return new StringView(g.share(), length);
        }
        return of(stored);
    }

    /** The byte at {@code index} (0 ≤ index < length), unsigned. */
    public int at(long index) {
        return array[(int) index] & 0xFF;
    }

    /** A copy of bytes {@code from}..{@code to} exclusive. */
    public byte[] copy(int from, int to) {
        return java.util.Arrays.copyOfRange(array, from, to);
    }

    /** A copy of the whole string. */
    public byte[] copy() {
        return copy(0, length);
    }
}
