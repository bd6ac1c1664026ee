package io.percore.operator.reconcile;

import io.percore.operator.sizing.SizingPlan;

/**
 * The JVM flags a Percore pod runs with, derived from the plan so the container's memory limit
 * ({@code memoryOverhead + shardsPerPod × memoryPerShard}) holds whatever the application does:
 *
 * <ul>
 *   <li>{@code -XX:ActiveProcessorCount}: the pod's CPUs, so GC/JIT/common pools fit them;</li>
 *   <li>{@code -Xmx}: {@value #HEAP_PERCENT} % of {@code shardsPerPod × memoryPerShard}: the shards'
 *       data lives on the heap (the demo's memory budget is a fraction of the max heap, so this
 *       sizes it too);</li>
 *   <li>{@code -XX:MaxDirectMemorySize}: the rest of {@code shardsPerPod × memoryPerShard}, for
 *       Netty's direct buffers (it would default to the heap size, doubling the budget);</li>
 *   <li>{@code memoryOverhead} stays for what neither flag bounds: metaspace, code cache,
 *       thread stacks, GC structures;</li>
 *   <li>{@code -XX:+ExitOnOutOfMemoryError}: a JVM out of heap exits (code 3) and Kubernetes
 *       restarts the pod, instead of a zombie whose threads died one by one while its ports
 *       stayed open.</li>
 * </ul>
 *
 * <p>They are appended to the user's {@code JAVA_TOOL_OPTIONS}: the JVM takes the last of
 * repeated flags, so the plan applies, as it does for the engine's environment variables.
 */
final class JvmOptions {

    static final int HEAP_PERCENT = 75;
    /** Below this the JVM would not start; a plan this small is a mistake the pod should survive. */
    private static final long MIN_HEAP_MIB = 16;
    private static final long MIN_DIRECT_MIB = 8;
    private static final long MIB = 1024 * 1024;

    private JvmOptions() {
    }

    static String forPlan(SizingPlan plan, long memoryPerShardBytes) {
        long shardsMib = plan.shardsPerPod() * memoryPerShardBytes / MIB;
        long heapMib = Math.max(MIN_HEAP_MIB, shardsMib * HEAP_PERCENT / 100);
        long directMib = Math.max(MIN_DIRECT_MIB, shardsMib - heapMib);
        return "-XX:ActiveProcessorCount=" + plan.cpusPerPod()
                + " -Xmx" + heapMib + "m"
                + " -XX:MaxDirectMemorySize=" + directMib + "m"
                + " -XX:+ExitOnOutOfMemoryError";
    }
}
