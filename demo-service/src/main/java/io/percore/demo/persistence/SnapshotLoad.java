package io.percore.demo.persistence;

import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.rdb.BadPayloadException;
import io.percore.demo.rdb.RdbFileReader;
import io.percore.demo.rdb.RdbReader;
import io.percore.demo.shard.Keyspace;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Loads an RDB file into the keyspace at start (Redis's {@code rdbLoad}): the file is read on the
 * starting thread and each key goes to the shard that owns it now, whatever the shard count was
 * when the file was written (4 shards' file into 8, or 8's into 6). Keys travel in batches, every
 * shard inserting its own in parallel with the others and with the reading; a few batches per
 * shard in flight at most, so the file's keys never pile up in between. A key whose time to live
 * passed is left out and counted, as a Redis primary does.
 */
final class SnapshotLoad {

    /** Keys per batch sent to a shard. */
    static final int BATCH = 1024;
    /** Batches one shard may have in flight before the reader waits for the oldest. */
    static final int IN_FLIGHT = 4;

    /** {@code replication}: where the file stands in a replication stream (its repl-id and repl-offset), or null. */
    record Result(long loaded, long expired, int version, io.percore.demo.rdb.ReplicationInfo replication) {
    }

    private record Key(int db, byte[] key, RdbReader.Restored value, long expireAt) {
    }

    private SnapshotLoad() {
    }

    /** Reads {@code file} into {@code keyspace}; call off the shard threads, before anyone is served. */
    static Result load(Keyspace keyspace, Path file, ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set)
            throws IOException {
        int shards = keyspace.shardCount();
        List<Route> routes = new ArrayList<>();
        for (int i = 0; i < shards; i++) {
            routes.add(new Route(keyspace, i));
        }
        long now = System.currentTimeMillis();
        long[] expired = {0};
        // a value is as large as the file lets it be: the file's own size was bounded by the heap already
        RdbReader.Limits limits = new RdbReader.Limits(Long.MAX_VALUE, bytes -> { }, zset, hash, set);
        List<byte[]> functions = new ArrayList<>();
        RdbFileReader.Summary summary = RdbFileReader.read(file, limits, keyspace.databases(), new RdbFileReader.Entries() {
            @Override
            public void entry(byte[] key, RdbReader.Restored value, long expireAt) {
                entry(0, key, value, expireAt);
            }

            @Override
            public void entry(int db, byte[] key, RdbReader.Restored value, long expireAt) {
                if (expireAt >= 0 && expireAt <= now) {
                    expired[0]++;
                    return;
                }
                routes.get(keyspace.shardOf(key)).add(new Key(db, key, value, expireAt));
            }

            @Override
            public void function(byte[] code) {
                functions.add(code);
            }
        });
        // every shard knows every library (FCALL runs where its keys are); one that does not load stops the load, as in Redis
        for (int i = 0; i < shards; i++) {
            try {
                keyspace.beforeServing(i, st -> {
                    st.functions().replaceWith(functions);
                    return null;
                }).join();
            } catch (java.util.concurrent.CompletionException e) {
                throw new BadPayloadException(file + ": " + (e.getCause() == null ? e : e.getCause()).getMessage());
            }
        }
        long loaded = 0;
        for (Route r : routes) {
            loaded += r.drain();
        }
        if (loaded + expired[0] != summary.keys()) {
            // a key twice in one file: Redis refuses such a file, and so does this
            throw new BadPayloadException(file + ": " + summary.keys() + " keys in the file but "
                    + (loaded + expired[0]) + " distinct ones (a key appears twice)");
        }
        return new Result(loaded, expired[0], summary.version(), summary.replication());
    }

    /** The keys on their way to one shard. */
    private static final class Route {
        private final Keyspace keyspace;
        private final int shard;
        private final ArrayDeque<CompletableFuture<Integer>> inFlight = new ArrayDeque<>();
        private List<Key> batch = new ArrayList<>(BATCH);
        private long added;

        Route(Keyspace keyspace, int shard) {
            this.keyspace = keyspace;
            this.shard = shard;
        }

        void add(Key key) {
            batch.add(key);
            if (batch.size() == BATCH) {
                send();
            }
        }

        private void send() {
            if (inFlight.size() >= IN_FLIGHT) {
                added += inFlight.removeFirst().join();
            }
            List<Key> keys = batch;
            batch = new ArrayList<>(BATCH);
            inFlight.addLast(keyspace.beforeServing(shard, st -> {
                int added = 0;
                for (Key k : keys) {
                    ValueStore store = st.store(k.db());
                    int before = store.size();
                    store.load(k.key(), k.value().type(), k.value().value(), k.expireAt() < 0 ? ValueStore.NO_EXPIRY : k.expireAt());
                    added += store.size() - before;
                }
                return added;
            }));
        }

        /** Sends what is left and waits for all of it: the keys this shard added. */
        long drain() {
            if (!batch.isEmpty()) {
                send();
            }
            while (!inFlight.isEmpty()) {
                added += inFlight.removeFirst().join();
            }
            return added;
        }
    }
}
