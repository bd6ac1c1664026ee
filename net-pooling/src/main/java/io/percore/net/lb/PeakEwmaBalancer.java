package io.percore.net.lb;

/**
 * Of two random endpoints, the one with the lower peak-EWMA latency times (outstanding + 1), as
 * in Finagle: a slow endpoint or a busy one both look expensive. An endpoint with no latency
 * sample yet but requests in flight is given a high penalty so it is probed gently.
 */
public final class PeakEwmaBalancer extends TwoChoices {

    /** Cost of an endpoint with requests in flight and no latency sample (1 s). */
    static final double PENALTY_NANOS = 1e9;

    public PeakEwmaBalancer(long seed) {
        super(seed);
    }

    @Override
    double cost(LbEndpoint e, long nowNanos) {
        double latency = e.latencyEstimateNanos(nowNanos);
        int outstanding = e.outstanding();
        if (latency == 0 && outstanding != 0) {
            return PENALTY_NANOS + outstanding;
        }
        return latency * (outstanding + 1);
    }
}
