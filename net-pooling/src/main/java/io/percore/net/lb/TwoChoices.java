package io.percore.net.lb;

import java.util.List;

/**
 * Power of two choices: two distinct random available endpoints, keep the cheaper one. Random
 * numbers come from a seeded xorshift, so picks allocate nothing and tests are reproducible.
 */
abstract class TwoChoices implements LoadBalancer {

    private long state;
    private LbEndpoint[] scratch = new LbEndpoint[8];

    TwoChoices(long seed) {
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    /** Lower is better. */
    abstract double cost(LbEndpoint e, long nowNanos);

    @Override
    @SuppressWarnings("unchecked")
    public final <E extends LbEndpoint> E pick(List<E> endpoints, long keyHash, E exclude) {
        int n = endpoints.size();
        if (scratch.length < n) {
            scratch = new LbEndpoint[Integer.highestOneBit(n) << 1];
        }
        int available = 0;
        for (int i = 0; i < n; i++) {
            E e = endpoints.get(i);
            if (e != exclude && e.isAvailable()) {
                scratch[available++] = e;
            }
        }
        if (available == 0) {
            return null;
        }
        if (available == 1) {
            return (E) scratch[0];
        }
        int a = nextInt(available);
        int b = nextInt(available - 1);
        if (b >= a) {
            b++;
        }
        long now = System.nanoTime();
        LbEndpoint ea = scratch[a];
        LbEndpoint eb = scratch[b];
        return (E) (cost(eb, now) < cost(ea, now) ? eb : ea);
    }

    private int nextInt(int bound) {
        long x = state;
        x ^= x << 13;
        x ^= x >>> 7;
        x ^= x << 17;
        state = x;
        return (int) ((x >>> 33) % bound);
    }
}
