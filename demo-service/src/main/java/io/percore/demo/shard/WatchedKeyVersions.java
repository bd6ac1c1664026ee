package io.percore.demo.shard;

import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.ValueStore;
import java.util.HashMap;
import java.util.Map;

/**
 * The keys of one database of one shard that connections WATCH (Redis's {@code db->watched_keys}), each with how
 * many connections watch it and a version that every change of the key moves (written, deleted,
 * expired, evicted, flushed). It hears of changes from the shard's {@link WritePath}; EXEC compares
 * a watched key's version with the one its WATCH saw. Null map while nothing is watched, so a
 * change costs one null check. Touched only by its shard's thread.
 */
final class WatchedKeyVersions {

    /** How many connections watch a key, and how often it changed while watched. */
    private static final class Watched {
        int watchers;
        long version;
    }

    private HashMap<ByteString, Watched> watched;

    /**
     * Starts watching {@code key} for one connection and returns its version now. A key already past
     * its expiry is deleted first ({@code store}'s access), so watching a stale key is watching a
     * missing one (Redis: deleting a stale watched key does not fail EXEC).
     */
    long watch(ValueStore store, byte[] key, long now) {
        store.touchKey(key, now);
        if (watched == null) {
            watched = new HashMap<>();
        }
        Watched w = watched.computeIfAbsent(new ByteString(key), k -> new Watched());
        w.watchers++;
        return w.version;
    }

    /**
     * Whether {@code key}, watched at {@code version}, changed since (a key that expired meanwhile
     * is deleted now, which counts as a change, as Redis's isWatchedKeyExpired).
     */
    boolean changedSince(ValueStore store, byte[] key, long version, long now) {
        store.touchKey(key, now);
        Watched w = watched == null ? null : watched.get(new ByteString(key));
        return w == null || w.version != version;
    }

    /** One connection stops watching {@code key}. */
    void unwatch(byte[] key) {
        if (watched == null) {
            return;
        }
        ByteString k = new ByteString(key);
        Watched w = watched.get(k);
        if (w != null && --w.watchers <= 0) {
            watched.remove(k);
            if (watched.isEmpty()) {
                watched = null;
            }
        }
    }

    /** {@code key} changed (Redis's signalModifiedKey for WATCH). */
    void modified(byte[] key) {
        if (watched != null) {
            Watched w = watched.get(new ByteString(key));
            if (w != null) {
                w.version++;
            }
        }
    }

    /** Everything is about to be deleted: the watched keys that exist (not the stale ones) change. */
    void flushing(ValueStore store, long now) {
        if (watched != null) {
            for (Map.Entry<ByteString, Watched> w : watched.entrySet()) {
                if (store.holds(w.getKey().bytes(), now)) {
                    w.getValue().version++;
                }
            }
        }
    }

    /**
     * SWAPDB is about to give this database {@code replacedWith}'s keys (Redis's {@code touchAllWatchedKeysInDb}):
     * a watched key changes when it is in this database now (expired or not: it goes) or is live in the other
     * (it comes); a key live in neither stays as it was.
     */
    void swapping(ValueStore emptied, ValueStore replacedWith, long now) {
        if (watched != null) {
            for (Map.Entry<ByteString, Watched> w : watched.entrySet()) {
                byte[] key = w.getKey().bytes();
                if (emptied.present(key) || replacedWith.holds(key, now)) {
                    w.getValue().version++;
                }
            }
        }
    }

    /** Keys watched on this shard. */
    int size() {
        return watched == null ? 0 : watched.size();
    }
}
