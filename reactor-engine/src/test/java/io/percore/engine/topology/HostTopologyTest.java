package io.percore.engine.topology;

import static io.percore.engine.topology.Fixtures.put;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

class HostTopologyTest {

    @Test
    void twoSocketTwoNodeHostWithSmt() {
        HostTopology topo = Fixtures.topology("two-socket-smt");

        assertThat(topo.onlineCpus()).hasToString("0-15");
        assertThat(topo.allowedCpus()).hasToString("0-15");
        assertThat(topo.cpuQuota()).isEmpty();
        assertThat(topo.cgroupPath()).isEqualTo("/system.slice/app.service");
        assertThat(topo.cpus()).hasSize(16);
        assertThat(topo.cpu(5)).isEqualTo(new CpuInfo(5, 1, 1, 1));
        assertThat(topo.cpu(13)).isEqualTo(new CpuInfo(13, 1, 1, 1));
        assertThat(topo.cpu(1)).isEqualTo(new CpuInfo(1, 1, 0, 0));
        // Same core_id in another package is another physical core.
        assertThat(topo.cpu(1).sameCoreAs(topo.cpu(5))).isFalse();
        assertThat(topo.cpu(5).sameCoreAs(topo.cpu(13))).isTrue();
        assertThat(topo.siblingsOf(3)).hasToString("3,11");
        assertThat(topo.siblingsOf(11)).hasToString("3,11");
        assertThat(topo.numaNodes()).containsExactly(
                new NumaNode(0, CpuSet.parse("0-3,8-11")),
                new NumaNode(1, CpuSet.parse("4-7,12-15")));
        assertThat(topo.physicalCoreCount(topo.allowedCpus())).isEqualTo(8);
        assertThat(topo.describe())
                .contains("16 CPUs online (0-15)", "8 cores", "2 packages", "node0=0-3,8-11", "node1=4-7,12-15",
                        "no CPU quota", "/system.slice/app.service");
    }

    @Test
    void containerCpusetNarrowsTheAffinity() {
        HostTopology topo = Fixtures.topology("container-cpuset");

        assertThat(topo.affinityCpus()).hasToString("0-7");
        assertThat(topo.cgroupCpus()).contains(CpuSet.parse("4-7"));
        assertThat(topo.allowedCpus()).hasToString("4-7");
        assertThat(topo.cpus()).extracting(CpuInfo::id).containsExactly(4, 5, 6, 7);
        assertThat(topo.numaNodes()).containsExactly(new NumaNode(0, CpuSet.parse("4-7")));
        assertThat(topo.cpuQuota()).isEmpty();
        assertThat(topo.cgroupPath()).isEqualTo("/");
        assertThat(topo.describe()).contains("4 allowed (4-7)", "cgroup cpuset 4-7");
    }

    @Test
    void quotaSmallerThanTheCpusetTakesTheTightestLevel() {
        HostTopology topo = Fixtures.topology("quota-below-cpuset");

        assertThat(topo.allowedCpus()).hasToString("0-3");
        // Pod allows 2 CPUs, the container 1.5: the container's limit wins.
        assertThat(topo.cpuQuota()).hasValue(1.5);
        assertThat(topo.cgroupPath()).isEqualTo("/kubepods.slice/kubepods-pod1.slice/cri-containerd-abc.scope");
        assertThat(topo.describe()).contains("cpu.max quota 1.5 CPUs");
    }

    @Test
    void parentQuotaCapsAChildWithoutLimit(@TempDir Path root) {
        minimalHost(root, 4);
        put(root, "proc/self/cgroup", "0::/pod/ctr");
        put(root, "sys/fs/cgroup/pod/cpu.max", "250000 100000");
        put(root, "sys/fs/cgroup/pod/ctr/cpu.max", "max 100000");

        assertThat(HostTopology.read(root).cpuQuota()).hasValue(2.5);
    }

    @Test
    void cgroupV1HasNoQuotaAndUsesTheAffinityOnly() {
        HostTopology topo = Fixtures.topology("cgroup-v1");

        assertThat(topo.allowedCpus()).hasToString("0-3");
        assertThat(topo.cgroupCpus()).isEmpty();
        assertThat(topo.cpuQuota()).isEmpty();
        assertThat(topo.cgroupPath()).isEqualTo("/");
    }

    @Test
    void cpuListWithGaps() {
        HostTopology topo = Fixtures.topology("gaps");

        assertThat(topo.allowedCpus()).hasToString("0-1,4,6-7");
        assertThat(topo.cpus()).extracting(CpuInfo::id).containsExactly(0, 1, 4, 6, 7);
        assertThat(topo.physicalCoreCount(topo.allowedCpus())).isEqualTo(4);
        assertThat(topo.siblingsOf(4)).hasToString("0,4");
        // Siblings include threads the process may not use (5 is the sibling of 1).
        assertThat(topo.siblingsOf(1)).hasToString("1,5");
        // No node directory: everything on node 0.
        assertThat(topo.numaNodes()).containsExactly(new NumaNode(0, CpuSet.parse("0-1,4,6-7")));
        assertThat(topo.cgroupCpus()).isEmpty();
    }

    @Test
    void singleAllowedCpu() {
        HostTopology topo = Fixtures.topology("single-cpu");

        assertThat(topo.affinityCpus()).hasToString("1");
        assertThat(topo.cgroupCpus()).contains(CpuSet.parse("0-3"));
        assertThat(topo.allowedCpus()).hasToString("1");
        assertThat(topo.cpus()).containsExactly(new CpuInfo(1, 1, 0, 0));
        assertThat(topo.cpuQuota()).isEmpty();
    }

    @Test
    void missingTopologyFilesFallBackToOneCorePerCpuOnPackageAndNodeZero(@TempDir Path root) {
        Fixtures.status(root, "0-2");

        HostTopology topo = HostTopology.read(root);

        assertThat(topo.allowedCpus()).hasToString("0-2");
        assertThat(topo.onlineCpus()).hasToString("0-2");
        assertThat(topo.cpus()).containsExactly(new CpuInfo(0, 0, 0, 0), new CpuInfo(1, 1, 0, 0), new CpuInfo(2, 2, 0, 0));
        assertThat(topo.siblingsOf(2)).hasToString("2");
        assertThat(topo.cpuQuota()).isEmpty();
        assertThat(topo.cgroupPath()).isEqualTo("/");
    }

    @Test
    void emptyRootFallsBackToTheJvmProcessorCount(@TempDir Path root) {
        HostTopology topo = HostTopology.read(root);

        assertThat(topo.allowedCpus().size()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(topo.describe()).isNotBlank();
    }

    @Test
    void siblingsDerivedFromCoreIdsWhenTheSiblingsListIsMissing(@TempDir Path root) {
        put(root, "sys/devices/system/cpu/online", "0-3");
        for (int cpu = 0; cpu < 4; cpu++) {
            Fixtures.cpu(root, cpu, cpu % 2, 0, null);
        }
        Fixtures.status(root, "0-3");

        HostTopology topo = HostTopology.read(root);

        assertThat(topo.siblingsOf(0)).hasToString("0,2");
        assertThat(topo.siblingsOf(3)).hasToString("1,3");
    }

    @Test
    void unreadableOptionalFilesAreIgnored(@TempDir Path root) {
        minimalHost(root, 4);
        put(root, "sys/devices/system/cpu/cpu1/topology/core_id", "garbage");
        put(root, "proc/self/cgroup", "0::/app");
        put(root, "sys/fs/cgroup/app/cpu.max", "lots 100000");
        put(root, "sys/fs/cgroup/app/cpuset.cpus.effective", "0-x");

        HostTopology topo = HostTopology.read(root);

        assertThat(topo.cpu(1).coreId()).isEqualTo(1);
        assertThat(topo.cpuQuota()).isEmpty();
        assertThat(topo.cgroupCpus()).isEmpty();
        assertThat(topo.allowedCpus()).hasToString("0-3");
    }

    @Test
    void cgroupPathThatIsNotMountedFallsBackToTheRoot(@TempDir Path root) {
        minimalHost(root, 8);
        // Without a cgroup namespace the container sees the host path, which its own mount lacks.
        put(root, "proc/self/cgroup", "0::/system.slice/docker-abc.scope");
        put(root, "sys/fs/cgroup/cpuset.cpus.effective", "2-3");
        put(root, "sys/fs/cgroup/cpu.max", "100000 100000");

        HostTopology topo = HostTopology.read(root);

        assertThat(topo.allowedCpus()).hasToString("2-3");
        assertThat(topo.cpuQuota()).hasValue(1.0);
    }

    @Test
    void cgroupPathCannotEscapeTheCgroupMount(@TempDir Path root) {
        minimalHost(root, 4);
        put(root, "proc/self/cgroup", "0::/../../etc");
        put(root, "etc/cpu.max", "100000 100000");

        assertThat(HostTopology.read(root).cpuQuota()).isEmpty();
    }

    @Test
    void cpusetThatDoesNotOverlapTheAffinityIsIgnored(@TempDir Path root) {
        minimalHost(root, 8);
        Fixtures.status(root, "0-1");
        put(root, "proc/self/cgroup", "0::/");
        put(root, "sys/fs/cgroup/cpuset.cpus.effective", "4-7");

        assertThat(HostTopology.read(root).allowedCpus()).hasToString("0-1");
    }

    @Test
    void nearestAncestorCpusetApplies(@TempDir Path root) {
        minimalHost(root, 8);
        put(root, "proc/self/cgroup", "0::/a/b");
        put(root, "sys/fs/cgroup/a/cpuset.cpus.effective", "1-3");
        put(root, "sys/fs/cgroup/a/b/cpu.max", "max 100000");

        assertThat(HostTopology.read(root).allowedCpus()).hasToString("1-3");
    }

    @Test
    void offlineCpusInTheAffinityMaskAreNotAllowed(@TempDir Path root) {
        minimalHost(root, 4);
        put(root, "sys/devices/system/cpu/online", "0-1,3");
        Fixtures.status(root, "0-7");

        assertThat(HostTopology.read(root).allowedCpus()).hasToString("0-1,3");
    }

    @Test
    void unknownCpuIsAClearError() {
        HostTopology topo = Fixtures.topology("container-cpuset");
        assertThatThrownBy(() -> topo.cpu(42)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("CPU 42 is not online on this host (online: 0-7)");
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void detectsThisMachine() {
        HostTopology topo = HostTopology.detect();

        assertThat(topo.allowedCpus().isEmpty()).isFalse();
        assertThat(topo.onlineCpus().containsAll(topo.allowedCpus())).isTrue();
        assertThat(topo.cpus()).extracting(CpuInfo::id).containsExactly(topo.allowedCpus().stream().boxed().toArray(Integer[]::new));
        assertThat(topo.allowedCpus().size()).isGreaterThanOrEqualTo(Math.min(1, Runtime.getRuntime().availableProcessors()));
        assertThat(topo.numaNodes()).isNotEmpty();
        List<Integer> nodeCpus = topo.numaNodes().stream().flatMap(n -> n.cpus().stream().boxed()).sorted().toList();
        assertThat(nodeCpus).containsExactlyElementsOf(topo.allowedCpus().stream().boxed().toList());
        topo.cpuQuota().ifPresent(q -> assertThat(q).isPositive());
        assertThat(topo.describe()).contains("allowed (" + topo.allowedCpus() + ")");
    }

    static void minimalHost(Path root, int cpus) {
        put(root, "sys/devices/system/cpu/online", "0-" + (cpus - 1));
        for (int cpu = 0; cpu < cpus; cpu++) {
            Fixtures.cpu(root, cpu, cpu, 0, String.valueOf(cpu));
        }
        Fixtures.status(root, "0-" + (cpus - 1));
    }
}
