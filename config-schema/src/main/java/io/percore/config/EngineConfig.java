package io.percore.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Settings of the per-core engine: how many shards, which CPUs they run on, and how each
 * shard's loop spends its time. Bound from {@code percore.engine.*}.
 *
 * <p>Each property is described by its {@link PropertyDescription}, the single source for the
 * JSON Schema and {@code docs/configuration.md}. Rules the schema cannot express (ascending CPU
 * ranges, power-of-two ring capacity, unique scheduling-group names) are checked by
 * {@code io.percore.config.schema.ConfigValidator}.
 */
public class EngineConfig {

    /** Matches a Linux CPU list such as {@code 0-3,8,10-11}. */
    public static final String CPU_LIST_PATTERN = "^\\s*\\d+(\\s*-\\s*\\d+)?(\\s*,\\s*\\d+(\\s*-\\s*\\d+)?)*\\s*$";

    @PropertyDescription("Number of shards (one pinned thread each). 0 means one shard per usable physical core (one hardware thread per core) among the CPUs the process may run on, minus reserved-cpus, capped by the cgroup CPU quota.")
    @Min(0)
    @Max(1024)
    private int shards = 0;

    @PropertyDescription("CPUs the shards may be pinned to, as a Linux CPU list such as 0-3,8 (ranges ascending). Unset means every CPU the process is allowed to use. A CPU outside the process's affinity is an error.")
    @Pattern(regexp = CPU_LIST_PATTERN)
    private String cpus;

    @PropertyDescription("CPUs left free of shards for the JVM's own threads (GC, JIT, Spring). Never reduces the shard count below one.")
    @Min(0)
    @Max(1024)
    private int reservedCpus = 0;

    @PropertyDescription("pinned: one shard per CPU, pinned, busy-polling when idle. overprovisioned: no pinning and no busy-polling, for hosts whose cores are not exclusive.")
    @NotNull
    private Mode mode = Mode.PINNED;

    @PropertyDescription("How long an idle shard spins before sleeping in the I/O poll. 0 disables spinning (always the case in overprovisioned mode).")
    @NotNull
    @DurationMax("1s")
    private Duration idlePoll = Duration.ofMillis(1);

    @PropertyDescription("Time a shard spends running tasks before it polls I/O again.")
    @NotNull
    @DurationMin("1us")
    @DurationMax("1s")
    @LiveChange
    private Duration taskQuota = Duration.ofNanos(500_000);

    @PropertyDescription("A task running longer than this is reported as a reactor stall.")
    @NotNull
    @DurationMin("1ms")
    @DurationMax("10m")
    @LiveChange
    private Duration stallThreshold = Duration.ofMillis(25);

    @PropertyDescription("Capacity in messages of each single-producer/single-consumer ring between two shards; must be a power of two.")
    @Min(16)
    @Max(1 << 20)
    private int ringCapacity = 4096;

    @PropertyDescription("Most tasks and calls from threads that are not shards (Spring, request threads, tests) that may wait in one shard's foreign queue. Over it a submission is refused at once with a RejectedExecutionException naming the shard and this limit; nothing accepted is dropped. About 160 bytes each: the default bounds a stuck shard's queue at about 10 MB.")
    @Min(16)
    @Max(4_194_304)
    private int foreignQueueCapacity = 65_536;

    @PropertyDescription("Most cross-shard calls and tasks one shard may park while the rings to their targets are full (all targets together). Over it a new call fails its ShardFuture (and execute throws) with a RejectedExecutionException naming the shards and this limit; replies and completions are never refused, nothing accepted is dropped, the sender never blocks.")
    @Min(16)
    @Max(4_194_304)
    private int crossShardOverflowCapacity = 65_536;

    @PropertyDescription("I/O transport: auto tries io-uring, then epoll, then nio.")
    @NotNull
    private Transport transport = Transport.AUTO;

    @PropertyDescription("Scheduling groups, names unique; the first is the default group that unassigned tasks run in.")
    @NotEmpty
    @Size(max = 64)
    private List<@Valid SchedulingGroupConfig> schedulingGroups = new ArrayList<>(List.of(new SchedulingGroupConfig()));

    /** Shard pinning policy; written {@code pinned} / {@code overprovisioned} in YAML. */
    public enum Mode {
        PINNED,
        OVERPROVISIONED
    }

    /** I/O transport choice; written {@code auto}, {@code io-uring}, {@code epoll}, {@code nio} in YAML. */
    public enum Transport {
        AUTO,
        IO_URING,
        EPOLL,
        NIO
    }

    public int getShards() {
        return shards;
    }

    public void setShards(int shards) {
        this.shards = shards;
    }

    public String getCpus() {
        return cpus;
    }

    public void setCpus(String cpus) {
        this.cpus = cpus;
    }

    public int getReservedCpus() {
        return reservedCpus;
    }

    public void setReservedCpus(int reservedCpus) {
        this.reservedCpus = reservedCpus;
    }

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    public Duration getIdlePoll() {
        return idlePoll;
    }

    public void setIdlePoll(Duration idlePoll) {
        this.idlePoll = idlePoll;
    }

    public Duration getTaskQuota() {
        return taskQuota;
    }

    public void setTaskQuota(Duration taskQuota) {
        this.taskQuota = taskQuota;
    }

    public Duration getStallThreshold() {
        return stallThreshold;
    }

    public void setStallThreshold(Duration stallThreshold) {
        this.stallThreshold = stallThreshold;
    }

    public int getForeignQueueCapacity() {
        return foreignQueueCapacity;
    }

    public void setForeignQueueCapacity(int foreignQueueCapacity) {
        this.foreignQueueCapacity = foreignQueueCapacity;
    }

    public int getCrossShardOverflowCapacity() {
        return crossShardOverflowCapacity;
    }

    public void setCrossShardOverflowCapacity(int crossShardOverflowCapacity) {
        this.crossShardOverflowCapacity = crossShardOverflowCapacity;
    }

    public int getRingCapacity() {
        return ringCapacity;
    }

    public void setRingCapacity(int ringCapacity) {
        this.ringCapacity = ringCapacity;
    }

    public Transport getTransport() {
        return transport;
    }

    public void setTransport(Transport transport) {
        this.transport = transport;
    }

    public List<SchedulingGroupConfig> getSchedulingGroups() {
        return schedulingGroups;
    }

    public void setSchedulingGroups(List<SchedulingGroupConfig> schedulingGroups) {
        this.schedulingGroups = schedulingGroups;
    }
}
