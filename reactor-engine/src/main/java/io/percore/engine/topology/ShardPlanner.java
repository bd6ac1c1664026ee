package io.percore.engine.topology;

import io.percore.config.EngineConfig;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.EngineSettings;
import io.percore.config.schema.HostRejectedSettingException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Decides how many shards to run and which CPU each one is pinned to. A pure function of the
 * host topology and {@link EngineConfig}, so every rule is testable on fixture trees.
 *
 * <h2>Rules</h2>
 * <ol>
 *   <li><b>Usable CPUs</b> are the allowed CPUs (affinity ∩ cgroup cpuset), narrowed to
 *       {@code percore.engine.cpus} when set. A configured CPU the process may not use is an
 *       error, never silently dropped.</li>
 *   <li><b>Preference order.</b> Usable CPUs are ranked: first one hardware thread per physical
 *       core (the lowest id), cores taken round-robin over NUMA nodes so that a partial set of
 *       shards is spread evenly over the nodes; then the second SMT thread of each core, in the
 *       same round-robin; and so on. Shards take CPUs from the front of this order.</li>
 *   <li><b>Reserved CPUs</b> ({@code reserved-cpus}) are taken from the back of the same order.
 *       On an SMT host the back holds the sibling threads that one-shard-per-core placement
 *       leaves idle anyway, so reserving them costs no shard and the JVM's threads (GC, JIT)
 *       run on hardware threads no shard uses; once siblings run out, whole cores are reserved
 *       from the highest ids down. At least one CPU always remains for a shard: with a single
 *       usable CPU the one shard shares it with the JVM, and the reasons say so.</li>
 *   <li><b>Shard count.</b> {@code shards = 0} means one shard per usable physical core
 *       (hyperthreads are not counted: two shards on one core halve each other's throughput);
 *       the count is further capped by the usable CPUs minus the reserved ones and by
 *       {@code floor(cpu.max quota)} (at least 1), since shards beyond the quota are throttled.
 *       An explicit count may also use SMT siblings, is capped by the quota the same way, and
 *       shrinks the reservation if needed; an explicit count larger than the usable CPUs is an
 *       error in pinned mode.</li>
 *   <li><b>NUMA.</b> A shard's NUMA node is that of its CPU. Shards are numbered by (node, CPU),
 *       so the shards of one node have consecutive ids.</li>
 *   <li><b>Overprovisioned mode</b> pins nothing: the explicit shard count, or the usable CPUs
 *       minus the reserved ones capped by the quota.</li>
 * </ol>
 */
public final class ShardPlanner {

    static final String SHARDS_KEY = "percore.engine.shards";
    static final String CPUS_KEY = "percore.engine.cpus";
    static final String RESERVED_KEY = "percore.engine.reserved-cpus";

    private ShardPlanner() {
    }

    /** Programmatic convenience: validates {@code config} first (throws {@code ConfigValidationException}). */
    public static ShardPlacement plan(HostTopology topology, EngineConfig config) {
        return plan(topology, ConfigValidator.shared().validatedEngine(config));
    }

    /**
     * Places shards for validated settings. What is checked here depends on the host (a shard
     * count above the usable CPUs), never on the settings alone: those rules are the validator's.
     */
    public static ShardPlacement plan(HostTopology topology, EngineSettings config) {
        Objects.requireNonNull(topology, "topology");
        Objects.requireNonNull(config, "config");
        List<String> reasons = new ArrayList<>();
        CpuSet allowed = topology.allowedCpus();
        reasons.add(describeAllowed(topology));
        CpuSet usable = usableCpus(allowed, config.cpus().orElse(null), reasons);
        int usableCount = usable.size();
        int quotaCap = quotaCap(topology);

        int reservedWanted = config.reservedCpus();
        int reserve = Math.min(reservedWanted, usableCount - 1);
        if (reserve < reservedWanted) {
            reasons.add(usableCount == 1
                    ? RESERVED_KEY + "=" + reservedWanted + " cannot be honoured with 1 usable CPU (" + usable
                            + "): the single shard shares it with JVM threads"
                    : RESERVED_KEY + "=" + reservedWanted + " reduced to " + reserve + " so that at least one of the "
                            + usableCount + " usable CPUs (" + usable + ") runs a shard");
        }

        if (!config.pinned()) {
            return planUnpinned(config, usable, reserve, quotaCap, topology, reasons);
        }

        List<Integer> ranked = rank(topology, usable);
        int cores = topology.physicalCoreCount(usable);
        int count;
        if (config.shards() > 0) {
            int shards = config.shards();
            if (shards > usableCount) {
                throw new HostRejectedSettingException(SHARDS_KEY, Integer.toString(shards), SHARDS_KEY + "=" + shards + " exceeds the " + usableCount
                        + " CPUs this process may pin shards to (" + usable + "); use at most " + usableCount
                        + ", 0 for automatic, or mode overprovisioned");
            }
            if (shards > usableCount - reserve) {
                int kept = usableCount - shards;
                reasons.add(SHARDS_KEY + "=" + shards + " leaves room for " + kept + " of the " + reserve
                        + " reserved CPUs");
                reserve = kept;
            }
            count = shards;
            reasons.add(SHARDS_KEY + "=" + shards + " requested" + (shards > cores
                    ? " (more than the " + cores + " physical cores: " + (shards - cores) + " shards share a core with an SMT sibling shard)"
                    : ""));
        } else {
            count = Math.min(cores, usableCount - reserve);
            reasons.add(cores == usableCount
                    ? "automatic shard count: one per usable CPU"
                    : "automatic shard count: one per physical core (" + cores + " cores, " + usableCount
                            + " CPUs with SMT siblings)");
        }
        if (count > quotaCap) {
            reasons.add("cpu.max quota " + HostTopology.formatCpus(topology.cpuQuota().getAsDouble())
                    + " CPUs caps shards at " + quotaCap
                    + (topology.cpuQuota().getAsDouble() < 1 ? " (quota below one CPU: expect throttling)" : ""));
            count = quotaCap;
        }

        CpuSet reserved = CpuSet.of(ranked.subList(ranked.size() - reserve, ranked.size())
                .stream().mapToInt(Integer::intValue).toArray());
        List<CpuInfo> shardCpus = ranked.subList(0, count).stream()
                .map(topology::cpu)
                .sorted(Comparator.comparingInt(CpuInfo::numaNode).thenComparingInt(CpuInfo::id))
                .toList();
        int[] cpus = shardCpus.stream().mapToInt(CpuInfo::id).toArray();
        int[] nodes = shardCpus.stream().mapToInt(CpuInfo::numaNode).toArray();
        CpuSet shardSet = CpuSet.of(cpus);
        if (reserve > 0) {
            reasons.add(reserve + " reserved for JVM threads (" + reserved + ")" + describeReserved(topology, reserved, shardSet));
        }
        CpuSet jvmCpus = allowed.minus(shardSet);
        if (jvmCpus.isEmpty()) {
            jvmCpus = allowed;
            if (usableCount > 1 || reserve == reservedWanted) {
                reasons.add("every allowed CPU runs a shard: JVM threads share CPUs with shards");
            }
        }
        reasons.add(summary(usable, reserve, shardCpus));
        return new ShardPlacement(cpus, nodes, reserved, jvmCpus, reasons);
    }

    private static ShardPlacement planUnpinned(EngineSettings config, CpuSet usable, int reserve, int quotaCap,
                                               HostTopology topology, List<String> reasons) {
        int count;
        if (config.shards() > 0) {
            count = config.shards();
            reasons.add(SHARDS_KEY + "=" + count + " requested");
        } else {
            count = Math.max(1, usable.size() - reserve);
            reasons.add("automatic shard count: " + usable.size() + " usable CPUs"
                    + (reserve > 0 ? " minus " + reserve + " reserved" : "") + " = " + count);
            if (count > quotaCap) {
                reasons.add("cpu.max quota " + HostTopology.formatCpus(topology.cpuQuota().getAsDouble())
                        + " CPUs caps shards at " + quotaCap);
                count = quotaCap;
            }
        }
        reasons.add("mode overprovisioned: " + count + (count == 1 ? " shard" : " shards")
                + ", no pinning and no busy-polling; the OS schedules them over CPUs " + usable);
        return ShardPlacement.unpinned(count, reasons);
    }

    private static CpuSet usableCpus(CpuSet allowed, String configured, List<String> reasons) {
        if (configured == null || configured.isBlank()) {
            return allowed;
        }
        CpuSet requested;
        try {
            requested = CpuSet.parse(configured);
        } catch (IllegalArgumentException e) {
            throw new HostRejectedSettingException(CPUS_KEY, configured, CPUS_KEY + "='" + configured + "' is not a CPU list: " + e.getMessage(), e);
        }
        CpuSet forbidden = requested.minus(allowed);
        if (!forbidden.isEmpty()) {
            throw new HostRejectedSettingException(CPUS_KEY, configured, CPUS_KEY + " contains " + (forbidden.size() == 1 ? "CPU " : "CPUs ")
                    + forbidden + ", which this process may not use (allowed: " + allowed + ")");
        }
        reasons.add(CPUS_KEY + "=" + requested + " restricts shards to " + plural(requested.size(), "CPU"));
        return requested;
    }

    private static int quotaCap(HostTopology topology) {
        if (topology.cpuQuota().isEmpty()) {
            return Integer.MAX_VALUE;
        }
        // 1e-9 absorbs rounding in quota/period (e.g. 300000/100000), never a real fraction.
        return Math.max(1, (int) Math.floor(topology.cpuQuota().getAsDouble() + 1e-9));
    }

    /**
     * Usable CPUs in the order shards take them (see class comment): thread k of every core
     * before thread k+1 of any core, cores interleaved over NUMA nodes.
     */
    static List<Integer> rank(HostTopology topology, CpuSet usable) {
        // node -> core (first thread id) -> threads of that core, all ascending.
        Map<Integer, Map<List<Integer>, List<Integer>>> coresByNode = new TreeMap<>();
        for (int id : usable.toArray()) {
            CpuInfo cpu = topology.cpu(id);
            coresByNode.computeIfAbsent(cpu.numaNode(), n -> new LinkedHashMap<>())
                    .computeIfAbsent(List.of(cpu.packageId(), cpu.coreId()), c -> new ArrayList<>())
                    .add(id);
        }
        List<List<List<Integer>>> nodes = coresByNode.values().stream()
                .map(cores -> cores.values().stream()
                        .sorted(Comparator.comparingInt(threads -> threads.get(0)))
                        .toList())
                .toList();
        int maxThreads = nodes.stream().flatMap(List::stream).mapToInt(List::size).max().orElse(0);
        List<Integer> ranked = new ArrayList<>(usable.size());
        for (int level = 0; level < maxThreads; level++) {
            final int k = level;
            List<List<Integer>> perNode = nodes.stream()
                    .map(cores -> cores.stream().filter(t -> t.size() > k).map(t -> t.get(k)).toList())
                    .toList();
            int longest = perNode.stream().mapToInt(List::size).max().orElse(0);
            for (int i = 0; i < longest; i++) {
                for (List<Integer> node : perNode) {
                    if (i < node.size()) {
                        ranked.add(node.get(i));
                    }
                }
            }
        }
        return ranked;
    }

    private static String describeAllowed(HostTopology topology) {
        CpuSet allowed = topology.allowedCpus();
        StringBuilder out = new StringBuilder(plural(allowed.size(), "CPU")).append(" allowed (").append(allowed).append(')');
        if (!allowed.equals(topology.affinityCpus())) {
            out.append(": affinity ").append(topology.affinityCpus());
            topology.cgroupCpus().ifPresent(c -> out.append(" ∩ cgroup cpuset ").append(c));
        }
        int cores = topology.physicalCoreCount(allowed);
        if (cores != allowed.size()) {
            out.append(", ").append(plural(cores, "physical core"));
        }
        if (topology.numaNodes().size() > 1) {
            out.append(", ").append(topology.numaNodes().size()).append(" NUMA nodes");
        }
        return out.toString();
    }

    private static String describeReserved(HostTopology topology, CpuSet reserved, CpuSet shards) {
        boolean allSiblings = reserved.stream()
                .allMatch(cpu -> !topology.siblingsOf(cpu).minus(CpuSet.of(cpu)).intersect(shards).isEmpty());
        return allSiblings ? ", on SMT siblings of shard cores, so no shard is given up" : "";
    }

    private static String summary(CpuSet usable, int reserve, List<CpuInfo> shardCpus) {
        StringBuilder out = new StringBuilder().append(plural(usable.size(), "CPU")).append(" usable (").append(usable).append(')');
        if (reserve > 0) {
            out.append(", ").append(reserve).append(" reserved for JVM threads");
        }
        out.append(" → ").append(plural(shardCpus.size(), "shard")).append(" pinned to ")
                .append(CpuSet.of(shardCpus.stream().mapToInt(CpuInfo::id).toArray()));
        Map<Integer, List<Integer>> byNode = shardCpus.stream().collect(Collectors.groupingBy(
                CpuInfo::numaNode, TreeMap::new, Collectors.mapping(CpuInfo::id, Collectors.toList())));
        if (byNode.size() > 1) {
            out.append(byNode.entrySet().stream()
                    .map(e -> "node " + e.getKey() + ": " + CpuSet.of(e.getValue().stream().mapToInt(Integer::intValue).toArray()))
                    .collect(Collectors.joining("; ", " (", ")")));
        }
        return out.toString();
    }

    private static String plural(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }
}
