package io.percore.net.lb;

/** Of two random endpoints, the one with fewer requests in flight from this shard. */
public final class LeastOutstandingBalancer extends TwoChoices {

    public LeastOutstandingBalancer(long seed) {
        super(seed);
    }

    @Override
    double cost(LbEndpoint e, long nowNanos) {
        return e.outstanding();
    }
}
