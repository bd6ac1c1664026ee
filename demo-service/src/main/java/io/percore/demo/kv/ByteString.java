package io.percore.demo.kv;

import java.util.Arrays;

/** A byte string with value equality, for hash fields, set members and reserved keys as map keys. */
public record ByteString(byte[] bytes) {

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
