package io.percore.demo.server;

import io.netty.util.internal.PlatformDependent;

/**
 * What this JVM can hold, and the rules the memory settings must keep to fit in it. Redis trusts
 * {@code maxmemory} to the machine; a JVM has a fixed heap (keys and values, commands in flight) and
 * a fixed direct memory (Netty's buffers: what clients have not read yet), and past either it ends
 * in {@code OutOfMemoryError}. So a setting this JVM cannot honour is refused, at start and by
 * CONFIG SET, with the key, the value and the rule.
 */
public final class JvmMemory {

    /** Most of the heap the keyspace may take: the rest is the server's own (Spring, Netty, in-flight commands). */
    static final double KEYSPACE_HEAP_SHARE = 0.75;
    /** Most of the heap the keyspace and the clients together may take. */
    static final double KEYSPACE_AND_CLIENTS_HEAP_SHARE = 0.85;
    /** Most of the direct memory clients' unsent output may take (Netty needs the rest for reads and its pools). */
    static final double CLIENTS_DIRECT_SHARE = 0.5;
    /** {@code maxmemory-clients} when not set: an eighth of the heap. */
    static final double DEFAULT_CLIENTS_HEAP_SHARE = 0.125;

    private JvmMemory() {
    }

    public static long maxHeap() {
        return Runtime.getRuntime().maxMemory();
    }

    /** The direct memory Netty may allocate (its own limit, which defaults to the JVM's). */
    public static long maxDirect() {
        long max = PlatformDependent.maxDirectMemory();
        return max > 0 ? max : maxHeap();
    }

    /** {@code maxmemory-clients} when the configuration leaves it out: an eighth of the heap, within the direct memory's share. */
    public static long defaultMaxmemoryClients() {
        return Math.min((long) (maxHeap() * DEFAULT_CLIENTS_HEAP_SHARE), (long) (maxDirect() * CLIENTS_DIRECT_SHARE));
    }

    /**
     * Whether {@code maxmemory} (the keyspace, all shards), {@code maxmemoryClients} (all clients'
     * buffers; 0 for no global bound) and the output-buffer limits fit this JVM: null when they do,
     * else the rule they break, in words for an operator.
     */
    public static String check(long maxmemory, long maxmemoryClients, ConfigValues.OutputLimits limits) {
        long heap = maxHeap();
        if (maxmemory > heap * KEYSPACE_HEAP_SHARE) {
            return "maxmemory " + human(maxmemory) + " is more than this JVM can hold: at most "
                    + (int) (KEYSPACE_HEAP_SHARE * 100) + "% of its max heap of " + human(heap) + " ("
                    + human((long) (heap * KEYSPACE_HEAP_SHARE)) + "); raise -Xmx or lower maxmemory";
        }
        if (maxmemoryClients > maxDirect() * CLIENTS_DIRECT_SHARE) {
            return "maxmemory-clients " + human(maxmemoryClients) + " is more than this JVM can hold: at most "
                    + (int) (CLIENTS_DIRECT_SHARE * 100) + "% of its direct memory of " + human(maxDirect());
        }
        if (maxmemory + maxmemoryClients > heap * KEYSPACE_AND_CLIENTS_HEAP_SHARE) {
            return "maxmemory " + human(maxmemory) + " and maxmemory-clients " + human(maxmemoryClients) + " together are more than"
                    + " this JVM can hold: at most " + (int) (KEYSPACE_AND_CLIENTS_HEAP_SHARE * 100) + "% of its max heap of "
                    + human(heap);
        }
        if (maxmemoryClients == 0 && limits != null) {
            String unbounded = limits.normal().hardBytes() == 0 ? "normal" : limits.pubsub().hardBytes() == 0 ? "pubsub"
                    : limits.replica().hardBytes() == 0 ? "replica" : null;
            if (unbounded != null) {
                return "client-output-buffer-limit " + unbounded + " has no hard limit and maxmemory-clients is 0:"
                        + " nothing would bound what clients hold, which this JVM cannot do";
            }
        }
        return null;
    }

    /** Bytes as Redis's configuration writes memory: {@code 512mb}, {@code 1gb}, else bytes. */
    static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "gb";
        }
        if (bytes >= 1L << 20) {
            return (bytes >> 20) + "mb";
        }
        return Long.toString(bytes);
    }
}
