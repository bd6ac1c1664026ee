package io.percore.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/**
 * A named scheduling group. Groups that all have work get CPU time in proportion to their
 * shares.
 */
public class SchedulingGroupConfig {

    /** Group name, unique within the engine. */
    @NotBlank
    @Pattern(regexp = "^[a-z][a-z0-9-]*$")
    private String name = "default";

    /** Relative weight of this group when several groups have work (1..10000). */
    @Min(1)
    @Max(10_000)
    private int shares = 1000;

    public SchedulingGroupConfig() {
    }

    public SchedulingGroupConfig(String name, int shares) {
        this.name = name;
        this.shares = shares;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public int getShares() {
        return shares;
    }

    public void setShares(int shares) {
        this.shares = shares;
    }
}
