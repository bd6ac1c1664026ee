package io.percore.net.lb;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016): a lookup table of prime size where every
 * endpoint owns an almost equal share of slots, filled from per-endpoint permutations so that
 * removing one of N endpoints moves about 1/N of the keys. A key whose endpoint is unavailable
 * walks the table to the next available endpoint, so the other keys never move because of it.
 */
public final class MaglevBalancer implements LoadBalancer {

    /** Prime table sizes; the smallest with at least 100 slots per endpoint is used. */
    private static final int[] TABLE_SIZES = {65_537, 655_373, 6_553_577};

    private int[] table = new int[0];
    private int tableEndpoints = -1;

    @Override
    public void endpointsChanged(List<? extends LbEndpoint> endpoints) {
        int n = endpoints.size();
        tableEndpoints = n;
        if (n == 0) {
            table = new int[0];
            return;
        }
        int m = TABLE_SIZES[TABLE_SIZES.length - 1];
        for (int size : TABLE_SIZES) {
            if (size >= 100L * n) {
                m = size;
                break;
            }
        }
        long[] offset = new long[n];
        long[] skip = new long[n];
        long[] next = new long[n];
        for (int i = 0; i < n; i++) {
            byte[] name = endpoints.get(i).id().getBytes(StandardCharsets.UTF_8);
            offset[i] = Long.remainderUnsigned(KeyHash.of(name, 0x3C6EF372FE94F82BL), m);
            skip[i] = Long.remainderUnsigned(KeyHash.of(name, 0xA54FF53A5F1D36F1L), m - 1) + 1;
        }
        int[] t = new int[m];
        java.util.Arrays.fill(t, -1);
        int filled = 0;
        while (true) {
            for (int i = 0; i < n; i++) {
                long c = (offset[i] + next[i] * skip[i]) % m;
                while (t[(int) c] >= 0) {
                    next[i]++;
                    c = (offset[i] + next[i] * skip[i]) % m;
                }
                t[(int) c] = i;
                next[i]++;
                if (++filled == m) {
                    table = t;
                    return;
                }
            }
        }
    }

    @Override
    public <E extends LbEndpoint> E pick(List<E> endpoints, long keyHash, E exclude) {
        if (tableEndpoints != endpoints.size()) {
            endpointsChanged(endpoints);
        }
        int m = table.length;
        if (m == 0) {
            return null;
        }
        int slot = (int) Long.remainderUnsigned(keyHash, m);
        E first = endpoints.get(table[slot]);
        if (first != exclude && first.isAvailable()) {
            return first;
        }
        // Walk on: slots are interleaved, so an unavailable endpoint's keys spread over the others.
        for (int i = 1; i < m; i++) {
            int s = slot + i < m ? slot + i : slot + i - m;
            E e = endpoints.get(table[s]);
            if (e != exclude && e.isAvailable()) {
                return e;
            }
        }
        return null;
    }
}
