package io.percore.engine.topology;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this process may run on: the CPUs it is allowed to use (scheduler affinity intersected
 * with the cgroup v2 cpuset), the cgroup CPU quota, and how those CPUs are grouped into SMT
 * siblings, physical cores, packages and NUMA nodes.
 *
 * <p>Everything is read from files under a root directory so that tests can point it at a fake
 * {@code /sys} and {@code /proc}; {@link #detect()} reads the real ones. Every file is optional:
 * a missing file falls back to a sane default (one core per CPU, package 0, node 0, no quota),
 * because containers, VMs and cgroup v1 hosts routinely hide parts of sysfs.
 */
public final class HostTopology {

    private static final Logger log = LoggerFactory.getLogger(HostTopology.class);
    private static final Pattern CPU_DIR = Pattern.compile("cpu(\\d+)");
    private static final Pattern NODE_DIR = Pattern.compile("node(\\d+)");
    /** Files read here are tiny; a bigger one is not the file we expect. */
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final CpuSet onlineCpus;
    private final CpuSet allowedCpus;
    private final CpuSet affinityCpus;
    private final Optional<CpuSet> cgroupCpus;
    private final OptionalDouble cpuQuota;
    private final String cgroupPath;
    private final Map<Integer, CpuInfo> infoById;
    private final Map<Integer, CpuSet> siblingsById;
    private final List<CpuInfo> cpus;
    private final List<NumaNode> numaNodes;

    private HostTopology(CpuSet onlineCpus, CpuSet affinityCpus, Optional<CpuSet> cgroupCpus,
                         OptionalDouble cpuQuota, String cgroupPath,
                         Map<Integer, CpuInfo> infoById, Map<Integer, CpuSet> siblingsById) {
        this.onlineCpus = onlineCpus;
        this.affinityCpus = affinityCpus;
        this.cgroupCpus = cgroupCpus;
        this.cpuQuota = cpuQuota;
        this.cgroupPath = cgroupPath;
        this.infoById = infoById;
        this.siblingsById = siblingsById;
        CpuSet allowed = cgroupCpus.map(affinityCpus::intersect).orElse(affinityCpus);
        this.allowedCpus = allowed;
        this.cpus = allowed.stream().mapToObj(infoById::get).toList();
        Map<Integer, List<Integer>> byNode = new TreeMap<>();
        for (CpuInfo cpu : cpus) {
            byNode.computeIfAbsent(cpu.numaNode(), n -> new ArrayList<>()).add(cpu.id());
        }
        List<NumaNode> nodes = new ArrayList<>();
        byNode.forEach((node, ids) -> nodes.add(
                new NumaNode(node, CpuSet.of(ids.stream().mapToInt(Integer::intValue).toArray()))));
        this.numaNodes = Collections.unmodifiableList(nodes);
    }

    /** Reads the real {@code /sys}, {@code /proc} and {@code /sys/fs/cgroup}. */
    public static HostTopology detect() {
        return read(Path.of("/"));
    }

    /**
     * Reads a topology from {@code root}, which holds {@code sys/devices/system/cpu},
     * {@code sys/devices/system/node}, {@code proc/self/status}, {@code proc/self/cgroup} and the
     * cgroup v2 tree under {@code sys/fs/cgroup}.
     */
    public static HostTopology read(Path root) {
        Path cpuDir = root.resolve("sys/devices/system/cpu");
        CpuSet online = readCpuList(cpuDir.resolve("online")).orElseGet(() -> listIndexedDirs(cpuDir, CPU_DIR));
        CpuSet affinity = readAffinity(root.resolve("proc/self/status")).orElse(online);
        if (online.isEmpty()) {
            // No sysfs at all (unusual sandbox): trust the affinity mask, else the JVM's count.
            online = !affinity.isEmpty() ? affinity
                    : CpuSet.of(IntStream.range(0, Runtime.getRuntime().availableProcessors()).toArray());
        }
        if (affinity.isEmpty()) {
            affinity = online;
        }
        // A CPU can be in the affinity mask yet offline (the kernel keeps the mask across hotplug).
        CpuSet usableAffinity = affinity.intersect(online);
        if (usableAffinity.isEmpty()) {
            usableAffinity = affinity;
        }

        String cgroup = readCgroupV2Path(root.resolve("proc/self/cgroup")).orElse("/");
        Path cgroupRoot = root.resolve("sys/fs/cgroup");
        Path cgroupDir = cgroupDirectory(cgroupRoot, cgroup);
        Optional<CpuSet> cgroupCpus = readCgroupCpuset(cgroupRoot, cgroupDir);
        if (cgroupCpus.isPresent() && cgroupCpus.get().intersect(usableAffinity).isEmpty()) {
            // An empty intersection cannot be true for a running process; the file is stale or
            // belongs to another cgroup namespace, so trust the affinity the kernel reported.
            log.warn("cgroup cpuset.cpus.effective {} does not overlap the process affinity {}; ignoring it",
                    cgroupCpus.get(), usableAffinity);
            cgroupCpus = Optional.empty();
        }
        OptionalDouble quota = readCgroupQuota(cgroupRoot, cgroupDir);

        Map<Integer, Integer> nodeOf = readNodes(root.resolve("sys/devices/system/node"));
        Map<Integer, CpuInfo> info = new LinkedHashMap<>();
        Map<Integer, CpuSet> declaredSiblings = new LinkedHashMap<>();
        for (int id : online.union(usableAffinity).toArray()) {
            Path topo = cpuDir.resolve("cpu" + id).resolve("topology");
            int core = readInt(topo.resolve("core_id")).orElse(id);
            int pkg = Math.max(0, readInt(topo.resolve("physical_package_id")).orElse(0));
            info.put(id, new CpuInfo(id, core, pkg, nodeOf.getOrDefault(id, 0)));
            Optional<CpuSet> siblings = readCpuList(topo.resolve("core_cpus_list"))
                    .or(() -> readCpuList(topo.resolve("thread_siblings_list")));
            siblings.ifPresent(s -> declaredSiblings.put(id, s));
        }
        Map<Integer, CpuSet> siblings = new LinkedHashMap<>();
        for (CpuInfo cpu : info.values()) {
            // core_id/package pairs are the ground truth when the siblings list is missing.
            CpuSet sameCore = CpuSet.of(info.values().stream().filter(cpu::sameCoreAs).mapToInt(CpuInfo::id).toArray());
            siblings.put(cpu.id(), declaredSiblings.getOrDefault(cpu.id(), sameCore).union(CpuSet.of(cpu.id())));
        }
        return new HostTopology(online, usableAffinity, cgroupCpus, quota, cgroup, info, siblings);
    }

    // ---------------------------------------------------------------- accessors

    /** CPUs this process may run on: affinity ∩ cgroup {@code cpuset.cpus.effective} when present. */
    public CpuSet allowedCpus() {
        return allowedCpus;
    }

    /** CPUs online on the host ({@code /sys/devices/system/cpu/online}). */
    public CpuSet onlineCpus() {
        return onlineCpus;
    }

    /** The scheduler affinity of the process ({@code Cpus_allowed_list}), limited to online CPUs. */
    public CpuSet affinityCpus() {
        return affinityCpus;
    }

    /** The cgroup v2 {@code cpuset.cpus.effective}, when the process's cgroup (or an ancestor) has one. */
    public Optional<CpuSet> cgroupCpus() {
        return cgroupCpus;
    }

    /**
     * The cgroup v2 CPU quota in CPUs ({@code cpu.max} quota / period, the smallest along the
     * path to the root); empty when unlimited ({@code max}) or unknown.
     */
    public OptionalDouble cpuQuota() {
        return cpuQuota;
    }

    /** The process's cgroup v2 path from {@code /proc/self/cgroup} ("/" when unknown). */
    public String cgroupPath() {
        return cgroupPath;
    }

    /** The allowed CPUs with their topology, in ascending id order. */
    public List<CpuInfo> cpus() {
        return cpus;
    }

    /** NUMA nodes holding at least one allowed CPU, with their allowed CPUs, by ascending id. */
    public List<NumaNode> numaNodes() {
        return numaNodes;
    }

    /** Topology of an online or allowed CPU. */
    public CpuInfo cpu(int id) {
        CpuInfo info = infoById.get(id);
        if (info == null) {
            throw new IllegalArgumentException("CPU " + id + " is not online on this host (online: " + onlineCpus + ")");
        }
        return info;
    }

    /**
     * All hardware threads of the physical core that {@code cpu} belongs to, including
     * {@code cpu} itself, whether or not this process may use them.
     */
    public CpuSet siblingsOf(int cpu) {
        cpu(cpu);
        return siblingsById.get(cpu);
    }

    /** Number of distinct physical cores among the given CPUs. */
    public int physicalCoreCount(CpuSet among) {
        return (int) among.stream().mapToObj(this::cpu).map(c -> List.of(c.packageId(), c.coreId())).distinct().count();
    }

    /** One-line human summary, e.g. for a startup log line. */
    public String describe() {
        long packages = infoById.values().stream().map(CpuInfo::packageId).distinct().count();
        StringBuilder out = new StringBuilder();
        out.append(onlineCpus.size()).append(" CPUs online (").append(onlineCpus).append("), ")
                .append(physicalCoreCount(onlineCpus)).append(" cores, ")
                .append(packages).append(packages == 1 ? " package" : " packages").append("; ")
                .append(allowedCpus.size()).append(" allowed (").append(allowedCpus).append(") on ")
                .append(physicalCoreCount(allowedCpus)).append(" cores, NUMA ");
        out.append(numaNodes.stream().map(n -> "node" + n.id() + "=" + n.cpus()).collect(Collectors.joining(" ")));
        out.append("; affinity ").append(affinityCpus);
        out.append(cgroupCpus.map(c -> ", cgroup cpuset " + c).orElse(", no cgroup cpuset"));
        out.append(cpuQuota.isPresent() ? ", cpu.max quota " + formatCpus(cpuQuota.getAsDouble()) + " CPUs" : ", no CPU quota");
        out.append(" (cgroup ").append(cgroupPath).append(')');
        return out.toString();
    }

    @Override
    public String toString() {
        return "HostTopology[" + describe() + "]";
    }

    static String formatCpus(double cpus) {
        return BigDecimal.valueOf(cpus).setScale(2, RoundingMode.HALF_UP).stripTrailingZeros().toPlainString();
    }

    // ---------------------------------------------------------------- parsing

    private static Optional<CpuSet> readAffinity(Path status) {
        return readSmallFile(status).flatMap(text -> text.lines()
                .filter(l -> l.startsWith("Cpus_allowed_list:"))
                .findFirst()
                .flatMap(l -> parseCpuList(status, l.substring("Cpus_allowed_list:".length()))));
    }

    /** The cgroup v2 entry {@code 0::/path} of {@code /proc/self/cgroup}. */
    private static Optional<String> readCgroupV2Path(Path procCgroup) {
        return readSmallFile(procCgroup).flatMap(text -> text.lines()
                .filter(l -> l.startsWith("0::"))
                .map(l -> l.substring(3).strip())
                .filter(p -> p.startsWith("/"))
                .findFirst());
    }

    /**
     * The directory of the process's cgroup, or the cgroup root when that path is not visible
     * (a container without its own cgroup namespace sees the host path, which may not be
     * mounted; its root then is its own cgroup).
     */
    private static Path cgroupDirectory(Path cgroupRoot, String cgroup) {
        // Strip " (deleted)" and refuse ".." so a strange path cannot escape the cgroup mount.
        String relative = cgroup.replace(" (deleted)", "").replaceAll("^/+", "");
        if (relative.isEmpty() || relative.contains("..")) {
            return cgroupRoot;
        }
        Path dir = cgroupRoot.resolve(relative).normalize();
        return dir.startsWith(cgroupRoot) && Files.isDirectory(dir) ? dir : cgroupRoot;
    }

    /** The nearest {@code cpuset.cpus.effective} from the process's cgroup up to the root. */
    private static Optional<CpuSet> readCgroupCpuset(Path cgroupRoot, Path cgroupDir) {
        for (Path dir = cgroupDir; dir != null && dir.startsWith(cgroupRoot); dir = dir.getParent()) {
            Optional<String> text = readSmallFile(dir.resolve("cpuset.cpus.effective"));
            if (text.isPresent() && !text.get().isBlank()) {
                return parseCpuList(dir.resolve("cpuset.cpus.effective"), text.get());
            }
        }
        return Optional.empty();
    }

    /**
     * The tightest {@code cpu.max} between the process's cgroup and the root: a parent's limit
     * caps all of its children, so a container under a limited pod is bound by both.
     */
    private static OptionalDouble readCgroupQuota(Path cgroupRoot, Path cgroupDir) {
        double best = Double.POSITIVE_INFINITY;
        for (Path dir = cgroupDir; dir != null && dir.startsWith(cgroupRoot); dir = dir.getParent()) {
            Path file = dir.resolve("cpu.max");
            Optional<String> text = readSmallFile(file);
            if (text.isEmpty()) {
                continue;
            }
            OptionalDouble quota = parseCpuMax(file, text.get());
            if (quota.isPresent()) {
                best = Math.min(best, quota.getAsDouble());
            }
        }
        return best == Double.POSITIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(best);
    }

    /** {@code cpu.max} is "{@code $MAX $PERIOD}", {@code $MAX} being a number of µs or {@code max}. */
    static OptionalDouble parseCpuMax(Path file, String text) {
        String[] fields = text.strip().split("\\s+");
        if (fields.length == 0 || fields[0].isEmpty() || fields[0].equals("max")) {
            return OptionalDouble.empty();
        }
        try {
            long quota = Long.parseLong(fields[0]);
            long period = fields.length > 1 ? Long.parseLong(fields[1]) : 100_000L;
            if (quota <= 0 || period <= 0) {
                throw new NumberFormatException("quota and period must be positive");
            }
            return OptionalDouble.of((double) quota / period);
        } catch (NumberFormatException e) {
            log.warn("Ignoring unreadable {} content '{}': {}", file, text.strip(), e.getMessage());
            return OptionalDouble.empty();
        }
    }

    /** CPU id → NUMA node, from {@code nodeN/cpulist}. */
    private static Map<Integer, Integer> readNodes(Path nodeDir) {
        Map<Integer, Integer> nodeOf = new TreeMap<>();
        for (int node : listIndexedDirs(nodeDir, NODE_DIR).toArray()) {
            readCpuList(nodeDir.resolve("node" + node).resolve("cpulist"))
                    .ifPresent(cpus -> cpus.stream().forEach(cpu -> nodeOf.putIfAbsent(cpu, node)));
        }
        return nodeOf;
    }

    private static CpuSet listIndexedDirs(Path dir, Pattern name) {
        if (!Files.isDirectory(dir)) {
            return CpuSet.empty();
        }
        TreeSet<Integer> ids = new TreeSet<>();
        try (var entries = Files.list(dir)) {
            entries.forEach(p -> {
                Matcher m = name.matcher(p.getFileName().toString());
                if (m.matches() && m.group(1).length() <= 5 && Files.isDirectory(p)) {
                    int id = Integer.parseInt(m.group(1));
                    if (id <= CpuSet.MAX_CPU_ID) {
                        ids.add(id);
                    }
                }
            });
        } catch (IOException | RuntimeException e) {
            log.debug("Cannot list {}: {}", dir, e.toString());
        }
        return CpuSet.of(ids.stream().mapToInt(Integer::intValue).toArray());
    }

    private static Optional<CpuSet> readCpuList(Path file) {
        return readSmallFile(file).flatMap(text -> parseCpuList(file, text));
    }

    private static Optional<CpuSet> parseCpuList(Path file, String text) {
        try {
            return Optional.of(CpuSet.parse(text));
        } catch (IllegalArgumentException e) {
            log.warn("Ignoring {}: {}", file, e.getMessage());
            return Optional.empty();
        }
    }

    private static Optional<Integer> readInt(Path file) {
        return readSmallFile(file).flatMap(text -> {
            try {
                return Optional.of(Integer.parseInt(text.strip()));
            } catch (NumberFormatException e) {
                log.warn("Ignoring {}: '{}' is not an integer", file, text.strip());
                return Optional.empty();
            }
        });
    }

    private static Optional<String> readSmallFile(Path file) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_FILE_BYTES) {
                // procfs and sysfs report size 0 (or 4096) whatever the content, so only a
                // real oversized file is rejected here.
                return Optional.empty();
            }
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | SecurityException | UncheckedIOException e) {
            log.debug("Cannot read {}: {}", file, e.toString());
            return Optional.empty();
        }
    }
}
