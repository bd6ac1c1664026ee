package io.percore.operator.backup;

import java.time.Instant;

/** One object of a listing: its key, size and the store's time of its last write. */
public record StoredObject(String key, long size, Instant lastModified) {
}
