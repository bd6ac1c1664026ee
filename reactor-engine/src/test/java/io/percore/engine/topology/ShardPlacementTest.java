package io.percore.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ShardPlacementTest {

    @Test
    void unpinnedPlacement() {
        ShardPlacement plan = ShardPlacement.unpinned(3, "pinning unsupported on this platform");

        assertThat(plan.shardCount()).isEqualTo(3);
        assertThat(plan.pinned()).isFalse();
        assertThat(plan.cpuOf(2)).isEmpty();
        assertThat(plan.numaNodeOf(0)).isEqualTo(ShardPlacement.NO_NUMA_NODE);
        assertThat(plan.shardCpus().isEmpty()).isTrue();
        assertThat(plan.reservedCpus().isEmpty()).isTrue();
        assertThat(plan.reasons()).containsExactly("pinning unsupported on this platform");
        assertThat(plan).hasToString("ShardPlacement[3 shards, unpinned; pinning unsupported on this platform]");
    }

    @Test
    void unpinnedNeedsAtLeastOneShard() {
        assertThatThrownBy(() -> ShardPlacement.unpinned(0, "x")).hasMessageContaining("at least 1");
    }

    @Test
    void pinnedPlacementAccessorsAndBounds() {
        ShardPlacement plan = new ShardPlacement(new int[] {4, 6}, new int[] {0, 1}, CpuSet.of(7), CpuSet.of(5, 7), List.of("r"));

        assertThat(plan.pinned()).isTrue();
        assertThat(plan.cpuOf(1)).hasValue(6);
        assertThat(plan.numaNodeOf(1)).isEqualTo(1);
        assertThat(plan.shardCpus()).hasToString("4,6");
        assertThat(plan).hasToString("ShardPlacement[2 shards, pinned: 0->cpu4/node0, 1->cpu6/node1; reserved 7; r]");
        assertThatThrownBy(() -> plan.cpuOf(2)).isInstanceOf(IndexOutOfBoundsException.class).hasMessageContaining("shard 2");
        assertThatThrownBy(() -> plan.numaNodeOf(-1)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
