package io.percore.net.health;

import io.percore.config.HealthCheckConfig;
import io.percore.net.ClientSettingRules;
import java.time.Duration;

/** Immutable settings of active health checking. */
public final class HealthCheckOptions {

    private final boolean enabled;
    private final Duration interval;
    private final Duration timeout;
    private final int healthyThreshold;
    private final int unhealthyThreshold;

    /**
     * @throws io.percore.config.schema.ConfigValidationException when config-schema's rules for
     *         {@code health-check} refuse the values (e.g. {@code timeout-below-interval})
     */
    public HealthCheckOptions(boolean enabled, Duration interval, Duration timeout, int healthyThreshold, int unhealthyThreshold) {
        ClientSettingRules.require("health-check", client -> {
            HealthCheckConfig check = new HealthCheckConfig();
            check.setEnabled(enabled);
            check.setInterval(interval);
            check.setTimeout(timeout);
            check.setHealthyThreshold(healthyThreshold);
            check.setUnhealthyThreshold(unhealthyThreshold);
            client.setHealthCheck(check);
        });
        this.enabled = enabled;
        this.interval = interval;
        this.timeout = timeout;
        this.healthyThreshold = healthyThreshold;
        this.unhealthyThreshold = unhealthyThreshold;
    }

    /** The configuration model's defaults (one place: {@link HealthCheckConfig}). */
    public static HealthCheckOptions defaults() {
        return from(new HealthCheckConfig());
    }

    public static HealthCheckOptions disabled() {
        HealthCheckConfig off = new HealthCheckConfig();
        off.setEnabled(false);
        return from(off);
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
