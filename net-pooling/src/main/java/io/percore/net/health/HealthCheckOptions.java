package io.percore.net.health;

import io.percore.config.HealthCheckConfig;
import java.time.Duration;

/** Immutable settings of active health checking. */
public final class HealthCheckOptions {

    private final boolean enabled;
    private final Duration interval;
    private final Duration timeout;
    private final int healthyThreshold;
    private final int unhealthyThreshold;

    public HealthCheckOptions(boolean enabled, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold) {
        if (interval == null || interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("health-check.interval must be positive, got " + interval);
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("health-check.timeout must be positive, got " + timeout);
        }
        if (timeout.compareTo(interval) >= 0) {
            throw new IllegalArgumentException("health-check.timeout (" + timeout + ") must be shorter than health-check.interval (" + interval + ")");
        }
        if (healthyThreshold < 1) {
            throw new IllegalArgumentException("health-check.healthy-threshold must be >= 1, got " + healthyThreshold);
        }
        if (unhealthyThreshold < 1) {
            throw new IllegalArgumentException("health-check.unhealthy-threshold must be >= 1, got " + unhealthyThreshold);
        }
        this.enabled = enabled;
        this.interval = interval;
        this.timeout = timeout;
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
    }

    public static HealthCheckOptions defaults() {
        return new HealthCheckOptions(true, Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);
    }

    public static HealthCheckOptions disabled() {
        return new HealthCheckOptions(false, Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);
    }

    public static HealthCheckOptions from(HealthCheckConfig c) {
        return new HealthCheckOptions(c.isEnabled(), c.getInterval(), c.getTimeout(), c.getHealthyThreshold(), c.getUnhealthyThreshold());
    }

    public boolean enabled() {
        return enabled;
    }

    public Duration interval() {
        return interval;
    }

    public Duration timeout() {
        return timeout;
    }

    public int healthyThreshold() {
        return healthyThreshold;
    }

    public int unhealthyThreshold() {
        return unhealthyThreshold;
    }
}
