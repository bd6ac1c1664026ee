package io.percore.demo.admin;

import io.percore.demo.scripting.ScriptShard;
import io.percore.demo.scripting.Scripting;
import io.percore.engine.ShardFuture;

import io.netty.handler.codec.redis.RedisMessage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.ToLongFunction;
import io.percore.demo.command.CommandContext;
import io.percore.demo.persistence.Persistence;
import io.percore.demo.replication.Replication;
import io.percore.demo.command.CommandTable;
import io.percore.demo.pubsub.PubSubShard;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.CommandStats;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.ServerShard;
import io.percore.demo.tracking.TrackingShard;
import io.percore.engine.Sharded;

/**
 * INFO [section ...] (Redis 7.0.15's {@code genRedisInfoString}): its sections, fields and order,
 * with this server's figures gathered from every shard, then {@code shard_N:} lines where a
 * per-shard figure helps. Fields for what this server does not have (persistence, replication,
 * scripts, an allocator) hold what is true here: zeros, {@code no}, the master role.
 */
public final class InfoCommand {

    /** What INFO and INFO default show (Redis's default sections). */
    private static final List<String> DEFAULT_SECTIONS = List.of("server", "clients", "memory", "persistence", "stats",
            "replication", "cpu", "module_list", "errorstats", "cluster", "keyspace");

    private final int port;
    /** The shards' scripts and Lua states (null in a table read for its metadata only). */
    private final Scripting scripting;
    private final long startMillis = System.currentTimeMillis();
    /** Redis's run_id and master_replid: 40 random hex characters per process start. */
    private final String runId = randomHex();

    public InfoCommand(int port, Scripting scripting) {
        this.port = port;
        this.scripting = scripting;
    }

    private static String randomHex() {
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** One shard's part of INFO, made on that shard. */
    record ShardInfo(ServerShard.Snapshot figures, CommandStats.Snapshot commands, long cpuUserNanos, long cpuSysNanos,
                     long changesSinceSave, TrackingShard.Figures tracking) {
    }

    public void info(CommandContext c, byte[][] argv) {
        Set<String> sections = new HashSet<>();
        boolean all = false;
        boolean everything = false;
        if (argv.length == 1) {
            sections.addAll(DEFAULT_SECTIONS);
        }
        for (int i = 1; i < argv.length; i++) {
            String s = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
            switch (s) {
                case "default" -> sections.addAll(DEFAULT_SECTIONS);
                case "all" -> all = true;
                case "everything" -> {
                    all = true;
                    everything = true;
                }
                default -> sections.add(s);
            }
        }
        boolean allSections = all;
        ConfigValues config = c.server().config();
        CommandTable table = c.commands();
        PubSub pubsub = c.pubsub();
        Sharded<ServerShard> servers = c.servers();
        Persistence persistence = c.server().persistence();
        Replication replication = c.server().replication();
        boolean cluster = c.server().cluster().enabled();
        ShardFuture<List<ScriptShard.Figures>> scripts = scripting == null || !(allSections || sections.contains("memory"))
                ? ShardFuture.completed(List.of()) : scripting.figures();
        c.replyLater(c.keyspace().mapReduce(st -> shardInfo(servers.local()), List.<ShardInfo>of(), InfoCommand::concat)
                .flatMap(shards -> pubsub.mapReduce(PubSubShard::names, PubSubShard.Names.NONE, PubSubShard.Names::plus)
                        .flatMap(names -> scripts.map(lua -> format(sections, allSections, shards, names, lua, config, table,
                                persistence, replication, cluster)))));
    }

    private static List<ShardInfo> shardInfo(ServerShard state) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : 0;
        long user = threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadUserTime() : 0;
        long changes = state.persistence().changesSinceSave(state.shardId(), state.data().databases().dirty());
        return List.of(new ShardInfo(state.snapshot(), state.commandStats().snapshot(), user, Math.max(0, cpu - user), changes,
                state.data().tracking().figures()));
    }

    private RedisMessage format(Set<String> wanted, boolean all, List<ShardInfo> shards, PubSubShard.Names pubsub,
                                List<ScriptShard.Figures> lua, ConfigValues config, CommandTable table, Persistence persistence,
                                Replication replication, boolean cluster) {
        List<ServerShard.Snapshot> figures = shards.stream().map(ShardInfo::figures).toList();
        TrackingShard.Figures tracking = shards.stream().map(ShardInfo::tracking).reduce(TrackingShard.Figures.NONE, TrackingShard.Figures::plus);
        Sections out = new Sections(wanted, all);
        long uptime = (System.currentTimeMillis() - startMillis) / 1000;
        if (out.begin("server", "Server")) {
            out.line("redis_version", ConnectionCommands.REDIS_VERSION);
            out.line("redis_git_sha1", "00000000");
            out.line("redis_git_dirty", "0");
            out.line("redis_build_id", "0");
            out.line("redis_mode", cluster ? "cluster" : "standalone");
            out.line("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
            out.line("arch_bits", "64");
            out.line("monotonic_clock", "JVM System.nanoTime");
            out.line("multiplexing_api", "percore-shards");
            out.line("atomicvar_api", "java");
            out.line("gcc_version", "0.0.0");
            out.line("process_id", ProcessHandle.current().pid());
            out.line("process_supervised", "no");
            out.line("run_id", runId);
            out.line("tcp_port", port);
            out.line("server_time_usec", System.currentTimeMillis() * 1000);
            out.line("uptime_in_seconds", uptime);
            out.line("uptime_in_days", uptime / 86400);
            out.line("hz", 10);
            out.line("configured_hz", 10);
            out.line("lru_clock", (System.currentTimeMillis() / 1000) & ((1 << 24) - 1));
            out.line("executable", ProcessHandle.current().info().command().orElse(""));
            out.line("config_file", "");
            out.line("io_threads_active", 0);
            out.line("server_name", "percore-demo");
            out.line("java_version", System.getProperty("java.version"));
            out.line("shards", shards.size());
        }
        if (out.begin("clients", "Clients")) {
            out.line("connected_clients", sum(figures, ServerShard.Snapshot::connectedClients));
            out.line("cluster_connections", 0);
            out.line("maxclients", config.maxClients());
            out.line("client_recent_max_input_buffer", 0);
            out.line("client_recent_max_output_buffer", 0);
            out.line("blocked_clients", sum(figures, ServerShard.Snapshot::blockedClients));
            out.line("tracking_clients", tracking.clients());
            out.line("clients_in_timeout_table", 0);
            for (ServerShard.Snapshot s : figures) {
                out.line("shard_" + s.shard(), "connected_clients=" + s.connectedClients() + ",blocked_clients=" + s.blockedClients()
                        + ",blocking_keys=" + s.waitedKeys());
            }
        }
        if (out.begin("memory", "Memory")) {
            memory(out, figures, lua, config, replication, tracking);
        }
        if (out.begin("persistence", "Persistence")) {
            persistence.info(shards.stream().mapToLong(ShardInfo::changesSinceSave).sum(), out::line);
        }
        if (out.begin("stats", "Stats")) {
            stats(out, figures, shards, pubsub, replication, persistence, tracking);
        }
        if (out.begin("replication", "Replication")) {
            replication.info(out::line);
        }
        if (out.begin("cpu", "CPU")) {
            long[] process = ProcessCpu.userAndSystemNanos();
            out.line("used_cpu_sys", seconds(process[1]));
            out.line("used_cpu_user", seconds(process[0]));
            out.line("used_cpu_sys_children", "0.000000");
            out.line("used_cpu_user_children", "0.000000");
            // Redis's main thread is each shard's thread here: their sum, then one line per shard
            out.line("used_cpu_sys_main_thread", seconds(shards.stream().mapToLong(ShardInfo::cpuSysNanos).sum()));
            out.line("used_cpu_user_main_thread", seconds(shards.stream().mapToLong(ShardInfo::cpuUserNanos).sum()));
            for (ShardInfo s : shards) {
                out.line("shard_" + s.figures().shard(), "used_cpu_sys=" + seconds(s.cpuSysNanos()) + ",used_cpu_user="
                        + seconds(s.cpuUserNanos()));
            }
        }
        if (out.begin("modules", "Modules") || out.beginAlso("module_list", "Modules")) {
            out.emptySection();
        }
        CommandStats.Snapshot commands = null;
        for (ShardInfo s : shards) {
            commands = s.commands().plus(commands);
        }
        if (out.begin("commandstats", "Commandstats") && commands != null) {
            for (int id = 0; id < table.size(); id++) {
                long calls = commands.calls(id);
                if (calls == 0 && commands.failed(id) == 0 && commands.rejected(id) == 0) {
                    continue;
                }
                long usec = commands.micros(id);
                out.line("cmdstat_" + table.fullName(id), "calls=" + calls + ",usec=" + usec + ",usec_per_call="
                        + String.format(Locale.ROOT, "%.2f", calls == 0 ? 0f : (float) usec / calls)
                        + ",rejected_calls=" + commands.rejected(id) + ",failed_calls=" + commands.failed(id));
            }
        }
        if (out.begin("errorstats", "Errorstats") && commands != null) {
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < commands.errorCodes().size(); i++) {
                order.add(i);
            }
            CommandStats.Snapshot errors = commands;
            order.sort((a, b) -> errors.errorCodes().get(a).compareTo(errors.errorCodes().get(b)));
            for (int i : order) {
                out.line("errorstat_" + errors.errorCodes().get(i), "count=" + errors.errorCounts()[i]);
            }
        }
        if (out.begin("latencystats", "Latencystats")) {
            out.emptySection(); // no per-command latency histograms here (Redis: latency-tracking no)
        }
        if (out.begin("cluster", "Cluster")) {
            out.line("cluster_enabled", cluster ? 1 : 0);
        }
        if (out.begin("keyspace", "Keyspace")) {
            keyspaceLines(out, figures);
            for (ServerShard.Snapshot s : figures) {
                out.line("shard_" + s.shard(), "keys=" + s.keys() + ",expires=" + s.expires());
            }
        }
        return new Resp3Replies.VerbatimReply("txt", out.text());
    }

    /**
     * A line per database with keys, in index order, as Redis's {@code db<n>:keys=..,expires=..,avg_ttl=..}:
     * the shards' keys and keys with a TTL summed, avg_ttl their estimates weighed by each shard's keys with a TTL.
     */
    private static void keyspaceLines(Sections out, List<ServerShard.Snapshot> figures) {
        java.util.TreeMap<Long, double[]> byDb = new java.util.TreeMap<>(); // keys, expires, avg_ttl x expires
        for (ServerShard.Snapshot s : figures) {
            for (long[] d : s.databases()) {
                double[] sum = byDb.computeIfAbsent(d[0], db -> new double[3]);
                sum[0] += d[1];
                sum[1] += d[2];
                sum[2] += (double) d[3] * d[2];
            }
        }
        byDb.forEach((db, sum) -> {
            if (sum[0] > 0 || sum[1] > 0) {
                out.line("db" + db, "keys=" + (long) sum[0] + ",expires=" + (long) sum[1] + ",avg_ttl="
                        + (sum[1] == 0 ? 0 : (long) (sum[2] / sum[1])));
            }
        });
    }

    private static void memory(Sections out, List<ServerShard.Snapshot> figures, List<ScriptShard.Figures> lua, ConfigValues config,
                               Replication replication, TrackingShard.Figures tracking) {
        // the figures MEMORY STATS reads too: used_memory is the keyspace's estimate (used_memory_dataset, the figure
        // maxmemory bounds), what clients hold (mem_clients_normal, bounded by maxmemory-clients), the replication
        // buffer and the scripts' caches; the JVM's own figures are the allocator's lines
        MemoryOverhead mh = MemoryOverhead.of(figures, lua, replication);
        long used = mh.totalAllocated();
        long dataset = mh.keyspace();
        long peak = mh.peakAllocated();
        long max = sum(figures, ServerShard.Snapshot::maxMemory);
        long rss = mh.residentBytes();
        long system = MemoryOverhead.totalSystemBytes();
        out.line("used_memory", used);
        out.line("used_memory_human", human(used));
        out.line("used_memory_rss", rss);
        out.line("used_memory_rss_human", human(rss));
        out.line("used_memory_peak", peak);
        out.line("used_memory_peak_human", human(peak));
        out.line("used_memory_peak_perc", percent(used, peak));
        out.line("used_memory_overhead", mh.overheadTotal());
        out.line("used_memory_startup", MemoryOverhead.STARTUP_ALLOCATED);
        out.line("used_memory_dataset", dataset);
        out.line("used_memory_dataset_perc", percent(dataset, used));
        out.line("allocator_allocated", mh.allocatorAllocated());
        out.line("allocator_active", mh.allocatorActive());
        out.line("allocator_resident", rss);
        out.line("total_system_memory", system);
        out.line("total_system_memory_human", human(system));
        // every shard has a Lua state of its own and a copy of every script: the bytes add up, the counts do not
        long vmEval = 0;
        long scriptsEval = 0;
        int cachedScripts = 0;
        long vmFunctions = 0;
        long functionsCache = 0;
        int functions = 0;
        int libraries = 0;
        for (ScriptShard.Figures f : lua) {
            vmEval += f.vmBytes();
            scriptsEval += f.cacheBytes();
            cachedScripts = Math.max(cachedScripts, f.scripts());
            vmFunctions += f.functionsVmBytes();
            functionsCache += f.functionsCacheBytes();
            functions = Math.max(functions, f.functions());
            libraries = Math.max(libraries, f.libraries());
        }
        out.line("used_memory_lua", vmEval);
        out.line("used_memory_vm_eval", vmEval);
        out.line("used_memory_lua_human", human(vmEval));
        out.line("used_memory_scripts_eval", scriptsEval);
        out.line("number_of_cached_scripts", cachedScripts);
        out.line("number_of_functions", functions);
        out.line("number_of_libraries", libraries);
        out.line("used_memory_vm_functions", vmFunctions);
        out.line("used_memory_vm_total", vmEval + vmFunctions);
        out.line("used_memory_vm_total_human", human(vmEval + vmFunctions));
        out.line("used_memory_functions", functionsCache);
        out.line("used_memory_scripts", scriptsEval + functionsCache);
        out.line("used_memory_scripts_human", human(scriptsEval + functionsCache));
        out.line("maxmemory", max);
        out.line("maxmemory_human", human(max));
        out.line("maxmemory_policy", config.memory().policy().redisName());
        out.line("allocator_frag_ratio", ratio(mh.allocatorFragmentation()));
        out.line("allocator_frag_bytes", mh.allocatorFragmentationBytes());
        out.line("allocator_rss_ratio", ratio(mh.allocatorRss()));
        out.line("allocator_rss_bytes", mh.allocatorRssBytes());
        out.line("rss_overhead_ratio", ratio(mh.rssOverhead()));
        out.line("rss_overhead_bytes", mh.rssOverheadBytes());
        out.line("mem_fragmentation_ratio", ratio(mh.fragmentation()));
        out.line("mem_fragmentation_bytes", mh.fragmentationBytes());
        out.line("mem_not_counted_for_evict", 0);
        out.line("mem_replication_backlog", mh.replicationBacklog());
        out.line("mem_total_replication_buffers", replication.bufferBytes());
        out.line("mem_clients_slaves", mh.clientsSlaves());
        out.line("mem_clients_normal", mh.clientsNormal());
        out.line("mem_cluster_links", 0);
        out.line("mem_aof_buffer", 0);
        out.line("mem_allocator", "jvm");
        out.line("active_defrag_running", 0);
        out.line("lazyfree_pending_objects", 0);
        out.line("lazyfreed_objects", 0);
        out.line("maxmemory_samples", config.memory().samples());
        out.line("maxmemory_clients", config.clientsBytes());
        out.line("jvm_heap_max", Runtime.getRuntime().maxMemory());
        out.line("mem_tracking_table", tracking.bytes()); // client tracking's keys and prefixes, part of used_memory_dataset
        if (!lua.isEmpty()) {
            out.line("lua_heap_limit_per_shard", lua.get(0).heapLimit());
        }
        for (ServerShard.Snapshot s : figures) {
            out.line("shard_" + s.shard(), "used_memory=" + s.usedMemory() + ",maxmemory=" + s.maxMemory() + ",evicted_keys=" + s.evicted()
                    + ",mem_clients=" + s.clientsMemory());
        }
    }

    private static void stats(Sections out, List<ServerShard.Snapshot> figures, List<ShardInfo> shards, PubSubShard.Names pubsub,
                              Replication replication, Persistence persistence, TrackingShard.Figures tracking) {
        long errors = shards.stream().mapToLong(s -> s.commands().errorReplies()).sum();
        out.line("total_connections_received", sum(figures, ServerShard.Snapshot::connectionsReceived));
        out.line("total_commands_processed", sum(figures, ServerShard.Snapshot::commands));
        out.line("instantaneous_ops_per_sec", sum(figures, ServerShard.Snapshot::opsPerSecond));
        out.line("total_net_input_bytes", sum(figures, ServerShard.Snapshot::netInputBytes));
        out.line("total_net_output_bytes", sum(figures, ServerShard.Snapshot::netOutputBytes));
        out.line("total_net_repl_input_bytes", 0);
        out.line("total_net_repl_output_bytes", 0);
        out.line("instantaneous_input_kbps", "0.00");
        out.line("instantaneous_output_kbps", "0.00");
        out.line("instantaneous_input_repl_kbps", "0.00");
        out.line("instantaneous_output_repl_kbps", "0.00");
        out.line("rejected_connections", sum(figures, ServerShard.Snapshot::rejectedConnections));
        long[] syncs = replication.syncCounters();
        out.line("sync_full", syncs[0]);
        out.line("sync_partial_ok", syncs[1]);
        out.line("sync_partial_err", syncs[2]);
        out.line("expired_keys", sum(figures, ServerShard.Snapshot::expired));
        out.line("expired_stale_perc", "0.00");
        out.line("expired_time_cap_reached_count", 0);
        out.line("expire_cycle_cpu_milliseconds", 0);
        out.line("evicted_keys", sum(figures, ServerShard.Snapshot::evicted));
        out.line("evicted_clients", sum(figures, ServerShard.Snapshot::evictedClients));
        out.line("total_eviction_exceeded_time", 0);
        out.line("current_eviction_exceeded_time", 0);
        out.line("keyspace_hits", sum(figures, ServerShard.Snapshot::hits));
        out.line("keyspace_misses", sum(figures, ServerShard.Snapshot::misses));
        out.line("pubsub_channels", pubsub.channels().size());
        out.line("pubsub_patterns", pubsub.patterns().size());
        out.line("pubsubshard_channels", pubsub.shardChannels().size());
        out.line("latest_fork_usec", 0);
        out.line("total_forks", persistence.snapshotsBegun()); // a snapshot taken in the background: a fork in Redis
        out.line("migrate_cached_sockets", 0);
        out.line("slave_expires_tracked_keys", 0);
        out.line("active_defrag_hits", 0);
        out.line("active_defrag_misses", 0);
        out.line("active_defrag_key_hits", 0);
        out.line("active_defrag_key_misses", 0);
        out.line("total_active_defrag_time", 0);
        out.line("current_active_defrag_time", 0);
        out.line("tracking_total_keys", tracking.keys());
        out.line("tracking_total_items", tracking.items());
        out.line("tracking_total_prefixes", tracking.prefixes());
        out.line("unexpected_error_replies", sum(figures, ServerShard.Snapshot::unexpectedErrors));
        out.line("total_error_replies", errors);
        out.line("dump_payload_sanitizations", 0);
        out.line("total_reads_processed", sum(figures, ServerShard.Snapshot::netReads));
        out.line("total_writes_processed", sum(figures, ServerShard.Snapshot::netWrites));
        out.line("io_threaded_reads_processed", 0);
        out.line("io_threaded_writes_processed", 0);
        out.line("reply_buffer_shrinks", 0);
        out.line("reply_buffer_expands", 0);
        out.line("total_protocol_errors", sum(figures, ServerShard.Snapshot::protocolErrors));
        out.line("cross_shard_calls", sum(figures, ServerShard.Snapshot::crossShardCalls));
        out.line("http_requests", sum(figures, ServerShard.Snapshot::httpRequests));
        out.line("idle_clients_closed", sum(figures, ServerShard.Snapshot::idleClosed));
        out.line("client_query_buffer_limit_disconnections", sum(figures, ServerShard.Snapshot::queryLimitDisconnections));
        out.line("client_output_buffer_limit_disconnections", sum(figures, ServerShard.Snapshot::outputLimitDisconnections));
        for (ServerShard.Snapshot s : figures) {
            out.line("shard_" + s.shard(), "commands=" + s.commands() + ",keyspace_hits=" + s.hits() + ",keyspace_misses="
                    + s.misses() + ",expired_keys=" + s.expired() + ",cross_shard_calls=" + s.crossShardCalls()
                    + ",connections_received=" + s.connectionsReceived() + ",http_requests=" + s.httpRequests()
                    + ",instantaneous_ops_per_sec=" + s.opsPerSecond());
        }
    }

    /** The sections being written: Redis separates them with a blank line and ends without one. */
    private static final class Sections {
        private final Set<String> wanted;
        private final boolean all;
        private final StringBuilder out = new StringBuilder(4096);
        private boolean started;

        Sections(Set<String> wanted, boolean all) {
            this.wanted = wanted;
            this.all = all;
        }

        /** Starts section {@code title} if {@code key} is asked for (or all are). */
        boolean begin(String key, String title) {
            if (!all && !wanted.contains(key)) {
                return false;
            }
            header(title);
            return true;
        }

        boolean beginAlso(String key, String title) {
            if (!wanted.contains(key)) {
                return false;
            }
            header(title);
            return true;
        }

        private void header(String title) {
            if (started) {
                out.append("\r\n");
            }
            started = true;
            out.append("# ").append(title).append("\r\n");
        }

        void emptySection() {
        }

        void line(String key, Object value) {
            out.append(key).append(':').append(value).append("\r\n");
        }

        String text() {
            return out.toString();
        }
    }

    private static long sum(List<ServerShard.Snapshot> shards, ToLongFunction<ServerShard.Snapshot> f) {
        return shards.stream().mapToLong(f).sum();
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%d.%06d", nanos / 1_000_000_000L, (nanos % 1_000_000_000L) / 1000);
    }

    private static String percent(long part, long whole) {
        return String.format(Locale.ROOT, "%.2f%%", whole == 0 ? 0.0 : 100.0 * part / whole);
    }

    /** Redis's {@code %.2f} of a ratio (an infinite one, of a figure over nothing, as C prints it). */
    private static String ratio(float r) {
        return Float.isInfinite(r) ? "inf" : String.format(Locale.ROOT, "%.2f", r);
    }

    /** Redis's bytesToHuman: B, K, M, G, T, P with two decimals. */
    static String human(long n) {
        if (n < 1024) {
            return n + "B";
        }
        String[] units = {"K", "M", "G", "T", "P"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.2f%s", v, units[u]);
    }

    private static <E> List<E> concat(List<E> sofar, List<E> part) {
        List<E> all = new ArrayList<>(sofar.size() + part.size());
        all.addAll(sofar);
        all.addAll(part);
        return all;
    }

    /** The process's CPU time by user and system, from {@code /proc/self/stat} (Linux), else the JVM's total as user time. */
    static final class ProcessCpu {
        private ProcessCpu() {
        }

        static long[] userAndSystemNanos() {
            try {
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                // fields after the name start at state (field 3): utime is field 14, stime 15, in clock ticks (USER_HZ 100)
                long tick = 10_000_000L;
                return new long[] {Long.parseLong(fields[11]) * tick, Long.parseLong(fields[12]) * tick};
            } catch (IOException | RuntimeException e) {
                java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
                long total = os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
                return new long[] {Math.max(0, total), 0};
            }
        }
    }
}
