package io.percore.demo.commands;

/**
 * A stable merge sort of the positions {@code 0..n-1} under a comparator, done in slices of bounded
 * time so that sorting a large input never holds the shard's thread for long: insertion-sorted
 * runs of {@value #RUN}, then merge passes of doubling width, each merge resumable where a slice
 * stopped. Stable, like the merge sort glibc's {@code qsort} uses for Redis's SORT, so elements
 * that compare equal keep their input order as they do in redis-server.
 */
final class SlicedMergeSort {

    /** Compares the items at two positions. */
    @FunctionalInterface
    interface Order {
        int compare(int a, int b);
    }

    static final int RUN = 32;
    /** Comparisons between two looks at the clock. */
    private static final int CLOCK_EVERY = 64;

    private final Order order;
    private final int n;
    private int[] src;
    private int[] dst;
    /** 0 while the runs are being insertion-sorted, then the width of the current merge pass. */
    private long width;
    private int runFrom;
    // the merge in progress: left src[i..mid), right src[j..hi), written from dst[k]
    private boolean merging;
    private int lo;
    private int mid;
    private int hi;
    private int i;
    private int j;
    private int k;

    SlicedMergeSort(int n, Order order) {
        this.n = n;
        this.order = order;
        this.src = new int[n];
        for (int p = 0; p < n; p++) {
            src[p] = p;
        }
        this.dst = new int[n];
    }

    /**
     * Sorts on until done or until {@code sliceNanos} have passed.
     *
     * @return true when the positions are sorted ({@link #sorted()})
     */
    boolean step(long sliceNanos) {
        long deadline = System.nanoTime() + sliceNanos;
        int sinceClock = 0;
        while (width == 0) {
            if (runFrom >= n) {
                width = RUN;
                break;
            }
            int to = Math.min(runFrom + RUN, n);
            insertionSort(runFrom, to);
            runFrom = to;
            sinceClock += RUN;
            if (sinceClock >= CLOCK_EVERY) {
                sinceClock = 0;
                if (System.nanoTime() >= deadline) {
                    return false;
                }
            }
        }
        while (width < n) {
            if (!merging) {
                if (lo >= n) { // pass done
                    int[] t = src;
                    src = dst;
                    dst = t;
                    width *= 2;
                    lo = 0;
                    continue;
                }
                mid = (int) Math.min(lo + width, n);
                hi = (int) Math.min(lo + 2 * width, n);
                i = lo;
                j = mid;
                k = lo;
                merging = true;
            }
            while (k < hi) {
                if (j >= hi || (i < mid && order.compare(src[i], src[j]) <= 0)) {
                    dst[k++] = src[i++];
                } else {
                    dst[k++] = src[j++];
                }
                if (++sinceClock >= CLOCK_EVERY) {
                    sinceClock = 0;
                    if (System.nanoTime() >= deadline) {
                        return false;
                    }
                }
            }
            merging = false;
            lo = hi;
        }
        return true;
    }

    /** The positions in sorted order, once {@link #step} returned true. */
    int[] sorted() {
        return src;
    }

    private void insertionSort(int from, int to) {
        for (int a = from + 1; a < to; a++) {
            int item = src[a];
            int b = a - 1;
            while (b >= from && order.compare(src[b], item) > 0) {
                src[b + 1] = src[b];
                b--;
            }
            src[b + 1] = item;
        }
    }
}
