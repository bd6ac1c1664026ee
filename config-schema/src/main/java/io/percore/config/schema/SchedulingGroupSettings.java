package io.percore.config.schema;

/**
 * One validated, immutable scheduling group. Only {@link ConfigValidator} makes these, so a
 * holder never checks the name or the shares again.
 */
public final class SchedulingGroupSettings {

    private final String name;
    private final int shares;

    SchedulingGroupSettings(String name, int shares) {
        this.name = name;
        this.shares = shares;
    }

    public String name() {
        return name;
    }

    public int shares() {
        return shares;
    }

    @Override
    public String toString() {
        return name + "(" + shares + ")";
    }
}
