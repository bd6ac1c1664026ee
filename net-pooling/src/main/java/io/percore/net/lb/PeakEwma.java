package io.percore.net.lb;

/**
 * A latency estimate that jumps up to every slower sample at once and decays towards faster
 * samples with time constant {@code tau} (Finagle's peak EWMA). Single-threaded (one shard).
 */
public final class PeakEwma {

    private final double tauNanos;
    private double estimate;
    private long lastNanos;

    public PeakEwma(long tauNanos) {
        if (tauNanos <= 0) {
            throw new IllegalArgumentException("tau must be positive, got " + tauNanos + " ns");
        }
        this.tauNanos = tauNanos;
    }

    public void observe(long rttNanos, long nowNanos) {
        double rtt = Math.max(0, rttNanos);
        if (rtt > estimate) {
            estimate = rtt;
        } else {
            double elapsed = Math.max(0, nowNanos - lastNanos);
            double w = Math.exp(-elapsed / tauNanos);
            estimate = estimate * w + rtt * (1 - w);
        }
        lastNanos = nowNanos;
    }

    /** The estimate in nanoseconds (0 before the first sample). */
    public double estimateNanos() {
        return estimate;
    }
}
