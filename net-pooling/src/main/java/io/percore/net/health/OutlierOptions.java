package io.percore.net.health;

import io.percore.config.OutlierEjectionConfig;
import io.percore.net.ClientSettingRules;
import java.time.Duration;

/** Immutable settings of passive outlier ejection. */
public final class OutlierOptions {

    private final int consecutiveFailures;
    private final Duration baseEjectionTime;
    private final int maxEjectionPercent;

    /**
     * @throws io.percore.config.schema.ConfigValidationException when config-schema's rules for
     *         {@code outlier-ejection} refuse the values
     */
    public OutlierOptions(int consecutiveFailures, Duration baseEjectionTime, int maxEjectionPercent) {
        ClientSettingRules.require("outlier-ejection", client -> {
            OutlierEjectionConfig outliers = new OutlierEjectionConfig();
            outliers.setConsecutiveFailures(consecutiveFailures);
            outliers.setBaseEjectionTime(baseEjectionTime);
            outliers.setMaxEjectionPercent(maxEjectionPercent);
            client.setOutlierEjection(outliers);
        });
        this.consecutiveFailures = consecutiveFailures;
        this.baseEjectionTime = baseEjectionTime;
        this.maxEjectionPercent = maxEjectionPercent;
    }

    /** The configuration model's defaults (one place: {@link OutlierEjectionConfig}). */
    public static OutlierOptions defaults() {
        return from(new OutlierEjectionConfig());
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
