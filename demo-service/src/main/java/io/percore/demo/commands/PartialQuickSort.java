package io.percore.demo.commands;

/**
 * Redis's partial quicksort ({@code pqsort.c}: Bentley and McIlroy's quicksort that only recurses
 * into partitions overlapping the ranks wanted), with the same pivots and swaps, so that when a
 * GEORADIUS ... COUNT keeps the first n of equally distant points it keeps the ones Redis keeps, in
 * Redis's order. It sorts positions ({@code int}s) compared by what they stand for; only ranks
 * {@code from..to} end up sorted.
 */
final class PartialQuickSort {

    private PartialQuickSort() {
    }

    /** Compares two positions. */
    @FunctionalInterface
    interface Order {
        int compare(int a, int b);
    }

    static void sort(int[] a, Order cmp, int from, int to) {
        sort(a, 0, a.length, cmp, from, to);
    }

    private static void sort(int[] a, int lo, int n, Order cmp, int from, int to) {
        while (true) {
            if (n < 7) {
                for (int m = lo + 1; m < lo + n; m++) {
                    for (int l = m; l > lo && cmp.compare(a[l - 1], a[l]) > 0; l--) {
                        swap(a, l, l - 1);
                    }
                }
                return;
            }
            int pm = lo + n / 2;
            if (n > 7) {
                int pl = lo;
                int pn = lo + n - 1;
                if (n > 40) {
                    int d = n / 8;
                    pl = median(a, pl, pl + d, pl + 2 * d, cmp);
                    pm = median(a, pm - d, pm, pm + d, cmp);
                    pn = median(a, pn - 2 * d, pn - d, pn, cmp);
                }
                pm = median(a, pl, pm, pn, cmp);
            }
            swap(a, lo, pm);
            int pa = lo + 1;
            int pb = pa;
            int pc = lo + n - 1;
            int pd = pc;
            while (true) {
                int r;
                while (pb <= pc && (r = cmp.compare(a[pb], a[lo])) <= 0) {
                    if (r == 0) {
                        swap(a, pa++, pb);
                    }
                    pb++;
                }
                while (pb <= pc && (r = cmp.compare(a[pc], a[lo])) >= 0) {
                    if (r == 0) {
                        swap(a, pc, pd--);
                    }
                    pc--;
                }
                if (pb > pc) {
                    break;
                }
                swap(a, pb++, pc--);
            }
            int end = lo + n;
            int r = Math.min(pa - lo, pb - pa);
            swapRuns(a, lo, pb - r, r);
            r = Math.min(pd - pc, end - pd - 1);
            swapRuns(a, pb, end - r, r);
            r = pb - pa;
            if (r > 1 && overlaps(lo, r, from, to)) {
                sort(a, lo, r, cmp, from, to);
            }
            r = pd - pc;
            if (r <= 1) {
                return;
            }
            lo = end - r;
            n = r;
            if (!overlaps(lo, n, from, to)) {
                return;
            }
        }
    }

    /** Whether ranks {@code from..to} meet the {@code n} elements from {@code lo}. */
    private static boolean overlaps(int lo, int n, int from, int to) {
        return !((from < lo && to < lo) || (from >= lo + n && to >= lo + n));
    }

    private static int median(int[] a, int x, int y, int z, Order cmp) {
        return cmp.compare(a[x], a[y]) < 0
                ? (cmp.compare(a[y], a[z]) < 0 ? y : (cmp.compare(a[x], a[z]) < 0 ? z : x))
                : (cmp.compare(a[y], a[z]) > 0 ? y : (cmp.compare(a[x], a[z]) < 0 ? x : z));
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static void swapRuns(int[] a, int i, int j, int n) {
        for (int k = 0; k < n; k++) {
            swap(a, i + k, j + k);
        }
    }
}
