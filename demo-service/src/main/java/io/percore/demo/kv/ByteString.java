package io.percore.demo.kv;

import java.util.Arrays;

/**
 * A byte string with value equality, for hash fields, set members and reserved keys as map keys.
 * Its hash is seeded ({@link SipHash}) and it is {@link Comparable}, so a client cannot make a map's
 * lookups linear with fields that collide ({@code Arrays.hashCode} collides for "Aa" and "BB"), and
 * even colliding keys fall into the map's balanced tree bins.
 */
public record ByteString(byte[] bytes) implements Comparable<ByteString> {

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return SipHash.hash32(bytes);
    }

    /** Unsigned byte order, as Redis compares strings ({@code memcmp}). */
    @Override
    public int compareTo(ByteString other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
