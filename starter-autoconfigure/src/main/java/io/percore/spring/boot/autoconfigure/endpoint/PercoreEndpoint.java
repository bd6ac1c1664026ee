package io.percore.spring.boot.autoconfigure.endpoint;

import io.percore.config.PropertyNames;
import io.percore.engine.Engine;
import io.percore.engine.SchedulingGroup;
import io.percore.engine.Shard;
import io.percore.engine.ShardStats;
import io.percore.engine.topology.CpuInfo;
import io.percore.engine.topology.HostTopology;
import io.percore.engine.topology.NumaNode;
import io.percore.engine.topology.ShardPlacement;
import io.percore.spring.boot.autoconfigure.live.LiveConfiguration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * {@code /actuator/percore}: the host topology the engine sees (allowed CPUs, quota, NUMA
 * nodes), where each shard runs and why, the transport (and why a better one was not
 * available), and live per-shard statistics. {@code /actuator/percore/{shard}} shows one shard.
 */
@Endpoint(id = "percore")
public final class PercoreEndpoint {

    private final Engine engine;
    private final HostTopology topology;
    private final LiveConfiguration live;

    /** @param topology the host topology, or null when the application supplied its own engine without one */
    public PercoreEndpoint(Engine engine, HostTopology topology) {
        this(engine, topology, null);
    }

    /** @param live the live configuration, or null when there is none */
    public PercoreEndpoint(Engine engine, HostTopology topology, LiveConfiguration live) {
        this.engine = engine;
        this.topology = topology;
        this.live = live;
    }

    @ReadOperation
    public Map<String, Object> percore() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("running", engine.isRunning());
        out.put("mode", PropertyNames.enumValue(engine.settings().mode()));
        out.put("transport", engine.transport());
        out.put("transportFallbackReason", engine.transportFallbackReason());
        out.put("shardCount", engine.shardCount());
        out.put("schedulingGroups", engine.groups().stream()
                .map(g -> Map.<String, Object>of("name", g.name(), "shares", g.shares())).toList());
        if (topology != null) {
            out.put("host", host(topology));
        }
        out.put("placement", placement(engine.placement()));
        List<Map<String, Object>> shards = new ArrayList<>();
        for (Shard shard : engine.shards()) {
            shards.add(shard(shard));
        }
        out.put("shards", shards);
        if (live != null) {
            out.put("configReload", configReload(live));
        }
        return out;
    }

    /** The files watched and the last change: what was applied, what waits for a restart, what was refused and why. */
    private static Map<String, Object> configReload(LiveConfiguration live) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("files", live.files().stream().map(Object::toString).toList());
        LiveConfiguration.Change last = live.lastChange();
        if (last != null) {
            Map<String, Object> change = new LinkedHashMap<>();
            change.put("at", last.at().toString());
            change.put("outcome", last.outcome().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            change.put("applied", last.applied());
            change.put("restartRequired", last.restartRequired());
            change.put("refused", last.refused().stream().map(e -> {
                Map<String, Object> error = new LinkedHashMap<>();
                error.put("property", e.path());
                error.put("value", e.value());
                error.put("rule", e.rule());
                error.put("reason", e.message());
                error.put("origin", last.origins().get(e.path()));
                return error;
            }).toList());
            out.put("lastChange", change);
        }
        return out;
    }

    @ReadOperation
    public Map<String, Object> shard(@Selector int shard) {
        if (shard < 0 || shard >= engine.shardCount()) {
            return null; // 404
        }
        return shard(engine.shard(shard));
    }

    private static Map<String, Object> host(HostTopology topology) {
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("description", topology.describe());
        host.put("onlineCpus", topology.onlineCpus().toString());
        host.put("allowedCpus", topology.allowedCpus().toString());
        host.put("affinityCpus", topology.affinityCpus().toString());
        host.put("cgroupCpus", topology.cgroupCpus().map(Object::toString).orElse(null));
        host.put("cpuQuota", topology.cpuQuota().isPresent() ? topology.cpuQuota().getAsDouble() : null);
        host.put("cgroupPath", topology.cgroupPath());
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NumaNode node : topology.numaNodes()) {
            nodes.add(Map.of("id", node.id(), "cpus", node.cpus().toString()));
        }
        host.put("numaNodes", nodes);
        List<Map<String, Object>> cpus = new ArrayList<>();
        for (CpuInfo cpu : topology.cpus()) {
            cpus.add(Map.of("id", cpu.id(), "core", cpu.coreId(), "package", cpu.packageId(), "numaNode", cpu.numaNode()));
        }
        host.put("cpus", cpus);
        return host;
    }

    private static Map<String, Object> placement(ShardPlacement placement) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pinned", placement.pinned());
        out.put("reservedCpus", placement.reservedCpus().toString());
        out.put("jvmCpus", placement.jvmCpus().toString());
        out.put("reasons", placement.reasons());
        List<Map<String, Object>> shardToCpu = new ArrayList<>();
        for (int i = 0; i < placement.shardCount(); i++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("shard", i);
            entry.put("cpu", placement.cpuOf(i).isPresent() ? placement.cpuOf(i).getAsInt() : null);
            int node = placement.numaNodeOf(i);
            entry.put("numaNode", node == ShardPlacement.NO_NUMA_NODE ? null : node);
            shardToCpu.add(entry);
        }
        out.put("shards", shardToCpu);
        return out;
    }

    private Map<String, Object> shard(Shard shard) {
        ShardStats stats = shard.stats();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("shard", shard.id());
        out.put("thread", shard.name());
        out.put("pinnedCpu", stats.pinnedCpu() < 0 ? null : stats.pinnedCpu());
        out.put("pinningNote", stats.pinningNote());
        out.put("utilization", stats.utilization());
        out.put("tasksRun", stats.tasksRun());
        out.put("tasksFailed", stats.tasksFailed());
        out.put("busyNanos", stats.busyNanos());
        out.put("idleNanos", stats.idleNanos());
        Map<String, Object> groups = new LinkedHashMap<>();
        for (SchedulingGroup group : engine.groups()) {
            groups.put(group.name(), Map.of("queueLength", stats.queueLength(group.name()),
                    "runtimeNanos", stats.groupRuntimeNanos(group.name())));
        }
        out.put("schedulingGroups", groups);
        out.put("foreignQueueLength", stats.foreignQueueLength());
        out.put("messagesSent", stats.messagesSent());
        out.put("messagesReceived", stats.messagesReceived());
        out.put("messagesOverflowed", stats.messagesOverflowed());
        out.put("timersFired", stats.timersFired());
        out.put("stalls", stats.stalls());
        out.put("loopIterations", stats.loopIterations());
        out.put("wakeupsReceived", stats.wakeupsReceived());
        out.put("turnsInsidePoll", stats.turnsInsidePoll());
        out.put("lastLoopTurnAgeMillis", Math.max(0, System.nanoTime() - stats.lastLoopTurnNanos()) / 1_000_000.0);
        return out;
    }
}
