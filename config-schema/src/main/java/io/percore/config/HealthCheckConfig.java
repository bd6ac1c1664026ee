package io.percore.config;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Active health checking: each shard's pool probes every endpoint by opening a connection.
 * Bound from {@code percore.clients.<name>.health-check.*}.
 */
public class HealthCheckConfig {

    @PropertyDescription("Probe endpoints periodically; when false only outlier ejection takes endpoints out of rotation.")
    private boolean enabled = true;

    @PropertyDescription("Time between two probes of one endpoint.")
    @NotNull
    @DurationMin("100ms")
    @DurationMax("1h")
    private Duration interval = Duration.ofSeconds(5);

    @PropertyDescription("A probe not answered within this time fails; must be shorter than interval.")
    @NotNull
    @DurationMin("1ms")
    @DurationMax("1h")
    private Duration timeout = Duration.ofSeconds(1);

    @PropertyDescription("Consecutive successful probes that bring an unhealthy endpoint back.")
    @Min(1)
    @Max(100)
    private int healthyThreshold = 2;

    @PropertyDescription("Consecutive failed probes that mark an endpoint unhealthy.")
    @Min(1)
    @Max(100)
    private int unhealthyThreshold = 3;

    public HealthCheckConfig() {
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Duration getInterval() {
        return interval;
    }

    public void setInterval(Duration interval) {
        this.interval = interval;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        this.timeout = timeout;
    }

    public int getHealthyThreshold() {
        return healthyThreshold;
    }

    public void setHealthyThreshold(int healthyThreshold) {
        this.healthyThreshold = healthyThreshold;
    }

    public int getUnhealthyThreshold() {
        return unhealthyThreshold;
    }

    public void setUnhealthyThreshold(int unhealthyThreshold) {
        this.unhealthyThreshold = unhealthyThreshold;
    }
}
