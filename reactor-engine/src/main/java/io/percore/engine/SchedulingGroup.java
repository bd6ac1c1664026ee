package io.percore.engine;

/**
 * A named class of work with a CPU share. Groups are engine-wide (every shard has the same
 * groups, in the order of {@code EngineConfig.schedulingGroups}); each shard keeps its own
 * queue and virtual runtime per group. Obtain one with {@link Shard#group(String)}.
 */
public final class SchedulingGroup {

    private final String name;
    private final int shares;
    private final int index;

    SchedulingGroup(String name, int shares, int index) {
        this.name = name;
        this.shares = shares;
        this.index = index;
    }

    public String name() {
        return name;
    }

    public int shares() {
        return shares;
    }

    int index() {
        return index;
    }

    @Override
    public String toString() {
        return "SchedulingGroup[" + name + ", shares=" + shares + "]";
    }
}
