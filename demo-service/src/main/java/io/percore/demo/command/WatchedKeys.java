package io.percore.demo.command;

import io.percore.demo.shard.Keyspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The keys a connection WATCHes, each with the version its owning shard reported when it was
 * watched; EXEC asks the owners whether any changed since. Shard-confined (the connection's shard).
 */
public final class WatchedKeys {

    /** A watched key of database {@code db}, its owning shard and its version at WATCH. */
    public record Watch(byte[] key, int db, int shard, long version) {
    }

    private final List<Watch> watches = new ArrayList<>();

    /** Whether {@code key} of database {@code db} is watched (the same name in another database is another key). */
    public boolean contains(int db, byte[] key) {
        for (Watch w : watches) {
            if (w.db == db && Arrays.equals(w.key, key)) {
                return true;
            }
        }
        return false;
    }

    public void add(Watch watch) {
        watches.add(watch);
    }

    public List<Watch> all() {
        return watches;
    }

    boolean isEmpty() {
        return watches.isEmpty();
    }

    int size() {
        return watches.size();
    }

    /** Forgets every watch, telling each owning shard (UNWATCH, DISCARD, a closed connection). */
    public void unwatchAll(Keyspace keyspace) {
        unwatch(keyspace, takeAll());
    }

    /** Forgets every watch here and returns them, for the caller to {@link #unwatch} later (EXEC checks them first). */
    public List<Watch> takeAll() {
        List<Watch> taken = new ArrayList<>(watches);
        watches.clear();
        return taken;
    }

    /** Tells each owning shard that one watcher of its key is gone. */
    public static void unwatch(Keyspace keyspace, List<Watch> watches) {
        for (Watch w : watches) {
            byte[] key = w.key;
            int db = w.db;
            keyspace.invokeOn(w.shard, st -> {
                st.writes().database(db).unwatch(key);
                return null;
            });
        }
    }
}
