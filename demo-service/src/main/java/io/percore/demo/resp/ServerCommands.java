package io.percore.demo.resp;

import static io.percore.demo.resp.RespReplies.bulk;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.MemorySettings;
import io.percore.demo.kv.GlobPattern;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.shard.ShardState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

/** Server commands (Redis's {@code server.c}): INFO and CONFIG GET (server-wide figures gathered from every shard), TIME, COMMAND. */
final class ServerCommands {

    private static final Set<String> DEFAULT_SECTIONS = Set.of("server", "clients", "memory", "stats", "keyspace");

    private final int port;
    private final long startMillis = System.currentTimeMillis();
    /** The memory settings in force: CONFIG SET replaces them from any shard, so they are shared. */
    private final AtomicReference<MemorySettings> memory;

    ServerCommands(int port, MemorySettings memory) {
        this.memory = new AtomicReference<>(memory);
        this.port = port;
    }

    /** INFO [section ...]: server, clients, stats, keyspace (default/all/everything = all four), each with per-shard lines. */
    void info(CommandContext c, byte[][] argv) {
        Set<String> wanted = new java.util.HashSet<>();
        for (int i = 1; i < argv.length; i++) {
            String s = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
            if (s.equals("default") || s.equals("all") || s.equals("everything")) {
                wanted.addAll(DEFAULT_SECTIONS);
            } else {
                wanted.add(s);
            }
        }
        if (argv.length == 1) {
            wanted.addAll(DEFAULT_SECTIONS);
        }
        int shards = c.keyspace().shardCount();
        c.replyLater(c.keyspace().mapReduce(state -> List.of(state.snapshot()), List.<ShardState.Snapshot>of(), ServerCommands::concat)
                .map(snapshots -> format(wanted, snapshots, shards)));
    }

    private RedisMessage format(Set<String> wanted, List<ShardState.Snapshot> shards, int shardCount) {
        StringBuilder out = new StringBuilder();
        long uptime = (System.currentTimeMillis() - startMillis) / 1000;
        if (wanted.contains("server")) {
            section(out, "Server");
            line(out, "redis_version", ConnectionCommands.REDIS_VERSION);
            line(out, "redis_mode", "standalone");
            line(out, "server_name", "percore-demo");
            line(out, "os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
            line(out, "arch_bits", "64");
            line(out, "multiplexing_api", "percore-shards");
            line(out, "java_version", System.getProperty("java.version"));
            line(out, "process_id", Long.toString(ProcessHandle.current().pid()));
            line(out, "tcp_port", Integer.toString(port));
            line(out, "uptime_in_seconds", Long.toString(uptime));
            line(out, "uptime_in_days", Long.toString(uptime / 86400));
            line(out, "shards", Integer.toString(shardCount));
            out.append("\r\n");
        }
        if (wanted.contains("clients")) {
            section(out, "Clients");
            line(out, "connected_clients", Long.toString(sum(shards, ShardState.Snapshot::connectedClients)));
            for (ShardState.Snapshot s : shards) {
                line(out, "shard_" + s.shard(), "connected_clients=" + s.connectedClients());
            }
            out.append("\r\n");
        }
        if (wanted.contains("memory")) {
            // used_memory is the keyspace's estimate (keys, values, per-entry overhead), the figure
            // the budget is enforced on; the JVM's heap is in /actuator/metrics (jvm.memory.used).
            section(out, "Memory");
            long used = sum(shards, ShardState.Snapshot::usedMemory);
            long max = sum(shards, ShardState.Snapshot::maxMemory);
            line(out, "used_memory", Long.toString(used));
            line(out, "used_memory_human", human(used));
            line(out, "maxmemory", Long.toString(max));
            line(out, "maxmemory_human", human(max));
            line(out, "maxmemory_policy", memory.get().policy().redisName());
            line(out, "maxmemory_samples", Integer.toString(memory.get().samples()));
            line(out, "jvm_heap_max", Long.toString(Runtime.getRuntime().maxMemory()));
            for (ShardState.Snapshot s : shards) {
                line(out, "shard_" + s.shard(), "used_memory=" + s.usedMemory() + ",maxmemory=" + s.maxMemory()
                        + ",evicted_keys=" + s.evicted());
            }
            out.append("\r\n");
        }
        if (wanted.contains("stats")) {
            section(out, "Stats");
            line(out, "total_connections_received", Long.toString(sum(shards, ShardState.Snapshot::connectionsReceived)));
            line(out, "total_commands_processed", Long.toString(sum(shards, ShardState.Snapshot::commands)));
            line(out, "rejected_connections", Long.toString(sum(shards, ShardState.Snapshot::rejectedConnections)));
            line(out, "expired_keys", Long.toString(sum(shards, ShardState.Snapshot::expired)));
            line(out, "evicted_keys", Long.toString(sum(shards, ShardState.Snapshot::evicted)));
            line(out, "keyspace_hits", Long.toString(sum(shards, ShardState.Snapshot::hits)));
            line(out, "keyspace_misses", Long.toString(sum(shards, ShardState.Snapshot::misses)));
            line(out, "total_protocol_errors", Long.toString(sum(shards, ShardState.Snapshot::protocolErrors)));
            line(out, "cross_shard_calls", Long.toString(sum(shards, ShardState.Snapshot::crossShardCalls)));
            line(out, "http_requests", Long.toString(sum(shards, ShardState.Snapshot::httpRequests)));
            for (ShardState.Snapshot s : shards) {
                line(out, "shard_" + s.shard(), "commands=" + s.commands() + ",keyspace_hits=" + s.hits() + ",keyspace_misses="
                        + s.misses() + ",expired_keys=" + s.expired() + ",cross_shard_calls=" + s.crossShardCalls()
                        + ",connections_received=" + s.connectionsReceived() + ",http_requests=" + s.httpRequests());
            }
            out.append("\r\n");
        }
        if (wanted.contains("keyspace")) {
            section(out, "Keyspace");
            long keys = sum(shards, ShardState.Snapshot::keys);
            if (keys > 0) {
                line(out, "db0", "keys=" + keys + ",expires=" + sum(shards, ShardState.Snapshot::expires) + ",avg_ttl=0");
            }
            for (ShardState.Snapshot s : shards) {
                line(out, "shard_" + s.shard(), "keys=" + s.keys() + ",expires=" + s.expires());
            }
            out.append("\r\n");
        }
        int len = out.length();
        if (len >= 2) {
            out.setLength(len - 2); // Redis ends INFO without the blank line after the last section
        }
        return new Resp3Replies.VerbatimReply("txt", out.toString());
    }

    private static <E> List<E> concat(List<E> sofar, List<E> part) {
        List<E> all = new ArrayList<>(sofar.size() + part.size());
        all.addAll(sofar);
        all.addAll(part);
        return all;
    }

    private static long sum(List<ShardState.Snapshot> shards, java.util.function.ToLongFunction<ShardState.Snapshot> f) {
        return shards.stream().mapToLong(f).sum();
    }

    private static void section(StringBuilder out, String name) {
        out.append("# ").append(name).append("\r\n");
    }

    private static void line(StringBuilder out, String key, String value) {
        out.append(key).append(':').append(value).append("\r\n");
    }

    /** Redis's bytesToHuman: B, K, M, G with two decimals. */
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

    /**
     * CONFIG GET pattern [pattern ...] and CONFIG SET parameter value [parameter value ...]. GET
     * knows the parameters clients ask about; SET changes the memory budget live on every shard
     * (maxmemory, maxmemory-policy, maxmemory-samples), with Redis 7's error texts for the rest.
     */
    void config(CommandContext c, byte[][] argv) {
        String sub = RespReplies.ascii(argv[1]).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "get" -> configGet(c, argv);
            case "set" -> configSet(c, argv);
            default -> throw RespReplies.unknownSubcommand(argv[1], "config");
        }
    }

    private Map<String, String> parameters(CommandContext c) {
        MemorySettings m = memory.get();
        Map<String, String> params = new LinkedHashMap<>();
        params.put("save", "");
        params.put("appendonly", "no");
        params.put("databases", "1");
        params.put("port", Integer.toString(port));
        params.put("maxmemory", Long.toString(m.processBytes()));
        params.put("maxmemory-policy", m.policy().redisName());
        params.put("maxmemory-samples", Integer.toString(m.samples()));
        params.put("timeout", "0");
        params.put("proto-max-bulk-len", Integer.toString(c.settings().maxBulkLength()));
        params.put("cluster-enabled", "no");
        encodingThresholds.forEach((name, value) -> {
            params.put(name, value.toString());
            String alias = ENCODING_ALIASES.get(name);
            if (alias != null) {
                params.put(alias, value.toString());
            }
        });
        return params;
    }

    /**
     * Redis's thresholds between a type's compact and full encodings. Sorted sets, hashes and sets have
     * both encodings here and follow the {@code zset-*}, {@code hash-*} and {@code set-max-intset-entries}
     * ones (pushed to every shard); lists have one representation, so theirs change nothing; they are
     * kept, validated and reported because clients and Redis's own tests set them (with the ziplist
     * names as aliases, as Redis 7).
     */
    private final Map<String, Long> encodingThresholds = new java.util.concurrent.ConcurrentHashMap<>(Map.of(
            "hash-max-listpack-entries", HashValue.Limits.DEFAULT.maxEntries(), "hash-max-listpack-value", HashValue.Limits.DEFAULT.maxValue(),
            "set-max-intset-entries", SetValue.Limits.DEFAULT.maxIntsetEntries(),
            "list-max-listpack-size", -2L, "list-compress-depth", 0L,
            "zset-max-listpack-entries", ZSetValue.Limits.DEFAULT.maxEntries(), "zset-max-listpack-value", ZSetValue.Limits.DEFAULT.maxValue()));
    private static final Map<String, String> ENCODING_ALIASES = Map.of(
            "hash-max-listpack-entries", "hash-max-ziplist-entries", "hash-max-listpack-value", "hash-max-ziplist-value",
            "list-max-listpack-size", "list-max-ziplist-size",
            "zset-max-listpack-entries", "zset-max-ziplist-entries", "zset-max-listpack-value", "zset-max-ziplist-value");

    private static String canonicalThreshold(String name) {
        for (Map.Entry<String, String> e : ENCODING_ALIASES.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        return name;
    }

    private void configGet(CommandContext c, byte[][] argv) {
        if (argv.length < 3) {
            throw RespReplies.wrongArgs("config|get");
        }
        Map<String, String> params = parameters(c);
        Map<String, String> matched = new LinkedHashMap<>();
        for (int i = 2; i < argv.length; i++) {
            GlobPattern pattern = new GlobPattern(RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT).getBytes(StandardCharsets.ISO_8859_1));
            params.forEach((k, v) -> {
                if (pattern.matches(k.getBytes(StandardCharsets.US_ASCII))) {
                    matched.put(k, v);
                }
            });
        }
        List<RedisMessage> reply = new ArrayList<>();
        matched.forEach((k, v) -> {
            reply.add(bulk(k));
            reply.add(bulk(v));
        });
        c.reply(new Resp3Replies.MapReply(reply));
    }

    private void configSet(CommandContext c, byte[][] argv) {
        if (argv.length < 4 || argv.length % 2 != 0) {
            throw RespReplies.wrongArgs("config|set");
        }
        Set<String> known = parameters(c).keySet();
        MemorySettings current = memory.get();
        long maxmemory = current.maxmemory();
        MaxmemoryPolicy policy = current.policy();
        int samples = current.samples();
        Map<String, Long> thresholds = new LinkedHashMap<>(); // applied with the rest, only if every argument is valid
        for (int i = 2; i < argv.length; i += 2) {
            String name = RespReplies.ascii(argv[i]).toLowerCase(Locale.ROOT);
            String value = RespReplies.ascii(argv[i + 1]);
            switch (name) {
                case "maxmemory" -> maxmemory = memoryValue(name, value);
                case "maxmemory-policy" -> {
                    try {
                        policy = MaxmemoryPolicy.fromRedisName(value);
                    } catch (IllegalArgumentException e) {
                        throw setFailed(name, "argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                                + "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
                    }
                }
                case "maxmemory-samples" -> {
                    long n = RespNumbers.isLong(argv[i + 1]) ? RespNumbers.parseLong(argv[i + 1]) : -1;
                    if (n < 1 || n > MemoryBudget.MAX_SAMPLES) {
                        throw setFailed(name, "argument must be between 1 and " + MemoryBudget.MAX_SAMPLES + " inclusive");
                    }
                    samples = (int) n;
                }
                case "list-max-listpack-size", "list-max-ziplist-size" -> {
                    long n = RespNumbers.isLong(argv[i + 1]) ? RespNumbers.parseLong(argv[i + 1]) : Long.MIN_VALUE;
                    if (n == Long.MIN_VALUE) {
                        throw setFailed(name, "argument couldn't be parsed into an integer");
                    }
                    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
                        throw setFailed(name, "argument must be between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE + " inclusive");
                    }
                    thresholds.put(canonicalThreshold(name), n);
                }
                // no persistence: the one schedule there is, "" (off), is accepted as it is
                case "save" -> {
                    if (!value.isEmpty()) {
                        throw setFailed(name, "this server has no persistence; only \"\" (off) can be set");
                    }
                }
                case "hash-max-listpack-entries", "hash-max-ziplist-entries", "set-max-intset-entries", "list-compress-depth",
                        "zset-max-listpack-entries", "zset-max-ziplist-entries" -> {
                    long n = RespNumbers.isLong(argv[i + 1]) ? RespNumbers.parseLong(argv[i + 1]) : -1;
                    if (n < 0) {
                        throw setFailed(name, "argument couldn't be parsed into an integer");
                    }
                    thresholds.put(canonicalThreshold(name), n);
                }
                // a byte size in Redis, so units are allowed and the error is the memory one
                case "hash-max-listpack-value", "hash-max-ziplist-value", "zset-max-listpack-value", "zset-max-ziplist-value" -> thresholds.put(canonicalThreshold(name), memoryValue(name, value));
                default -> throw known.contains(name) ? setFailed(name, "can't set immutable config")
                        : new RespError("ERR Unknown option or number of arguments for CONFIG SET - '" + RespReplies.ascii(argv[i]) + "'");
            }
        }
        encodingThresholds.putAll(thresholds);
        ZSetValue.Limits zsetLimits = new ZSetValue.Limits(encodingThresholds.get("zset-max-listpack-entries"),
                encodingThresholds.get("zset-max-listpack-value"));
        HashValue.Limits hashLimits = new HashValue.Limits(encodingThresholds.get("hash-max-listpack-entries"),
                encodingThresholds.get("hash-max-listpack-value"));
        SetValue.Limits setLimits = new SetValue.Limits(encodingThresholds.get("set-max-intset-entries"));
        MemorySettings updated = new MemorySettings(maxmemory, policy, samples);
        memory.set(updated);
        MemoryBudget perShard = updated.perShard(c.keyspace().shardCount());
        c.replyLater(c.keyspace().mapReduce(st -> {
            st.store().budget(perShard);
            st.store().zsetLimits(zsetLimits);
            st.store().hashLimits(hashLimits);
            st.store().setLimits(setLimits);
            return 1;
        }, 0, Integer::sum).map(applied -> RespReplies.OK));
    }

    private static RespError setFailed(String name, String why) {
        return new RespError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why);
    }

    /** Redis's memtoull: bytes with an optional unit, k/m/g (powers of 1000) or kb/mb/gb (powers of 1024). */
    static long memoryValue(String name, String text) {
        String t = text.toLowerCase(Locale.ROOT);
        long unit = 1;
        String[][] units = {{"gb", "1073741824"}, {"mb", "1048576"}, {"kb", "1024"}, {"g", "1000000000"}, {"m", "1000000"},
                {"k", "1000"}, {"b", "1"}};
        for (String[] u : units) {
            if (t.endsWith(u[0])) {
                unit = Long.parseLong(u[1]);
                t = t.substring(0, t.length() - u[0].length());
                break;
            }
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return Math.multiplyExact(n, unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw setFailed(name, "argument must be a memory value");
        }
    }

    static void time(CommandContext c, byte[][] argv) {
        long micros = currentMicros();
        c.reply(new ArrayRedisMessage(List.of(bulk(Long.toString(micros / 1_000_000)), bulk(Long.toString(micros % 1_000_000)))));
    }

    private static long currentMicros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1000;
    }

    /** COMMAND [COUNT | LIST | INFO name... | DOCS name...]. */
    static void command(CommandContext c, byte[][] argv) {
        CommandTable table = c.commands();
        if (argv.length == 1) {
            List<RedisMessage> all = new ArrayList<>();
            for (CommandSpec spec : table.all()) {
                all.add(commandInfo(spec));
            }
            c.reply(RespReplies.array(all));
            return;
        }
        String sub = RespReplies.ascii(argv[1]).toLowerCase(java.util.Locale.ROOT);
        switch (sub) {
            case "count" -> {
                if (argv.length != 2) {
                    throw RespReplies.wrongArgs("command|count");
                }
                c.reply(integer(table.all().size()));
            }
            case "list" -> {
                List<RedisMessage> names = new ArrayList<>();
                for (CommandSpec spec : table.all()) {
                    names.add(bulk(spec.name()));
                }
                c.reply(RespReplies.array(names));
            }
            case "info" -> {
                List<RedisMessage> out = new ArrayList<>();
                if (argv.length == 2) {
                    table.all().forEach(spec -> out.add(commandInfo(spec)));
                }
                for (int i = 2; i < argv.length; i++) {
                    CommandSpec spec = table.lookup(argv[i]);
                    out.add(spec == null ? ArrayRedisMessage.NULL_INSTANCE : commandInfo(spec));
                }
                c.reply(RespReplies.array(out));
            }
            case "docs" -> {
                List<RedisMessage> out = new ArrayList<>();
                List<CommandSpec> specs = new ArrayList<>();
                if (argv.length == 2) {
                    specs.addAll(table.all());
                }
                for (int i = 2; i < argv.length; i++) {
                    CommandSpec spec = table.lookup(argv[i]);
                    if (spec != null) {
                        specs.add(spec);
                    }
                }
                for (CommandSpec spec : specs) {
                    out.add(bulk(spec.name()));
                    out.add(new Resp3Replies.MapReply(List.of(bulk("summary"), bulk(spec.summary()), bulk("since"), bulk("1.0.0"),
                            bulk("group"), bulk(spec.group()))));
                }
                c.reply(new Resp3Replies.MapReply(out));
            }
            default -> throw RespReplies.unknownSubcommand(argv[1], "command");
        }
    }

    /** Redis 7's COMMAND INFO entry: name, arity, flags, first key, last key, step, ACL categories, tips, key specs, subcommands. */
    private static RedisMessage commandInfo(CommandSpec spec) {
        List<RedisMessage> flags = new ArrayList<>();
        for (String flag : spec.flags()) {
            flags.add(new SimpleStringRedisMessage(flag));
        }
        return new ArrayRedisMessage(List.of(
                bulk(spec.name()),
                integer(spec.arity()),
                new Resp3Replies.SetReply(flags),
                integer(spec.firstKey()),
                integer(spec.lastKey()),
                integer(spec.step()),
                new Resp3Replies.SetReply(List.of(new SimpleStringRedisMessage("@" + spec.group()))),
                ArrayRedisMessage.EMPTY_INSTANCE,
                ArrayRedisMessage.EMPTY_INSTANCE,
                ArrayRedisMessage.EMPTY_INSTANCE));
    }
}
