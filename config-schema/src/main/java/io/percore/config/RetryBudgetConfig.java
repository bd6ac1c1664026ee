package io.percore.config;

import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

/**
 * Retry budget: retries may add at most {@code ratio} of the first-attempt traffic, plus a
 * small floor so low-traffic clients can still retry. Bound from
 * {@code percore.clients.<name>.retry-budget.*}.
 */
public class RetryBudgetConfig {

    @PropertyDescription("Retries allowed as a fraction of first attempts (0.2 = at most 20 % extra requests). 0 disables retries above the floor.")
    @DecimalMin("0.0")
    @DecimalMax("1.0")
    private double ratio = 0.2;

    @PropertyDescription("Retries per second always allowed regardless of ratio, per shard.")
    @Min(0)
    @Max(100_000)
    private int minRetriesPerSecond = 10;

    public RetryBudgetConfig() {
    }

    public double getRatio() {
        return ratio;
    }

    public void setRatio(double ratio) {
        this.ratio = ratio;
    }

    public int getMinRetriesPerSecond() {
        return minRetriesPerSecond;
    }

    public void setMinRetriesPerSecond(int minRetriesPerSecond) {
        this.minRetriesPerSecond = minRetriesPerSecond;
    }
}
