package io.percore.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.EngineConfig;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ShardPlannerTest {

    static EngineConfig config(int shards, int reserved, String cpus) {
        EngineConfig config = new EngineConfig();
        config.setShards(shards);
        config.setReservedCpus(reserved);
        config.setCpus(cpus);
        return config;
    }

    static EngineConfig overprovisioned(int shards) {
        EngineConfig config = config(shards, 0, null);
        config.setMode(EngineConfig.Mode.OVERPROVISIONED);
        return config;
    }

    static int[] cpus(ShardPlacement placement) {
        return IntStream.range(0, placement.shardCount()).map(s -> placement.cpuOf(s).orElseThrow()).toArray();
    }

    static int[] nodes(ShardPlacement placement) {
        return IntStream.range(0, placement.shardCount()).map(placement::numaNodeOf).toArray();
    }

    @Nested
    class TwoSocketSmtHost {
        final HostTopology topo = Fixtures.topology("two-socket-smt");

        @Test
        void defaultIsOneShardPerPhysicalCoreWithShardsGroupedByNode() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 0, null));

            assertThat(plan.pinned()).isTrue();
            assertThat(cpus(plan)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            assertThat(nodes(plan)).containsExactly(0, 0, 0, 0, 1, 1, 1, 1);
            assertThat(plan.reservedCpus().isEmpty()).isTrue();
            assertThat(plan.jvmCpus()).hasToString("8-15");
            assertThat(plan.reasons()).contains(
                    "16 CPUs allowed (0-15), 8 physical cores, 2 NUMA nodes",
                    "automatic shard count: one per physical core (8 cores, 16 CPUs with SMT siblings)",
                    "16 CPUs usable (0-15) → 8 shards pinned to 0-7 (node 0: 0-3; node 1: 4-7)");
        }

        @Test
        void reservedCpusComeFromSmtSiblingsFirstSoNoShardIsLost() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 2, null));

            assertThat(cpus(plan)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
            // One sibling per node, from the end of the preference order.
            assertThat(plan.reservedCpus()).hasToString("11,15");
            assertThat(plan.reasons()).contains(
                    "2 reserved for JVM threads (11,15), on SMT siblings of shard cores, so no shard is given up");
        }

        @Test
        void reservingMoreThanTheSiblingsTakesWholeCoresFromTheEnd() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 10, null));

            assertThat(plan.reservedCpus()).hasToString("3,7-15");
            assertThat(cpus(plan)).containsExactly(0, 1, 2, 4, 5, 6);
            assertThat(nodes(plan)).containsExactly(0, 0, 0, 1, 1, 1);
            assertThat(plan.reservedCpus().intersect(plan.shardCpus()).isEmpty()).isTrue();
        }

        @Test
        void fewerShardsThanCoresAreSpreadOverNodes() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(4, 0, null));

            assertThat(cpus(plan)).containsExactly(0, 1, 4, 5);
            assertThat(nodes(plan)).containsExactly(0, 0, 1, 1);
        }

        @Test
        void moreShardsThanCoresUseSiblingsInsideEachNode() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(12, 0, null));

            assertThat(cpus(plan)).containsExactly(0, 1, 2, 3, 8, 9, 4, 5, 6, 7, 12, 13);
            assertThat(nodes(plan)).containsExactly(0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1);
            for (int shard = 0; shard < plan.shardCount(); shard++) {
                assertThat(topo.cpu(plan.cpuOf(shard).orElseThrow()).numaNode()).isEqualTo(plan.numaNodeOf(shard));
            }
            assertThat(plan.reasons()).anyMatch(r -> r.contains("4 shards share a core with an SMT sibling shard"));
        }

        @Test
        void explicitShardsShrinkTheReservation() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(15, 3, null));

            assertThat(plan.shardCount()).isEqualTo(15);
            assertThat(plan.reservedCpus()).hasToString("15");
            assertThat(plan.reasons()).contains("percore.engine.shards=15 leaves room for 1 of the 3 reserved CPUs");
        }

        @Test
        void configuredCpusRestrictToOneNode() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 0, "0-3,8-11"));

            assertThat(cpus(plan)).containsExactly(0, 1, 2, 3);
            assertThat(nodes(plan)).containsOnly(0);
            assertThat(plan.jvmCpus()).hasToString("4-15");
            assertThat(plan.reasons()).contains("percore.engine.cpus=0-3,8-11 restricts shards to 8 CPUs");
        }

        @Test
        void tooManyShardsIsAnErrorNamingKeyValueAndLimit() {
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(17, 0, null)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("percore.engine.shards=17 exceeds the 16 CPUs this process may pin shards to (0-15)")
                    .hasMessageContaining("use at most 16");
        }
    }

    @Nested
    class ContainerCpuset {
        final HostTopology topo = Fixtures.topology("container-cpuset");

        @Test
        void shardsStayInsideTheCgroupCpuset() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 0, null));

            assertThat(cpus(plan)).containsExactly(4, 5, 6, 7);
            assertThat(plan.reasons().get(0)).isEqualTo("4 CPUs allowed (4-7): affinity 0-7 ∩ cgroup cpuset 4-7");
        }

        @Test
        void reservedWithoutSmtTakesTheLastCpu() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 1, null));

            assertThat(cpus(plan)).containsExactly(4, 5, 6);
            assertThat(plan.reservedCpus()).hasToString("7");
            assertThat(plan.jvmCpus()).hasToString("7");
            assertThat(plan.reasons()).contains("4 CPUs usable (4-7), 1 reserved for JVM threads → 3 shards pinned to 4-6");
        }

        @Test
        void configuredCpuOutsideTheCpusetIsAnError() {
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(0, 0, "3-5")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("percore.engine.cpus contains CPU 3, which this process may not use (allowed: 4-7)");
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(0, 0, "8-9")))
                    .hasMessage("percore.engine.cpus contains CPUs 8-9, which this process may not use (allowed: 4-7)");
        }

        @Test
        void malformedConfiguredCpusNamesTheKey() {
            // The CPU-list syntax is the validator's rule; programmatic configs meet it there.
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(0, 0, "4-x")))
                    .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                    .hasMessageContaining("percore.engine.cpus")
                    .hasMessageContaining("(pattern)");
        }

        @Test
        void shardsBeyondTheCpusetAreAnError() {
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(5, 0, null)))
                    .hasMessageStartingWith("percore.engine.shards=5 exceeds the 4 CPUs this process may pin shards to (4-7)");
        }

        @Test
        void overprovisionedPinsNothing() {
            ShardPlacement plan = ShardPlanner.plan(topo, overprovisioned(0));

            assertThat(plan.pinned()).isFalse();
            assertThat(plan.shardCount()).isEqualTo(4);
            assertThat(plan.cpuOf(0)).isEmpty();
            assertThat(plan.numaNodeOf(3)).isEqualTo(ShardPlacement.NO_NUMA_NODE);
            assertThat(plan.reasons()).anyMatch(r -> r.startsWith("mode overprovisioned: 4 shards, no pinning and no busy-polling"));
        }

        @Test
        void overprovisionedHonoursAnExplicitCountAboveTheCpus() {
            ShardPlacement plan = ShardPlanner.plan(topo, overprovisioned(16));

            assertThat(plan.pinned()).isFalse();
            assertThat(plan.shardCount()).isEqualTo(16);
        }
    }

    @Nested
    class QuotaBelowCpuset {
        final HostTopology topo = Fixtures.topology("quota-below-cpuset");

        @Test
        void quotaCapsTheDefaultShardCount() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 0, null));

            assertThat(cpus(plan)).containsExactly(0);
            assertThat(plan.jvmCpus()).hasToString("1-3");
            assertThat(plan.reasons()).contains("cpu.max quota 1.5 CPUs caps shards at 1");
        }

        @Test
        void quotaCapsAnExplicitShardCountToo() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(3, 0, null));

            assertThat(plan.shardCount()).isEqualTo(1);
            assertThat(plan.reasons()).contains("percore.engine.shards=3 requested", "cpu.max quota 1.5 CPUs caps shards at 1");
        }

        @Test
        void quotaCapsOverprovisionedShards() {
            ShardPlacement plan = ShardPlanner.plan(topo, overprovisioned(0));

            assertThat(plan.shardCount()).isEqualTo(1);
            assertThat(plan.pinned()).isFalse();
        }
    }

    @Nested
    class CgroupV1 {
        @Test
        void allAffinityCpusWithoutQuota() {
            ShardPlacement plan = ShardPlanner.plan(Fixtures.topology("cgroup-v1"), config(0, 1, null));

            assertThat(cpus(plan)).containsExactly(0, 1, 2);
            assertThat(plan.reservedCpus()).hasToString("3");
        }
    }

    @Nested
    class Gaps {
        final HostTopology topo = Fixtures.topology("gaps");

        @Test
        void onePerPhysicalCoreAcrossTheGaps() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 0, null));

            assertThat(cpus(plan)).containsExactly(0, 1, 6, 7);
            assertThat(nodes(plan)).containsOnly(0);
            assertThat(plan.jvmCpus()).hasToString("4");
        }

        @Test
        void firstReservedCpuIsTheSpareSibling() {
            assertThat(cpus(ShardPlanner.plan(topo, config(0, 1, null)))).containsExactly(0, 1, 6, 7);
            ShardPlacement two = ShardPlanner.plan(topo, config(0, 2, null));
            assertThat(two.reservedCpus()).hasToString("4,7");
            assertThat(cpus(two)).containsExactly(0, 1, 6);
        }

        @Test
        void allFiveCpusWhenAskedFor() {
            assertThat(cpus(ShardPlanner.plan(topo, config(5, 0, null)))).containsExactly(0, 1, 4, 6, 7);
        }

        @Test
        void configuredCpuInAGapIsAnError() {
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(0, 0, "0-4")))
                    .hasMessage("percore.engine.cpus contains CPUs 2-3, which this process may not use (allowed: 0-1,4,6-7)");
        }
    }

    @Nested
    class SingleCpu {
        final HostTopology topo = Fixtures.topology("single-cpu");

        @Test
        void oneShardOnTheOnlyCpu() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 0, null));

            assertThat(cpus(plan)).containsExactly(1);
            assertThat(plan.jvmCpus()).hasToString("1");
            assertThat(plan.reasons()).contains("every allowed CPU runs a shard: JVM threads share CPUs with shards");
        }

        @Test
        void reservationCannotRemoveTheLastShard() {
            ShardPlacement plan = ShardPlanner.plan(topo, config(0, 1, null));

            assertThat(cpus(plan)).containsExactly(1);
            assertThat(plan.reservedCpus().isEmpty()).isTrue();
            assertThat(plan.jvmCpus()).hasToString("1");
            assertThat(plan.reasons()).contains(
                    "percore.engine.reserved-cpus=1 cannot be honoured with 1 usable CPU (1): the single shard shares it with JVM threads");
        }

        @Test
        void twoShardsCannotBePinnedToOneCpu() {
            assertThatThrownBy(() -> ShardPlanner.plan(topo, config(2, 0, null)))
                    .hasMessageStartingWith("percore.engine.shards=2 exceeds the 1 CPUs this process may pin shards to (1)");
        }
    }

    @Test
    void partialReservationKeepsOneShard() {
        ShardPlacement plan = ShardPlanner.plan(Fixtures.topology("cgroup-v1"), config(0, 9, null));

        assertThat(cpus(plan)).containsExactly(0);
        assertThat(plan.reservedCpus()).hasToString("1-3");
        assertThat(plan.reasons()).contains(
                "percore.engine.reserved-cpus=9 reduced to 3 so that at least one of the 4 usable CPUs (0-3) runs a shard");
    }

    @Test
    void negativeValuesAreRejected() {
        HostTopology topo = Fixtures.topology("cgroup-v1");
        // Range rules are the validator's: a programmatic config meets them there, with path and rule.
        assertThatThrownBy(() -> ShardPlanner.plan(topo, config(-1, 0, null)))
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.engine.shards: -1 is below the minimum of 0");
        assertThatThrownBy(() -> ShardPlanner.plan(topo, config(0, -2, null)))
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.engine.reserved-cpus: -2 is below the minimum of 0");
    }

    @Test
    void planForThisMachineUsesOnlyAllowedCpus() {
        HostTopology topo = HostTopology.detect();
        ShardPlacement plan = ShardPlanner.plan(topo, new EngineConfig());

        assertThat(plan.shardCount()).isPositive();
        assertThat(topo.allowedCpus().containsAll(plan.shardCpus())).isTrue();
    }
}
