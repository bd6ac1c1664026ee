package io.percore.config.schema;

import io.percore.config.EngineConfig;
import io.percore.config.SchedulingGroupConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine's configuration after {@link ConfigValidator} accepted it: immutable, every rule of
 * the schema and {@code ModelRules} already holds (ring capacity a power of two in 16..1048576,
 * positive task quota and stall threshold, mode and transport set, group names unique). The
 * engine takes it as it is and knows no key names.
 *
 * <p>Not a record on purpose: a record's constructor would be public, and then settings could be
 * made without the validator. The only way in is {@link ConfigValidator#validatedEngine}.
 */
public final class EngineSettings {

    private final int shards;
    private final String cpus;
    private final int reservedCpus;
    private final EngineConfig.Mode mode;
    private final Duration idlePoll;
    private final Duration taskQuota;
    private final Duration stallThreshold;
    private final int ringCapacity;
    private final int foreignQueueCapacity;
    private final int crossShardOverflowCapacity;
    private final EngineConfig.Transport transport;
    private final List<SchedulingGroupSettings> schedulingGroups;
    /** The settings as their YAML would be, to tell what a newer version changes. */
    private final Map<String, Object> tree;

    /** Copies an {@link EngineConfig} the validator has just accepted. */
    EngineSettings(EngineConfig accepted) {
        this.shards = accepted.getShards();
        this.cpus = accepted.getCpus();
        this.reservedCpus = accepted.getReservedCpus();
        this.mode = accepted.getMode();
        this.idlePoll = accepted.getIdlePoll();
        this.taskQuota = accepted.getTaskQuota();
        this.stallThreshold = accepted.getStallThreshold();
        this.ringCapacity = accepted.getRingCapacity();
        this.foreignQueueCapacity = accepted.getForeignQueueCapacity();
        this.crossShardOverflowCapacity = accepted.getCrossShardOverflowCapacity();
        this.transport = accepted.getTransport();
        List<SchedulingGroupSettings> groups = new ArrayList<>();
        for (SchedulingGroupConfig g : accepted.getSchedulingGroups()) {
            groups.add(new SchedulingGroupSettings(g.getName(), g.getShares()));
        }
        this.schedulingGroups = List.copyOf(groups);
        this.tree = ModelTree.of(accepted);
    }

    /**
     * What {@code next} changes, sorted by whether a running engine takes it
     * ({@link LiveSettings}): paths under {@code percore.engine}.
     */
    public LiveSettings.Changes changesTo(EngineSettings next) {
        return LiveSettings.between(Map.of("engine", tree), Map.of("engine", next.tree));
    }

    /** 0 means automatic (one per usable physical core). */
    public int shards() {
        return shards;
    }

    /** The CPU list the shards may use; empty means every CPU the process may use. */
    public Optional<String> cpus() {
        return Optional.ofNullable(cpus);
    }

    public int reservedCpus() {
        return reservedCpus;
    }

    public EngineConfig.Mode mode() {
        return mode;
    }

    public boolean pinned() {
        return mode == EngineConfig.Mode.PINNED;
    }

    public Duration idlePoll() {
        return idlePoll;
    }

    public Duration taskQuota() {
        return taskQuota;
    }

    public Duration stallThreshold() {
        return stallThreshold;
    }

    /** A power of two within 16..1048576. */
    public int ringCapacity() {
        return ringCapacity;
    }

    /** Most submissions from non-shard threads queued for one shard (16..4194304). */
    public int foreignQueueCapacity() {
        return foreignQueueCapacity;
    }

    /** Most new cross-shard messages one shard may park while rings are full (16..4194304). */
    public int crossShardOverflowCapacity() {
        return crossShardOverflowCapacity;
    }

    public EngineConfig.Transport transport() {
        return transport;
    }

    /** At least one; the first is the default group. Names unique. */
    public List<SchedulingGroupSettings> schedulingGroups() {
        return schedulingGroups;
    }

    @Override
    public String toString() {
        return "EngineSettings[shards=" + shards + ", cpus=" + cpus + ", reservedCpus=" + reservedCpus + ", mode=" + mode
                + ", idlePoll=" + idlePoll + ", taskQuota=" + taskQuota + ", stallThreshold=" + stallThreshold
                + ", ringCapacity=" + ringCapacity + ", foreignQueueCapacity=" + foreignQueueCapacity
                + ", crossShardOverflowCapacity=" + crossShardOverflowCapacity + ", transport=" + transport + ", schedulingGroups=" + schedulingGroups + "]";
    }
}
