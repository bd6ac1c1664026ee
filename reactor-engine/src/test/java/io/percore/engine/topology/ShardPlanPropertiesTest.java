package io.percore.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Random hosts and configurations: invariants every plan must keep. */
class ShardPlanPropertiesTest {

    @Test
    void plansNeverUseADisallowedCpuAndKeepEveryRule(@TempDir Path dir) {
        Random random = new Random(7_2024);
        for (int round = 0; round < 150; round++) {
            Path root = dir.resolve("host" + round);
            int packages = 1 + random.nextInt(2);
            int coresPerPackage = 1 + random.nextInt(6);
            int threads = 1 + random.nextInt(2);
            int cpuCount = packages * coresPerPackage * threads;
            // Linux numbering: first thread of every core, then the second threads.
            Fixtures.put(root, "sys/devices/system/cpu/online", "0-" + (cpuCount - 1));
            int perThread = packages * coresPerPackage;
            for (int cpu = 0; cpu < cpuCount; cpu++) {
                int core = cpu % perThread;
                String siblings = threads == 1 ? String.valueOf(core) : core + "," + (core + perThread);
                Fixtures.cpu(root, cpu, core % coresPerPackage, core / coresPerPackage, siblings);
            }
            for (int pkg = 0; pkg < packages; pkg++) {
                BitSet nodeCpus = new BitSet();
                for (int cpu = 0; cpu < cpuCount; cpu++) {
                    if ((cpu % perThread) / coresPerPackage == pkg) {
                        nodeCpus.set(cpu);
                    }
                }
                Fixtures.put(root, "sys/devices/system/node/node" + pkg + "/cpulist", CpuSet.fromBitSet(nodeCpus).toString());
            }
            BitSet affinityBits = new BitSet();
            while (affinityBits.isEmpty()) {
                for (int cpu = 0; cpu < cpuCount; cpu++) {
                    if (random.nextInt(4) != 0) {
                        affinityBits.set(cpu);
                    }
                }
            }
            CpuSet affinity = CpuSet.fromBitSet(affinityBits);
            Fixtures.status(root, affinity.toString());
            Fixtures.put(root, "proc/self/cgroup", "0::/");
            if (random.nextBoolean()) {
                Fixtures.put(root, "sys/fs/cgroup/cpu.max", (50_000 + random.nextInt(800_000)) + " 100000");
            }
            HostTopology topo = HostTopology.read(root);
            assertThat(topo.allowedCpus()).isEqualTo(affinity);

            EngineConfig config = new EngineConfig();
            CpuSet usable = affinity;
            if (random.nextInt(3) == 0) {
                BitSet chosen = new BitSet();
                affinity.stream().filter(c -> random.nextBoolean()).forEach(chosen::set);
                if (!chosen.isEmpty()) {
                    usable = CpuSet.fromBitSet(chosen);
                    config.setCpus(usable.toString());
                }
            }
            config.setReservedCpus(random.nextInt(4));
            config.setShards(random.nextInt(3) == 0 ? 1 + random.nextInt(usable.size() + 2) : 0);
            String context = topo.describe() + " / shards=" + config.getShards() + " reserved=" + config.getReservedCpus()
                    + " cpus=" + config.getCpus();

            if (config.getShards() > usable.size()) {
                assertThatThrownBy(() -> ShardPlanner.plan(topo, config)).as(context)
                        .hasMessageContaining("percore.engine.shards=" + config.getShards());
                continue;
            }
            ShardPlacement plan = ShardPlanner.plan(topo, config);

            assertThat(plan.pinned()).as(context).isTrue();
            assertThat(plan.shardCount()).as(context).isBetween(1, usable.size());
            Set<Integer> seen = new HashSet<>();
            for (int shard = 0; shard < plan.shardCount(); shard++) {
                int cpu = plan.cpuOf(shard).orElseThrow();
                assertThat(usable.contains(cpu)).as(context + " shard " + shard + " on " + cpu).isTrue();
                assertThat(seen.add(cpu)).as(context + " CPU used twice: " + cpu).isTrue();
                assertThat(plan.numaNodeOf(shard)).as(context).isEqualTo(topo.cpu(cpu).numaNode());
                if (shard > 0) {
                    assertThat(plan.numaNodeOf(shard)).as(context).isGreaterThanOrEqualTo(plan.numaNodeOf(shard - 1));
                }
            }
            assertThat(usable.containsAll(plan.reservedCpus())).as(context).isTrue();
            assertThat(plan.reservedCpus().intersect(plan.shardCpus()).isEmpty()).as(context).isTrue();
            assertThat(plan.reservedCpus().size()).as(context).isLessThanOrEqualTo(config.getReservedCpus());
            if (topo.cpuQuota().isPresent()) {
                assertThat(plan.shardCount()).as(context)
                        .isLessThanOrEqualTo(Math.max(1, (int) Math.floor(topo.cpuQuota().getAsDouble())));
            }
            if (config.getShards() == 0) {
                int cores = topo.physicalCoreCount(usable);
                assertThat(plan.shardCount()).as(context).isLessThanOrEqualTo(cores);
                // One shard per core: no two shards on SMT siblings.
                assertThat(topo.physicalCoreCount(plan.shardCpus())).as(context).isEqualTo(plan.shardCount());
                if (topo.cpuQuota().isEmpty() && config.getReservedCpus() < usable.size()) {
                    assertThat(plan.shardCount()).as(context)
                            .isEqualTo(Math.min(cores, usable.size() - config.getReservedCpus()));
                }
            } else if (topo.cpuQuota().isEmpty()) {
                assertThat(plan.shardCount()).as(context).isEqualTo(config.getShards());
            }
            assertThat(plan.jvmCpus().isEmpty()).as(context).isFalse();
            assertThat(topo.allowedCpus().containsAll(plan.jvmCpus())).as(context).isTrue();
        }
    }
}
