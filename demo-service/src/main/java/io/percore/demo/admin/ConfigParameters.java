package io.percore.demo.admin;

import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.persistence.AofSettings;
import io.percore.demo.replication.ReplicationSettings;
import io.percore.demo.persistence.SaveRules;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;

/**
 * The CONFIG parameters this server has (Redis's {@code config.c} table for them): each one's
 * names, how CONFIG GET reads it from a {@link ConfigValues}, how CONFIG SET parses a new value,
 * with Redis 7.0.15's rules and error texts (numbers with their bounds, memory values with units,
 * enums), and the {@code percore.demo.*} key that sets it at start and live ({@code property}: the
 * application's live configuration follows it; {@code ConfigurationTableTest} holds the README and
 * the bound keys to it). Parameters that describe something fixed here (port, bind, databases, appendonly) take
 * their current value and refuse another one.
 */
final class ConfigParameters {

    /** Parses {@code value} into {@code next}. @throws RespError with Redis's CONFIG SET failure text */
    @FunctionalInterface
    interface Setter {
        void set(ConfigValues.Builder next, String value);
    }

    /**
     * One parameter; {@code alias} is Redis's other name (the ziplist ones), or null. {@code live} reads
     * a value the CONFIG values do not hold (replicaof: REPLICAOF changes it), or is null; a
     * {@code hidden} one (Redis's HIDDEN_CONFIG) is answered only when asked by name, never by a pattern.
     * {@code property} is the {@code percore.demo.*} key that sets it at start and, when the
     * application's configuration changes, live as CONFIG SET would ({@link #setBy}); null: none does.
     */
    record Parameter(String name, String alias, boolean sensitive, Function<ConfigValues, String> get, Setter set,
                     Function<ServerShard, String> live, boolean hidden, String property) {

        Parameter(String name, String alias, boolean sensitive, Function<ConfigValues, String> get, Setter set) {
            this(name, alias, sensitive, get, set, null, false, null);
        }

        /** This parameter, set by {@code percore.demo.<key>} at start and live. */
        Parameter setBy(String key) {
            return new Parameter(name, alias, sensitive, get, set, live, hidden, "percore.demo." + key);
        }

        /** CONFIG GET's value on {@code server}'s shard, whose copy of the values is {@code values}. */
        String value(ConfigValues values, ServerShard server) {
            return live != null ? live.apply(server) : get.apply(values);
        }

        boolean named(String candidate) {
            return name.equalsIgnoreCase(candidate) || (alias != null && alias.equalsIgnoreCase(candidate));
        }

        /** The name Redis's errors give for {@code asked}: the alias when it was asked by its alias. */
        String nameFor(String asked) {
            return alias != null && alias.equalsIgnoreCase(asked) ? alias : name;
        }
    }

    /** A value a setter refuses; CONFIG SET names the parameter as it was asked for (Redis: the alias too). */
    static final class Invalid extends RuntimeException {
        Invalid(String why) {
            super(why, null, false, false);
        }
    }

    private static final List<Parameter> ALL;

    static {
        List<Parameter> p = new ArrayList<>();
        p.add(new Parameter("maxmemory", null, false, v -> Long.toString(v.memory().processBytes()), (n, value) -> {
            long bytes = memory("maxmemory", value);
            n.memory = new MemorySettings(bytes, n.memory.policy(), n.memory.samples());
        }).setBy("maxmemory"));
        p.add(new Parameter("maxmemory-policy", null, false, v -> v.memory().policy().redisName(), (n, value) -> {
            MaxmemoryPolicy policy;
            try {
                policy = MaxmemoryPolicy.fromRedisName(value);
            } catch (IllegalArgumentException e) {
                throw invalid("argument(s) must be one of the following: volatile-lru, volatile-lfu, "
                        + "volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction");
            }
            n.memory = new MemorySettings(n.memory.maxmemory(), policy, n.memory.samples());
        }).setBy("maxmemory-policy"));
        p.add(new Parameter("maxmemory-samples", null, false, v -> Integer.toString(v.memory().samples()), (n, value) -> {
            // Redis allows up to INT_MAX; more samples only cost the shard time (README: a deliberate cap)
            long samples = signed("maxmemory-samples", value, 1, MemoryBudget.MAX_SAMPLES);
            n.memory = new MemorySettings(n.memory.maxmemory(), n.memory.policy(), (int) samples);
        }).setBy("maxmemory-samples"));
        p.add(new Parameter("requirepass", null, true, v -> v.requirePass() == null ? "" : v.requirePass(), (n, value) -> {
            n.requirePass = value.isEmpty() ? null : value;
            n.httpPassword = n.requirePass;
        }).setBy("resp.requirepass"));
        p.add(new Parameter("maxclients", null, false, v -> Long.toString(v.maxClients()), (n, value) -> {
            long clients = unsigned("maxclients", value, 1, 0xFFFFFFFFL);
            if (clients > n.from().maxClientsLimit()) {
                throw invalid("this server's listeners take at most " + n.from().maxClientsLimit()
                        + " clients (percore.servers.resp.max-connections-per-shard x shards)");
            }
            n.maxClients = clients;
        }));
        p.add(new Parameter("timeout", null, false, v -> Long.toString(v.timeout()),
                (n, value) -> n.timeout = signed("timeout", value, 0, Integer.MAX_VALUE)));
        p.add(new Parameter("proto-max-bulk-len", null, false, v -> Long.toString(v.protoMaxBulkLen()), (n, value) -> {
            long length = memory("proto-max-bulk-len", value);
            // Redis's bounds are 1mb..LLONG_MAX; this server's decoder holds a bulk in one array, so 2 GB - 1 at most
            if (length < 1024 * 1024 || length > Integer.MAX_VALUE) {
                throw invalid("argument must be between 1048576 and " + Integer.MAX_VALUE + " inclusive");
            }
            n.protoMaxBulkLen = length;
        }).setBy("resp.max-bulk-length"));
        p.add(new Parameter("slowlog-log-slower-than", null, false, v -> Long.toString(v.slowlogSlowerThan()),
                (n, value) -> n.slowlogSlowerThan = signed("slowlog-log-slower-than", value, -1, Long.MAX_VALUE)));
        p.add(new Parameter("slowlog-max-len", null, false, v -> Long.toString(v.slowlogMaxLen()),
                (n, value) -> n.slowlogMaxLen = unsigned("slowlog-max-len", value, 0, Long.MAX_VALUE)));
        // encoding thresholds: sorted sets follow the zset ones on every shard; the others are validated and kept, changing nothing (one representation per type here)
        p.add(new Parameter("client-output-buffer-limit", null, false, v -> v.outputLimits().text(),
                (n, value) -> n.outputLimits = outputLimits(n.outputLimits, value)));
        p.add(new Parameter("maxmemory-clients", null, false,
                v -> v.maxmemoryClientsPercent() > 0 ? v.maxmemoryClientsPercent() + "%" : Long.toString(v.maxmemoryClients()), (n, value) -> {
                    // Redis's memory-or-percent config: a memory value first, then N% (of maxmemory, followed as it changes)
                    long bytes = memoryOrNegative(value);
                    if (bytes >= 0) {
                        n.maxmemoryClients = bytes;
                        n.maxmemoryClientsPercent = 0;
                        return;
                    }
                    byte[] digits = value.substring(0, Math.max(0, value.length() - 1)).getBytes(StandardCharsets.ISO_8859_1);
                    if (value.length() < 2 || !value.endsWith("%") || !RespNumbers.isLong(digits) || RespNumbers.parseLong(digits) < 0) {
                        throw invalid("argument must be a memory or percent value");
                    }
                    long percent = RespNumbers.parseLong(digits);
                    if (percent > 100) {
                        throw invalid("percentage argument must be less or equal to 100");
                    }
                    n.maxmemoryClients = 0; // 0%: no bound, as Redis stores it
                    n.maxmemoryClientsPercent = (int) percent;
                }).setBy("maxmemory-clients"));
        p.add(new Parameter("client-query-buffer-limit", null, false, v -> Long.toString(v.queryBufferLimit()), (n, value) -> {
            long limit = memory("client-query-buffer-limit", value);
            if (limit < 1024 * 1024) {
                throw invalid("argument must be between 1048576 and " + Long.MAX_VALUE + " inclusive");
            }
            n.queryBufferLimit = limit;
        }));
        p.add(new Parameter("notify-keyspace-events", null, false, v -> KeyspaceEvents.format(v.notifyKeyspaceEvents()), (n, value) -> {
            int classes = KeyspaceEvents.parse(value);
            if (classes < 0) {
                throw invalid(KeyspaceEvents.INVALID);
            }
            n.notifyKeyspaceEvents = classes;
        }).setBy("notify-keyspace-events"));
        p.add(new Parameter("busy-reply-threshold", "lua-time-limit", false, v -> Long.toString(v.busyReplyThreshold()),
                (n, value) -> n.busyReplyThreshold = signed("busy-reply-threshold", value, 0, Long.MAX_VALUE)));
        p.add(new Parameter("protected-mode", null, false, v -> v.protectedMode() ? "yes" : "no",
                (n, value) -> n.protectedMode = yesNo("protected-mode", value)).setBy("protected-mode"));
        p.add(threshold("hash-max-listpack-entries", "hash-max-ziplist-entries", false));
        p.add(threshold("hash-max-listpack-value", "hash-max-ziplist-value", true));
        p.add(threshold("set-max-intset-entries", null, false));
        p.add(threshold("zset-max-listpack-entries", "zset-max-ziplist-entries", false));
        p.add(threshold("zset-max-listpack-value", "zset-max-ziplist-value", true));
        p.add(threshold("stream-node-max-entries", null, false));
        p.add(threshold("stream-node-max-bytes", null, true));
        p.add(threshold("hll-sparse-max-bytes", null, true));
        p.add(new Parameter("list-max-listpack-size", "list-max-ziplist-size", false, v -> Long.toString(v.thresholds().get("list-max-listpack-size")),
                (n, value) -> n.thresholds.put("list-max-listpack-size", signed("list-max-listpack-size", value, Integer.MIN_VALUE, Integer.MAX_VALUE))));
        p.add(new Parameter("list-compress-depth", null, false, v -> Long.toString(v.thresholds().get("list-compress-depth")),
                (n, value) -> n.thresholds.put("list-compress-depth", signed("list-compress-depth", value, 0, Integer.MAX_VALUE))));
        // client tracking's table: each shard keeps its part of the keys (see TrackingShard#maxKeys)
        p.add(threshold("tracking-table-max-keys", null, false));
        // what is fixed here: the current value is accepted (nothing changes), another is refused
        p.add(new Parameter("port", null, false, v -> Integer.toString(v.port()), (n, value) -> {
            long port = signed("port", value, 0, 65535);
            if (port != n.from().port()) {
                throw invalid("the RESP listener's port is percore.servers.resp.port and cannot change while it runs");
            }
        }));
        p.add(new Parameter("bind", null, false, ConfigValues::bind, (n, value) -> {
            if (!value.equals(n.from().bind())) {
                throw invalid("the RESP listener's address is percore.servers.resp.bind-address and cannot change while it runs");
            }
        }));
        // TLS: the starter's percore.servers.resp.ssl.* and its SSL bundle, which also renews the certificate without a restart
        p.add(tls("tls-port", v -> Integer.toString(v.tls().tlsPort())));
        p.add(tls("tls-auth-clients", v -> v.tls().authClients()));
        p.add(tls("tls-protocols", v -> v.tls().protocols()));
        p.add(tls("tls-ciphers", v -> v.tls().ciphers()));
        p.add(tls("tls-ciphersuites", v -> v.tls().ciphersuites()));
        p.add(new Parameter("save", null, false, v -> v.persistence().save().text(), (n, value) -> {
            try {
                n.persistence = n.persistence.withSave(SaveRules.parse(value));
            } catch (IllegalArgumentException e) {
                throw invalid(e.getMessage());
            }
        }).setBy("persistence.save"));
        p.add(new Parameter("stop-writes-on-bgsave-error", null, false, v -> v.persistence().stopWritesOnBgsaveError() ? "yes" : "no",
                (n, value) -> n.persistence = n.persistence.withStopWritesOnBgsaveError(yesNo("stop-writes-on-bgsave-error", value)))
                .setBy("persistence.stop-writes-on-bgsave-error"));
        // Redis 7.0's protected configs (enable-protected-configs no): read here, set in percore.demo.persistence.*
        p.add(protectedConfig("dir", v -> v.persistence().dir().toAbsolutePath().normalize().toString()));
        p.add(protectedConfig("dbfilename", v -> v.persistence().dbfilename()));
        // what the files are: checksummed always, strings written plain (LZF is read, not written)
        p.add(fixed("rdbchecksum", "yes"));
        p.add(fixed("rdbcompression", "no"));
        // the append-only file: on and off, its fsync policy and rewrite thresholds live; where it is, fixed at start
        p.add(new Parameter("appendonly", null, false, v -> v.persistence().aof().enabled() ? "yes" : "no",
                (n, value) -> n.persistence = n.persistence.withAof(n.persistence.aof().withEnabled(yesNo("appendonly", value)))));
        p.add(new Parameter("appendfsync", null, false, v -> v.persistence().aof().fsync().text(), (n, value) -> {
            try {
                n.persistence = n.persistence.withAof(n.persistence.aof().withFsync(AofSettings.Fsync.parse(value)));
            } catch (IllegalArgumentException e) {
                throw invalid("argument(s) must be one of the following: always, everysec, no");
            }
        }).setBy("persistence.appendfsync"));
        p.add(new Parameter("auto-aof-rewrite-percentage", null, false, v -> Integer.toString(v.persistence().aof().autoRewritePercentage()),
                (n, value) -> n.persistence = n.persistence.withAof(n.persistence.aof().withAutoRewrite(
                        (int) signed("auto-aof-rewrite-percentage", value, 0, Integer.MAX_VALUE), n.persistence.aof().autoRewriteMinSize())))
                .setBy("persistence.auto-aof-rewrite-percentage"));
        p.add(new Parameter("auto-aof-rewrite-min-size", null, false, v -> Long.toString(v.persistence().aof().autoRewriteMinSize()),
                (n, value) -> n.persistence = n.persistence.withAof(n.persistence.aof().withAutoRewrite(
                        n.persistence.aof().autoRewritePercentage(), memory("auto-aof-rewrite-min-size", value))))
                .setBy("persistence.auto-aof-rewrite-min-size"));
        p.add(new Parameter("aof-load-truncated", null, false, v -> v.persistence().aof().loadTruncated() ? "yes" : "no",
                (n, value) -> n.persistence = n.persistence.withAof(n.persistence.aof().withLoadTruncated(yesNo("aof-load-truncated", value))))
                .setBy("persistence.aof-load-truncated"));
        p.add(immutable("appenddirname", v -> v.persistence().aof().dirname()));
        p.add(immutable("appendfilename", v -> v.persistence().aof().filename()));
        // what the log is: a base in RDB format, commands without timestamps, fsynced in one go per batch
        p.add(fixed("aof-use-rdb-preamble", "yes"));
        p.add(fixed("aof-timestamp-enabled", "no"));
        // replication: live, as in Redis (replicaof itself changes through REPLICAOF)
        p.add(new Parameter("replica-read-only", "slave-read-only", false, v -> v.replication().replicaReadOnly() ? "yes" : "no",
                (n, value) -> n.replication = n.replication.withReplicaReadOnly(yesNo("replica-read-only", value)))
                .setBy("replication.replica-read-only"));
        p.add(new Parameter("repl-backlog-size", null, false, v -> Long.toString(v.replication().backlogSize()), (n, value) -> {
            long bytes = memory("repl-backlog-size", value);
            n.replication = stream(n.replication, Math.max(bytes, 16 * 1024), -1, -1, -1, -1);
        }).setBy("replication.repl-backlog-size"));
        p.add(new Parameter("repl-ping-replica-period", "repl-ping-slave-period", false, v -> Integer.toString(v.replication().pingPeriodSeconds()),
                (n, value) -> n.replication = stream(n.replication, -1, (int) signed("repl-ping-replica-period", value, 1, Integer.MAX_VALUE),
                        -1, -1, -1)).setBy("replication.repl-ping-replica-period"));
        p.add(new Parameter("repl-timeout", null, false, v -> Integer.toString(v.replication().timeoutSeconds()),
                (n, value) -> n.replication = stream(n.replication, -1, -1, (int) signed("repl-timeout", value, 1, Integer.MAX_VALUE), -1, -1))
                .setBy("replication.repl-timeout"));
        p.add(new Parameter("min-replicas-to-write", "min-slaves-to-write", false, v -> Integer.toString(v.replication().minReplicasToWrite()),
                (n, value) -> n.replication = stream(n.replication, -1, -1, -1,
                        (int) signed("min-replicas-to-write", value, 0, Integer.MAX_VALUE), -1)).setBy("replication.min-replicas-to-write"));
        p.add(new Parameter("min-replicas-max-lag", "min-slaves-max-lag", false, v -> Integer.toString(v.replication().minReplicasMaxLag()),
                (n, value) -> n.replication = stream(n.replication, -1, -1, -1, -1,
                        (int) signed("min-replicas-max-lag", value, 0, Integer.MAX_VALUE))).setBy("replication.min-replicas-max-lag"));
        p.add(new Parameter("repl-diskless-sync", null, false, v -> v.replication().disklessSync() ? "yes" : "no",
                (n, value) -> n.replication = n.replication.withDiskless(yesNo("repl-diskless-sync", value),
                        n.replication.disklessSyncDelay(), n.replication.disklessSyncMaxReplicas())).setBy("replication.repl-diskless-sync"));
        p.add(new Parameter("repl-diskless-sync-delay", null, false, v -> Integer.toString(v.replication().disklessSyncDelay()),
                (n, value) -> n.replication = n.replication.withDiskless(n.replication.disklessSync(),
                        (int) signed("repl-diskless-sync-delay", value, 0, Integer.MAX_VALUE), n.replication.disklessSyncMaxReplicas()))
                .setBy("replication.repl-diskless-sync-delay"));
        p.add(new Parameter("repl-diskless-sync-max-replicas", null, false, v -> Integer.toString(v.replication().disklessSyncMaxReplicas()),
                (n, value) -> n.replication = n.replication.withDiskless(n.replication.disklessSync(), n.replication.disklessSyncDelay(),
                        (int) signed("repl-diskless-sync-max-replicas", value, 0, Integer.MAX_VALUE)))
                .setBy("replication.repl-diskless-sync-max-replicas"));
        p.add(new Parameter("shutdown-timeout", null, false, v -> Integer.toString(v.replication().shutdownTimeoutSeconds()),
                (n, value) -> n.replication = n.replication.withShutdownTimeout((int) signed("shutdown-timeout", value, 0, Integer.MAX_VALUE)))
                .setBy("replication.shutdown-timeout"));
        p.add(new Parameter("masterauth", null, true, v -> v.replication().masterAuth() == null ? "" : v.replication().masterAuth(),
                (n, value) -> n.replication = n.replication.withMaster(n.replication.masterUser(), value.isEmpty() ? null : value))
                .setBy("replication.masterauth"));
        p.add(new Parameter("masteruser", null, false, v -> v.replication().masterUser() == null ? "" : v.replication().masterUser(),
                (n, value) -> n.replication = n.replication.withMaster(value.isEmpty() ? null : value, n.replication.masterAuth()))
                .setBy("replication.masteruser"));
        // Redis's replicaof: what REPLICAOF set (or the start's), "host port" or empty; changed only by REPLICAOF
        p.add(new Parameter("replicaof", "slaveof", false, v -> "", (n, value) -> {
            throw invalid("can't set immutable config");
        }, server -> server.replication().primaryAddress(), false, null));
        // Redis's hidden configs (debugging knobs its tests set): kept and reported, they change nothing here
        p.add(hidden("rdb-key-save-delay", Integer.MIN_VALUE, Integer.MAX_VALUE));
        p.add(hidden("key-load-delay", Integer.MIN_VALUE, Integer.MAX_VALUE));
        p.add(hidden("watchdog-period", 0, Integer.MAX_VALUE));
        p.add(hidden("loading-process-events-interval-bytes", 1024, Integer.MAX_VALUE));
        p.add(new Parameter("use-exit-on-panic", null, false, v -> v.thresholds().get("use-exit-on-panic") != 0 ? "yes" : "no",
                (n, value) -> n.thresholds.put("use-exit-on-panic", yesNo("use-exit-on-panic", value) ? 1L : 0L), null, true, null));
        p.add(immutable("databases", v -> "1"));
        p.add(immutable("daemonize", v -> "no"));
        // Redis's cluster-enabled: fixed at start (percore.demo.cluster.enabled), read from the service's cluster state
        p.add(new Parameter("cluster-enabled", null, false, v -> "no", (n, value) -> {
            throw invalid("can't set immutable config");
        }, server -> server.cluster().enabled() ? "yes" : "no", false, null));
        ALL = Collections.unmodifiableList(p);
    }

    private ConfigParameters() {
    }

    static List<Parameter> all() {
        return ALL;
    }

    /** The parameter named {@code name} (any case, either name), or null. */
    static Parameter lookup(String name) {
        for (Parameter p : ALL) {
            if (p.named(name)) {
                return p;
            }
        }
        return null;
    }

    private static Parameter protectedConfig(String name, Function<ConfigValues, String> get) {
        return new Parameter(name, null, false, get, (n, value) -> {
            throw invalid("can't set protected config");
        });
    }

    /** A yes/no this server has one answer to: that one is accepted (nothing changes), the other refused. */
    private static Parameter fixed(String name, String only) {
        return new Parameter(name, null, false, v -> only, (n, value) -> {
            if (yesNo(name, value) != only.equals("yes")) {
                throw invalid("this server's " + name + " is always " + only);
            }
        });
    }

    /** A TLS setting: its current value is accepted (nothing changes), another is refused naming where it is set. */
    private static Parameter tls(String name, Function<ConfigValues, String> get) {
        return new Parameter(name, null, false, get, (n, value) -> {
            if (!value.equals(get.apply(n.from()))) {
                throw invalid("TLS is set by percore.servers.resp.ssl.* and its SSL bundle (spring.ssl.bundle.*), whose reload renews "
                        + "the certificate without a restart; it cannot change through CONFIG SET");
            }
        });
    }

    private static Parameter hidden(String name, long min, long max) {
        return new Parameter(name, null, false, v -> Long.toString(v.thresholds().get(name)),
                (n, value) -> n.thresholds.put(name, signed(name, value, min, max)), null, true, null);
    }

    private static Parameter immutable(String name, Function<ConfigValues, String> get) {
        return new Parameter(name, null, false, get, (n, value) -> {
            throw invalid("can't set immutable config");
        });
    }

    private static Parameter threshold(String name, String alias, boolean memory) {
        return new Parameter(name, alias, false, v -> Long.toString(v.thresholds().get(name)),
                (n, value) -> n.thresholds.put(name, memory ? sizeMemory(name, value) : unsigned(name, value, 0, Long.MAX_VALUE)));
    }

    static RespError failed(String name, String why) {
        return new RespError("ERR CONFIG SET failed (possibly related to argument '" + name + "') - " + why);
    }

    /** Thrown by a setter: CONFIG SET turns it into {@link #failed} with the name that was asked. */
    private static Invalid invalid(String why) {
        return new Invalid(why);
    }

    /** A signed integer parameter (Redis's int and long long configs) within [min, max]. */
    static long signed(String name, String value, long min, long max) {
        long n = integer(name, value);
        if (n < min || n > max) {
            throw invalid("argument must be between " + min + " and " + max + " inclusive");
        }
        return n;
    }

    /**
     * An unsigned integer parameter (Redis's uint, size_t and unsigned long configs): a negative
     * number is read as the huge unsigned value it is in C, so it fails the upper bound.
     */
    static long unsigned(String name, String value, long min, long max) {
        long n = integer(name, value);
        if (n < 0 || n < min || n > max) {
            throw invalid("argument must be between " + min + " and " + Long.toUnsignedString(max) + " inclusive");
        }
        return n;
    }

    private static long integer(String name, String value) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        if (!RespNumbers.isLong(bytes)) {
            throw invalid("argument couldn't be parsed into an integer");
        }
        return RespNumbers.parseLong(bytes);
    }

    /** A size_t memory parameter (the listpack value sizes): units allowed, 0..LONG_MAX. */
    private static long sizeMemory(String name, String value) {
        return memory(name, value);
    }

    /** {@link #memory}'s value, or -1 when {@code text} is not a memory value. */
    private static long memoryOrNegative(String text) {
        try {
            return memory("", text);
        } catch (Invalid e) {
            return -1;
        }
    }

    /** Redis's memtoull: digits with an optional unit, k/m/g (powers of 1000) or kb/mb/gb (powers of 1024), b. */
    static long memory(String name, String text) {
        String t = text.toLowerCase(Locale.ROOT);
        int digits = 0;
        while (digits < t.length() && Character.isDigit(t.charAt(digits))) {
            digits++;
        }
        long unit = switch (t.substring(digits)) {
            case "", "b" -> 1;
            case "k" -> 1000;
            case "kb" -> 1024;
            case "m" -> 1000 * 1000;
            case "mb" -> 1024 * 1024;
            case "g" -> 1000L * 1000 * 1000;
            case "gb" -> 1024L * 1024 * 1024;
            default -> -1;
        };
        if (unit < 0 || digits == 0 || digits > 128) {
            throw invalid("argument must be a memory value");
        }
        try {
            return Math.multiplyExact(Long.parseLong(t.substring(0, digits)), unit);
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid("argument must be a memory value");
        }
    }

    /**
     * Redis's updateClientOutputBufferLimit: {@code <class> <hard> <soft> <soft seconds>} repeated,
     * classes normal, slave/replica and pubsub; all of it is checked before any of it applies.
     */
    static ConfigValues.OutputLimits outputLimits(ConfigValues.OutputLimits current, String value) {
        String[] args = value.trim().isEmpty() ? new String[0] : value.trim().split("\\s+");
        if (args.length % 4 != 0) {
            throw invalid("Wrong number of arguments in buffer limit configuration.");
        }
        RespSettings.OutputBufferLimit normal = current.normal();
        RespSettings.OutputBufferLimit replica = current.replica();
        RespSettings.OutputBufferLimit pubsub = current.pubsub();
        for (int j = 0; j < args.length; j += 4) {
            String type = args[j].toLowerCase(Locale.ROOT);
            if (!type.equals("normal") && !type.equals("slave") && !type.equals("replica") && !type.equals("pubsub")) {
                throw invalid("Invalid client class specified in buffer limit configuration.");
            }
            RespSettings.OutputBufferLimit limit;
            try {
                long seconds = Long.parseLong(args[j + 3]);
                if (seconds < 0 || seconds > Integer.MAX_VALUE) {
                    throw new NumberFormatException();
                }
                limit = new RespSettings.OutputBufferLimit(memory("client-output-buffer-limit", args[j + 1]),
                        memory("client-output-buffer-limit", args[j + 2]), (int) seconds);
            } catch (NumberFormatException | RespError | Invalid e) {
                throw invalid("Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            }
            switch (type) {
                case "normal" -> normal = limit;
                case "pubsub" -> pubsub = limit;
                default -> replica = limit;
            }
        }
        return new ConfigValues.OutputLimits(normal, replica, pubsub);
    }

    /** {@code r} with the stream's values given (-1: unchanged). */
    private static ReplicationSettings stream(ReplicationSettings r, long backlog, int ping, int timeout, int minReplicas, int maxLag) {
        return r.withStream(backlog >= 0 ? backlog : r.backlogSize(), ping >= 0 ? ping : r.pingPeriodSeconds(),
                timeout >= 0 ? timeout : r.timeoutSeconds(), minReplicas >= 0 ? minReplicas : r.minReplicasToWrite(),
                maxLag >= 0 ? maxLag : r.minReplicasMaxLag());
    }

    /** Redis's yesnotoi. @return true for yes */
    private static boolean yesNo(String name, String value) {
        if (value.equalsIgnoreCase("yes")) {
            return true;
        }
        if (value.equalsIgnoreCase("no")) {
            return false;
        }
        throw invalid("argument must be 'yes' or 'no'");
    }
}
