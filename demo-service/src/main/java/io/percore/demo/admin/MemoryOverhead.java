package io.percore.demo.admin;

import io.percore.demo.command.CommandContext;
import io.percore.demo.kv.HeapSizes;
import io.percore.demo.replication.Replication;
import io.percore.demo.scripting.ScriptShard;
import io.percore.demo.scripting.Scripting;
import io.percore.demo.server.ServerShard;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Where the server's memory goes (Redis's {@code getMemoryOverheadData}), from the shards' figures: what INFO
 * memory reports and MEMORY STATS and MEMORY DOCTOR read. {@code used_memory} is what this server accounts for:
 * the keyspace's estimate (keys, values and their tables: the figure {@code maxmemory} bounds), what clients hold,
 * the replication stream's buffer and the scripts' caches, as Redis's allocator counts them all. The overhead is
 * Redis's list: the replication backlog and the replicas' share of the buffer, the clients, the scripts' caches and
 * each database's tables (what the budget counts per key and per TTL beyond the key and the value); the dataset is
 * the rest. The allocator's figures are the JVM's: its heap in use and committed, and the process's resident set.
 *
 * @param keyspace        the shards' keyspace estimates together (INFO's {@code used_memory_dataset})
 * @param databases       per database with keys, in index order: its number, keys, keys with a TTL
 * @param connectedClients the connections (replicas' included)
 * @param cachedScripts   the scripts cached (every shard has them all: the most any shard has)
 */
record MemoryOverhead(long totalAllocated, long peakAllocated, long replicationBacklog, long clientsSlaves, long clientsNormal,
                      long luaCaches, long functionsCaches, long keyspace, List<long[]> databases, long connectedClients,
                      long replicas, int cachedScripts, long allocatorAllocated, long allocatorActive, long residentBytes) {

    /** Redis's {@code used_memory_startup}: nothing is counted before the data here. */
    static final long STARTUP_ALLOCATED = 0;

    /** The figures of every shard, gathered from a command on any shard ({@code scripting} null: no scripts). */
    static ShardFuture<MemoryOverhead> gather(CommandContext c, Scripting scripting) {
        Sharded<ServerShard> servers = c.servers();
        Replication replication = c.server().replication();
        ShardFuture<List<ScriptShard.Figures>> scripts = scripting == null ? ShardFuture.completed(List.of()) : scripting.figures();
        return c.keyspace().mapReduce(st -> List.of(servers.local().snapshot()), List.<ServerShard.Snapshot>of(), MemoryOverhead::concat)
                .flatMap(figures -> scripts.map(lua -> of(figures, lua, replication)));
    }

    /** The figures of {@code shards} with their scripts' {@code lua} and {@code replication}'s buffer. */
    static MemoryOverhead of(List<ServerShard.Snapshot> shards, List<ScriptShard.Figures> lua, Replication replication) {
        long keyspace = 0;
        long clients = 0;
        long peaks = 0;
        long connected = 0;
        TreeMap<Long, long[]> byDb = new TreeMap<>();
        for (ServerShard.Snapshot s : shards) {
            keyspace += s.usedMemory();
            clients += s.clientsMemory();
            peaks += s.peakMemory();
            connected += s.connectedClients();
            for (long[] d : s.databases()) {
                long[] sum = byDb.computeIfAbsent(d[0], db -> new long[] {db, 0, 0});
                sum[1] += d[1];
                sum[2] += d[2];
            }
        }
        List<long[]> databases = new ArrayList<>();
        byDb.values().forEach(d -> {
            if (d[1] > 0) {
                databases.add(d);
            }
        });
        long scriptsEval = 0;
        long functionsCache = 0;
        int scripts = 0;
        for (ScriptShard.Figures f : lua) {
            scriptsEval += f.cacheBytes();
            functionsCache += f.functionsCacheBytes();
            scripts = Math.max(scripts, f.scripts());
        }
        // the replication stream's buffer: the backlog's, and beyond it the replicas' (Redis's one buffer they share)
        long buffer = replication.bufferBytes();
        long backlogSize = replication.settings().backlogSize();
        int replicas = replication.replicaCount();
        long slaves = replicas > 0 && buffer > backlogSize ? buffer - backlogSize : 0;
        long backlog = buffer - slaves;
        long used = keyspace + clients + buffer + scriptsEval + functionsCache;
        Runtime jvm = Runtime.getRuntime();
        long committed = jvm.totalMemory();
        return new MemoryOverhead(used, Math.max(used, peaks), backlog, slaves, clients, scriptsEval, functionsCache, keyspace,
                databases, connected, replicas, scripts, committed - jvm.freeMemory(), committed, processResidentBytes());
    }

    /** A database's main table: what the budget counts per key beyond its key and value. */
    static long mainTable(long[] database) {
        return HeapSizes.keysOverhead(database[1]);
    }

    /** A database's expires table: what the budget counts per TTL. */
    static long expiresTable(long[] database) {
        return HeapSizes.expiriesOverhead(database[2]);
    }

    /** Redis's {@code overhead_total}: the startup, the replication buffer, the clients, the caches and the tables. */
    long overheadTotal() {
        long tables = 0;
        for (long[] d : databases) {
            tables += mainTable(d) + expiresTable(d);
        }
        return STARTUP_ALLOCATED + replicationBacklog + clientsSlaves + clientsNormal + luaCaches + functionsCaches + tables;
    }

    /** Redis's {@code dataset}: what is not overhead, the keys and values themselves. */
    long dataset() {
        return totalAllocated - overheadTotal();
    }

    long totalKeys() {
        long keys = 0;
        for (long[] d : databases) {
            keys += d[1];
        }
        return keys;
    }

    /** Redis's {@code net_usage}: the memory used beyond the startup's, at least 1. */
    private long netUsage() {
        return totalAllocated > STARTUP_ALLOCATED ? totalAllocated - STARTUP_ALLOCATED : 1;
    }

    long bytesPerKey() {
        long keys = totalKeys();
        return keys == 0 ? 0 : netUsage() / keys;
    }

    /** Redis's {@code dataset_perc}, a float as Redis computes it. */
    float datasetPercentage() {
        return (float) dataset() * 100 / netUsage();
    }

    /** Redis's {@code peak_perc}. */
    float peakPercentage() {
        return peakAllocated == 0 ? 0 : (float) totalAllocated * 100 / peakAllocated;
    }

    /** Redis's {@code allocator_frag}: committed heap over heap in use. */
    float allocatorFragmentation() {
        return ratio(allocatorActive, allocatorAllocated);
    }

    long allocatorFragmentationBytes() {
        return allocatorActive - allocatorAllocated;
    }

    /** Redis's {@code allocator_rss}: the resident set over the committed heap. */
    float allocatorRss() {
        return ratio(residentBytes, allocatorActive);
    }

    long allocatorRssBytes() {
        return residentBytes - allocatorActive;
    }

    /** Redis's {@code rss_extra}: the resident set over the allocator's resident (the same figure here). */
    float rssOverhead() {
        return 1;
    }

    long rssOverheadBytes() {
        return 0;
    }

    /** Redis's {@code total_frag}: the resident set over {@code used_memory}. */
    float fragmentation() {
        return ratio(residentBytes, totalAllocated);
    }

    long fragmentationBytes() {
        return residentBytes - totalAllocated;
    }

    /** {@code a / b} as Redis's float division; 0 when both are 0. */
    private static float ratio(long a, long b) {
        return a == 0 && b == 0 ? 0 : (float) a / b;
    }

    /** The process's resident memory where the platform tells it, else the JVM's committed heap. */
    static long processResidentBytes() {
        try {
            String[] statm = Files.readString(Path.of("/proc/self/statm")).trim().split(" ");
            return Long.parseLong(statm[1]) * 4096;
        } catch (IOException | RuntimeException e) {
            return Runtime.getRuntime().totalMemory();
        }
    }

    /** The machine's memory, where the platform tells it, else 0. */
    static long totalSystemBytes() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getTotalMemorySize() : 0;
    }

    private static <E> List<E> concat(List<E> sofar, List<E> part) {
        List<E> all = new ArrayList<>(sofar.size() + part.size());
        all.addAll(sofar);
        all.addAll(part);
        return all;
    }
}
