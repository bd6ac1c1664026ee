package io.percore.engine;

/**
 * A named class of work with a CPU share. Groups are engine-wide (every shard has the same
 * groups, in the order of {@code EngineConfig.schedulingGroups}); each shard keeps its own
 * queue and virtual runtime per group. Obtain one with {@link Shard#group(String)}.
 */
public final class SchedulingGroup {

    private final String name;
    /** Read by every shard when it charges the group; changed by the live configuration. */
    private volatile int shares;
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

    void shares(int shares) {
        this.shares = shares;
    }

    int index() {
        return index;
    }

    /**
     * This group's index, checked against {@code groups} (an engine's groups, as each of its shards
     * holds them): a group of another engine has an index too, but not into these queues.
     */
    int indexIn(SchedulingGroup[] groups) {
        if (index >= groups.length || groups[index] != this) {
            throw new IllegalArgumentException(this + " does not belong to this engine");
        }
        return index;
    }

    @Override
    public String toString() {
        return "SchedulingGroup[" + name + ", shares=" + shares + "]";
    }
}
