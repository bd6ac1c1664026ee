package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import io.percore.operator.sizing.SizingPlan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 12: pods exit on OutOfMemoryError, and heap plus direct memory fit the container's limit. */
class JvmOptionsTest {

    private static final long MIB = 1024 * 1024;

    private static SizingPlan plan(int shards, int cpus, long overheadMib, long perShardMib) {
        return new SizingPlan(true, false, 1, shards, cpus, 1, (overheadMib + shards * perShardMib) * MIB,
                EngineConfig.Mode.PINNED, List.of("n"), 1, List.of());
    }

    @Test
    void heapAndDirectMemoryShareTheShardsBudgetAndTheOverheadStaysForTheJvm() {
        for (int shards : new int[] {1, 2, 7, 63}) {
            for (long perShard : new long[] {64, 512, 1000, 4096}) {
                SizingPlan plan = plan(shards, shards + 1, 256, perShard);
                String options = JvmOptions.forPlan(plan, perShard * MIB);
                long heap = mib(options, "-Xmx");
                long direct = mib(options, "-XX:MaxDirectMemorySize=");
                assertThat(options).endsWith(" -XX:+ExitOnOutOfMemoryError").startsWith("-XX:ActiveProcessorCount=" + (shards + 1) + " ");
                assertThat(heap + direct).as("%s shards x %s MiB", shards, perShard).isLessThanOrEqualTo(shards * perShard);
                assertThat(heap).isGreaterThanOrEqualTo(shards * perShard * 3 / 4 - 1);
                assertThat((heap + direct) * MIB + 256 * MIB).isLessThanOrEqualTo(plan.memoryPerPodBytes());
            }
        }
    }

    private static long mib(String options, String flag) {
        for (String o : options.split(" ")) {
            if (o.startsWith(flag)) {
                return Long.parseLong(o.substring(flag.length(), o.length() - 1));
            }
        }
        throw new AssertionError(flag + " missing in " + options);
    }
}
