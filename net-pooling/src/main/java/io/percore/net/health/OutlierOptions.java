package io.percore.net.health;

import io.percore.config.OutlierEjectionConfig;
import java.time.Duration;

/** Immutable settings of passive outlier ejection. */
public final class OutlierOptions {

    private final int consecutiveFailures;
    private final Duration baseEjectionTime;
    private final int maxEjectionPercent;

    public OutlierOptions(int consecutiveFailures, Duration baseEjectionTime, int maxEjectionPercent) {
        if (consecutiveFailures < 1) {
            throw new IllegalArgumentException("outlier-ejection.consecutive-failures must be >= 1, got " + consecutiveFailures);
        }
        if (baseEjectionTime == null || baseEjectionTime.isZero() || baseEjectionTime.isNegative()) {
            throw new IllegalArgumentException("outlier-ejection.base-ejection-time must be positive, got " + baseEjectionTime);
        }
        if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
            throw new IllegalArgumentException("outlier-ejection.max-ejection-percent must be in 0..100, got " + maxEjectionPercent);
        }
        this.consecutiveFailures = consecutiveFailures;
        this.baseEjectionTime = baseEjectionTime;
        this.maxEjectionPercent = maxEjectionPercent;
    }

    public static OutlierOptions defaults() {
        return new OutlierOptions(5, Duration.ofSeconds(30), 50);
    }

    public static OutlierOptions from(OutlierEjectionConfig c) {
        return new OutlierOptions(c.getConsecutiveFailures(), c.getBaseEjectionTime(), c.getMaxEjectionPercent());
    }

    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    public Duration baseEjectionTime() {
        return baseEjectionTime;
    }

    public int maxEjectionPercent() {
        return maxEjectionPercent;
    }
}
