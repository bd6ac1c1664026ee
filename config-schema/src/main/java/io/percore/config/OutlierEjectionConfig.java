package io.percore.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;

/**
 * Passive health checking from real traffic. Bound from
 * {@code percore.clients.<name>.outlier-ejection.*}.
 */
public class OutlierEjectionConfig {

    @PropertyDescription("Consecutive failed requests (connect errors, timeouts) after which an endpoint is ejected.")
    @Min(1)
    @Max(1000)
    private int consecutiveFailures = 5;

    @PropertyDescription("How long the first ejection lasts; each further ejection of the same endpoint lasts this times the number of ejections.")
    @NotNull
    @DurationMin("1ms")
    @DurationMax("1h")
    private Duration baseEjectionTime = Duration.ofSeconds(30);

    @PropertyDescription("At most this percentage of the endpoints is ejected at once, so a wide outage does not empty the pool.")
    @Min(0)
    @Max(100)
    private int maxEjectionPercent = 50;

    public OutlierEjectionConfig() {
    }

    public int getConsecutiveFailures() {
        return consecutiveFailures;
    }

    public void setConsecutiveFailures(int consecutiveFailures) {
        this.consecutiveFailures = consecutiveFailures;
    }

    public Duration getBaseEjectionTime() {
        return baseEjectionTime;
    }

    public void setBaseEjectionTime(Duration baseEjectionTime) {
        this.baseEjectionTime = baseEjectionTime;
    }

    public int getMaxEjectionPercent() {
        return maxEjectionPercent;
    }

    public void setMaxEjectionPercent(int maxEjectionPercent) {
        this.maxEjectionPercent = maxEjectionPercent;
    }
}
