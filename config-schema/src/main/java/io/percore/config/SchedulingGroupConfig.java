package io.percore.config;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * A named scheduling group. Groups that all have work get CPU time in proportion to their
 * shares. Bound from {@code percore.engine.scheduling-groups[i].*}.
 */
public class SchedulingGroupConfig {

    @PropertyDescription("Group name: lowercase letters, digits and dashes, starting with a letter; unique within the engine.")
    @NotBlank
    @Size(max = 63)
    @Pattern(regexp = "^[a-z][a-z0-9-]*$")
    private String name = "default";

    @PropertyDescription("Relative weight of this group when several groups have work: a group with twice the shares gets twice the CPU time.")
    @Min(1)
    @Max(10_000)
    @LiveChange
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
