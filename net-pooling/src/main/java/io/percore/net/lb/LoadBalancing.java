package io.percore.net.lb;

import io.percore.config.ClientPoolConfig;

/** The load-balancing strategies, one {@link LoadBalancer} per shard and upstream. */
public enum LoadBalancing {
    ROUND_ROBIN,
    /** Power of two choices by outstanding requests. */
    LEAST_OUTSTANDING,
    /** Maglev consistent hashing by request key. */
    CONSISTENT_HASH,
    /** Power of two choices by peak-EWMA latency times outstanding requests. */
    PEAK_EWMA;

    /** A new balancer; {@code seed} makes the random choices reproducible (use the shard id in production). */
    public LoadBalancer newBalancer(long seed) {
        switch (this) {
            case ROUND_ROBIN:
                return new RoundRobinBalancer();
            case LEAST_OUTSTANDING:
                return new LeastOutstandingBalancer(seed);
            case CONSISTENT_HASH:
                return new MaglevBalancer();
            case PEAK_EWMA:
                return new PeakEwmaBalancer(seed);
            default:
                throw new AssertionError(this);
        }
    }

    public static LoadBalancing from(ClientPoolConfig.LoadBalancer lb) {
        return valueOf(lb.name());
    }
}
