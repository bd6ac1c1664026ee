package io.percore.demo.commands;

import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.Arrays;
import io.percore.demo.resp.RespDoubles;

/**
 * The order SORT puts its elements in (Redis's {@code sortCompare}), computed in slices on the
 * connection's shard: first the weights, each element's own text or its BY value read as a double
 * ({@link RespDoubles#parseSortWeight}; a missing BY value weighs 0), then a stable merge sort
 * ({@link SlicedMergeSort}). Each slice runs about {@link #SLICE_NANOS}, then yields to the shard's
 * loop as a new task.
 *
 * <p>Numeric order breaks ties by the elements' bytes, so it is total. ALPHA compares BY values (a
 * missing one first) or the elements: as C strings with {@code strcoll} when the result is
 * returned, which under Redis's C/C.UTF-8 collation is byte order up to the first NUL, and by all
 * their bytes when it is stored (Redis's {@code compareStringObjects}). DESC reverses the order.
 */
final class SortOrder {

    static final long SLICE_NANOS = 500_000;
    /** The answer when a weight is not a double (compared by identity). */
    static final int[] UNCONVERTIBLE = new int[0];
    private static final int PARSES_PER_CLOCK = 256;

    private final byte[][] elements;
    /** BY's values (null: missing) or null when the elements weigh themselves. */
    private final byte[][] byValues;
    private final boolean alpha;
    private final boolean desc;
    private final boolean binary;
    private double[] scores;
    private int parsed;
    private SlicedMergeSort sort;
    private long sliceNanos;
    private final ShardPromise<int[]> done = new ShardPromise<>();

    private SortOrder(byte[][] elements, byte[][] byValues, boolean alpha, boolean desc, boolean binary) {
        this.elements = elements;
        this.byValues = byValues;
        this.alpha = alpha;
        this.desc = desc;
        this.binary = binary;
    }

    /**
     * The positions of {@code elements} in sorted order, or {@link #UNCONVERTIBLE} when a weight is not a double
     * (Redis's "One or more scores can't be converted into double").
     *
     * @param byValues BY's value for each element (null entries: missing), or null to sort by the elements
     * @param binary   whether ALPHA compares all bytes (STORE) rather than as C strings
     * @param atOnce   whether to sort in one go, never yielding to a later task (inside a script)
     */
    static ShardFuture<int[]> of(byte[][] elements, byte[][] byValues, boolean alpha, boolean desc, boolean binary, boolean atOnce) {
        SortOrder o = new SortOrder(elements, byValues, alpha, desc, binary);
        o.sliceNanos = atOnce ? Long.MAX_VALUE / 4 : SLICE_NANOS;
        if (!alpha) {
            o.scores = new double[elements.length];
        }
        o.sort = new SlicedMergeSort(elements.length, o::compare);
        o.slice();
        return o.done;
    }

    /** One slice; a failure fails the order rather than a task nobody waits for (the SORT would never answer). */
    private void slice() {
        try {
            sliceOrThrow();
        } catch (RuntimeException e) {
            done.fail(e);
        }
    }

    private void sliceOrThrow() {
        long deadline = System.nanoTime() + sliceNanos;
        if (!alpha) {
            while (parsed < elements.length) {
                int stop = Math.min(elements.length, parsed + PARSES_PER_CLOCK);
                for (; parsed < stop; parsed++) {
                    byte[] weight = byValues == null ? elements[parsed] : byValues[parsed];
                    if (weight == null) {
                        continue; // a missing BY value weighs 0
                    }
                    double score = RespDoubles.parseSortWeight(weight);
                    if (Double.isNaN(score)) {
                        done.complete(UNCONVERTIBLE);
                        return;
                    }
                    scores[parsed] = score;
                }
                if (System.nanoTime() >= deadline) {
                    Shard.current().execute(this::slice);
                    return;
                }
            }
        }
        if (sort.step(Math.max(0, deadline - System.nanoTime()))) {
            done.complete(sort.sorted());
        } else {
            Shard.current().execute(this::slice);
        }
    }

    private int compare(int a, int b) {
        int cmp;
        if (!alpha) {
            double x = scores[a];
            double y = scores[b];
            cmp = x > y ? 1 : x < y ? -1 : Arrays.compareUnsigned(elements[a], elements[b]);
        } else if (byValues != null) {
            byte[] x = byValues[a];
            byte[] y = byValues[b];
            if (x == null || y == null) {
                cmp = x == y ? 0 : x == null ? -1 : 1;
            } else {
                cmp = binary ? Arrays.compareUnsigned(x, y) : cStringCompare(x, y);
            }
        } else {
            cmp = binary ? Arrays.compareUnsigned(elements[a], elements[b]) : cStringCompare(elements[a], elements[b]);
        }
        return desc ? -cmp : cmp;
    }

    /** {@code strcmp}: unsigned bytes up to the first NUL, a string's end counting as one. */
    static int cStringCompare(byte[] x, byte[] y) {
        int n = Math.min(x.length, y.length);
        for (int i = 0; i < n; i++) {
            int a = x[i] & 0xff;
            int b = y[i] & 0xff;
            if (a != b) {
                return a - b;
            }
            if (a == 0) {
                return 0;
            }
        }
        int a = x.length > n ? x[n] & 0xff : 0;
        int b = y.length > n ? y[n] & 0xff : 0;
        return a - b;
    }
}
