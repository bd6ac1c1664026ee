package io.percore.demo.kv;

/**
 * One store's keys as they were at one moment, handed to a {@link Sink} while the shard goes on
 * serving: no fork, no copy of the store, no pause (Dragonfly's snapshot). The shard visits the
 * table's buckets in slices ({@link #step}); a change of a key whose bucket was not visited yet
 * first hands that bucket over as it is ({@link KeyTable#beforeChange}). So every key goes out
 * once, with its value and expiry from when the snapshot began, and a key added since goes out
 * never (it lands in a bucket handed over already, or its arrival hands the bucket over first).
 *
 * <p>One bit per bucket marks the buckets handed over (a megabyte for eight million buckets). The
 * table only ever doubles: bucket {@code i} becomes {@code i} and {@code i + capacity}, and both take
 * its bit, so the walk goes on at the same index over the larger table and skips the upper halves of
 * what it had done. A FLUSHALL while a snapshot runs gives the snapshot the old table, which nothing
 * changes any more ({@link ValueStore#flush}).
 *
 * <p>Touched only by the store's shard. A bucket is handed over whole: one very large value (a list
 * of millions) is one long step, as it is one long DUMP.
 */
public final class StoreSnapshot {

    /** Receives each key; the value is the store's own, which later commands change: encode it before returning. */
    @FunctionalInterface
    public interface Sink {
        /** {@code expireAt} is epoch milliseconds, or {@link ValueStore#NO_EXPIRY}. */
        void entry(byte[] key, ValueType type, Object value, long expireAt);
    }

    private final KeyTable table;
    private final Sink sink;
    /** {@link #save} as the walk hands it to the table, made once. */
    private final java.util.function.IntConsumer saveKey = this::save;
    /** Keys whose time to live had passed when the snapshot began are left out, as if expiry had run then. */
    private final long startedAt;
    private long[] saved;
    private int next;
    private long keys;
    private long expires;
    private boolean over;

    StoreSnapshot(KeyTable table, Sink sink, long startedAt) {
        this.table = table;
        this.sink = sink;
        this.startedAt = startedAt;
        this.saved = new long[words(table.buckets.length)];
        table.snapshot = this;
    }

    /**
     * Hands over buckets in table order until every one is done or about {@code budgetNanos} have
     * passed. Returns true once the whole store is out (then the snapshot is over).
     */
    public boolean step(long budgetNanos) {
        if (over) {
            return true;
        }
        long deadline = System.nanoTime() + budgetNanos;
        int visited = 0;
        while (next < table.buckets.length) {
            if ((next & (KeyTable.PREFETCH_BUCKETS - 1)) == 0) {
                table.prefetchBuckets(next); // the keys of the buckets ahead load together
            }
            saveBucket(next++);
            if ((++visited & 255) == 0 && System.nanoTime() - deadline >= 0) {
                return false;
            }
        }
        end();
        return true;
    }

    /** Stops the snapshot where it is (a failed save): the store's changes are no longer held up by it. */
    public void abort() {
        end();
    }

    /** Keys handed over so far. */
    public long keys() {
        return keys;
    }

    /** Of {@link #keys()}, those with a time to live. */
    public long expires() {
        return expires;
    }

    /** Hands bucket {@code index} over unless it was already. */
    void saveBucket(int index) {
        long bit = 1L << index;
        int word = index >>> 6;
        if ((saved[word] & bit) != 0) {
            return;
        }
        saved[word] |= bit;
        table.forEachInBucket(index, saveKey);
    }

    private void save(int id) {
        long expireAt = table.expireAt(id);
        if (expireAt != KeyTable.NO_EXPIRY) {
            if (expireAt <= startedAt) {
                return;
            }
            expires++;
        }
        keys++;
        sink.entry(table.key(id), table.type(id), table.value(id), expireAt);
    }

    /** The table doubles from {@code from} buckets to {@code to}: bucket i's bit goes to i and i + from. */
    void resized(int from, int to) {
        long[] more = new long[words(to)];
        if (from >= 64) {
            int w = from >>> 6;
            System.arraycopy(saved, 0, more, 0, w);
            System.arraycopy(saved, 0, more, w, w);
        } else {
            for (int i = 0; i < from; i++) {
                if ((saved[0] & (1L << i)) != 0) {
                    more[0] |= 1L << i;
                    more[(i + from) >>> 6] |= 1L << (i + from);
                }
            }
        }
        saved = more;
    }

    private void end() {
        if (table.snapshot == this) {
            table.snapshot = null;
        }
        saved = new long[1];
        next = Integer.MAX_VALUE;
        over = true;
    }

    private static int words(int buckets) {
        return Math.max(1, buckets >>> 6);
    }
}
