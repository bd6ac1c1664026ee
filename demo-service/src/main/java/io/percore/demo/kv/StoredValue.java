package io.percore.demo.kv;

/** A value with its type and expiry, taken from one key to be put under another (RENAME, COPY, MOVE) or read whole. */
public record StoredValue(ValueType type, Object value, long expireAt) {
}
