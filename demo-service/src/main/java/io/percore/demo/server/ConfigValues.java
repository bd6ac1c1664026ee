package io.percore.demo.server;

import io.percore.demo.kv.MemorySettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.replication.ReplicationSettings;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The values of the CONFIG parameters at one moment: immutable, so a shard can hand it to every
 * other shard. Each shard keeps its own current copy ({@code KeyspaceShard#config()}); CONFIG SET makes
 * the next one on shard 0, which numbers them ({@link #version()}), and every shard installs it if it
 * is newer than its own, so all shards end on the same values whatever order two CONFIG SETs from
 * different shards arrive in.
 *
 * @param version         0 at start, then one more per CONFIG SET
 * @param port            the RESP port (CONFIG GET port; fixed)
 * @param bind            the RESP bind address (CONFIG GET bind; fixed)
 * @param maxClientsLimit the most clients the listeners take (max-connections-per-shard × shards): maxclients' ceiling
 * @param requirePass     the default user's password, or null for none
 * @param httpPassword    the HTTP {@code /kv} API's password, or null; CONFIG SET requirepass sets it too (one secret)
 * @param maxClients      Redis's maxclients, for all shards together
 * @param protoMaxBulkLen largest bulk string a new connection may send
 * @param slowlogSlowerThan microseconds from which a command is logged; negative: the slow log is off
 * @param slowlogMaxLen   most entries the slow log keeps
 * @param timeout         seconds after which an idle client is closed; 0: never
 * @param thresholds      values kept and reported by canonical name: the encoding thresholds (sorted sets, hashes and
 *                        sets follow theirs) and Redis's hidden debugging configs (rdb-key-save-delay, ...), which change nothing here, and {@code tracking-table-max-keys}
 *                        and {@code databases} (fixed at start)
 * @param outputLimits    Redis's client-output-buffer-limit for its three classes
 * @param maxmemoryClients Redis 7's maxmemory-clients: bytes all clients together may hold (0: no such bound), or
 *                        with {@code maxmemoryClientsPercent} not 0, that percent of maxmemory
 * @param queryBufferLimit Redis's client-query-buffer-limit: most bytes of requests one client may have read and not run
 * @param protectedMode   Redis's protected-mode: without a password, only loopback clients are served
 * @param persistence     the snapshot's directory and file (fixed) and Redis's save and stop-writes-on-bgsave-error
 * @param replication     Redis's replication settings (replicaof itself changes through REPLICAOF)
 * @param tls             the RESP server's TLS (fixed at start)
 * @param notifyKeyspaceEvents the keyspace event classes published ({@code io.percore.demo.kv.KeyspaceEvents})
 * @param busyReplyThreshold Redis's busy-reply-threshold (lua-time-limit), in milliseconds: a script running longer
 *                        makes the server answer -BUSY; 0 never
 * @param byName          the values of the parameters that need no field of their own, by Redis's name
 *                        ({@code admin.ConfigParameter.kept}: the row is all there is of them, its default included);
 *                        the subsystem that uses one reads it here when the values are installed ({@link #value})
 */
public record ConfigValues(long version, int port, String bind, long maxClientsLimit, MemorySettings memory, String requirePass,
                           String httpPassword, long maxClients, long protoMaxBulkLen, long slowlogSlowerThan, long slowlogMaxLen,
                           long timeout, Map<String, Long> thresholds, OutputLimits outputLimits, long maxmemoryClients,
                           int maxmemoryClientsPercent, long queryBufferLimit, boolean protectedMode,
                           PersistenceSettings persistence, ReplicationSettings replication, TlsSettings tls,
                           int notifyKeyspaceEvents, long busyReplyThreshold, Map<String, Object> byName) {

    /** Redis's default {@code databases}. */
    public static final int DEFAULT_DATABASES = 16;

    /** Redis's default busy-reply-threshold: 5 seconds. */
    public static final long DEFAULT_BUSY_REPLY_THRESHOLD = 5000;

    /** Redis's default client-query-buffer-limit: 1 GB (maxmemory-clients bounds what all clients hold together first). */
    public static final long DEFAULT_QUERY_BUFFER_LIMIT = 1L << 30;

    /**
     * Redis's {@code client-output-buffer-limit} for its three classes. Only the pub/sub class acts
     * here (a subscriber past it is disconnected); normal and replica are kept and reported as set.
     */
    public record OutputLimits(RespSettings.OutputBufferLimit normal, RespSettings.OutputBufferLimit replica,
                               RespSettings.OutputBufferLimit pubsub) {

        /** Redis's defaults: {@code normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60}. */
        public static OutputLimits defaults(RespSettings.OutputBufferLimit pubsub) {
            return new OutputLimits(new RespSettings.OutputBufferLimit(0, 0, 0),
                    new RespSettings.OutputBufferLimit(256L << 20, 64L << 20, 60), pubsub);
        }

        /** CONFIG GET's text, Redis's format. */
        public String text() {
            return "normal " + format(normal) + " slave " + format(replica) + " pubsub " + format(pubsub);
        }

        private static String format(RespSettings.OutputBufferLimit l) {
            return l.hardBytes() + " " + l.softBytes() + " " + l.softSeconds();
        }
    }

    /** Redis 7.0.15's defaults of the encoding thresholds. */
    static final Map<String, Long> DEFAULT_THRESHOLDS;

    static {
        Map<String, Long> t = new LinkedHashMap<>();
        t.put("hash-max-listpack-entries", 512L);
        t.put("hash-max-listpack-value", 64L);
        t.put("set-max-intset-entries", 512L);
        t.put("list-max-listpack-size", -2L);
        t.put("list-compress-depth", 0L);
        t.put("zset-max-listpack-entries", io.percore.demo.kv.ZSetValue.Limits.DEFAULT.maxEntries());
        t.put("zset-max-listpack-value", io.percore.demo.kv.ZSetValue.Limits.DEFAULT.maxValue());
        t.put("stream-node-max-entries", io.percore.demo.kv.StreamValue.Limits.DEFAULT.nodeMaxEntries());
        t.put("stream-node-max-bytes", io.percore.demo.kv.StreamValue.Limits.DEFAULT.nodeMaxBytes());
        t.put("tracking-table-max-keys", io.percore.demo.tracking.TrackingShard.DEFAULT_MAX_KEYS);
        t.put("hll-sparse-max-bytes", io.percore.demo.kv.HyperLogLog.DEFAULT_SPARSE_MAX_BYTES);
        // Redis's hidden configs, at Redis's defaults
        t.put("rdb-key-save-delay", 0L);
        t.put("key-load-delay", 0L);
        t.put("watchdog-period", 0L);
        t.put("loading-process-events-interval-bytes", 2L * 1024 * 1024);
        t.put("use-exit-on-panic", 0L);
        // Redis's databases: fixed at start (percore.demo.resp.databases), kept here by name as the others
        t.put("databases", (long) DEFAULT_DATABASES);
        DEFAULT_THRESHOLDS = Collections.unmodifiableMap(t);
    }

    public ConfigValues {
        thresholds = Collections.unmodifiableMap(new LinkedHashMap<>(thresholds));
        byName = Collections.unmodifiableMap(new LinkedHashMap<>(byName));
        if (requirePass != null && requirePass.isEmpty()) {
            requirePass = null;
        }
        if (httpPassword != null && httpPassword.isEmpty()) {
            httpPassword = null;
        }
    }

    /**
     * Maxclients before the listeners are known, and the most CONFIG takes: as many clients as the listeners take
     * ({@link #listening}).
     */
    public static final long MAX_CLIENTS = 0xFFFFFFFFL;

    /**
     * The values of a server started with nothing set, before its listeners are known: Redis 7.0.15's defaults (the
     * slow log's 10 ms and 128 entries, the encoding thresholds, a 512 MB bulk, no password, no files), this JVM's
     * memory. The start reads its configuration into these through the CONFIG table's rows, then {@link #listening}
     * adds what only the listeners know.
     */
    public static ConfigValues defaults() {
        return new ConfigValues(0, 6379, "127.0.0.1", MAX_CLIENTS, MemorySettings.defaults(), null, null, MAX_CLIENTS,
                RespSettings.REDIS_MAX_BULK_LENGTH, 10_000, 128, 0, DEFAULT_THRESHOLDS,
                OutputLimits.defaults(RespSettings.OutputBufferLimit.PUBSUB_DEFAULT), JvmMemory.defaultMaxmemoryClients(), 0,
                DEFAULT_QUERY_BUFFER_LIMIT, true, PersistenceSettings.defaults(), ReplicationSettings.defaults(), TlsSettings.NONE,
                0, DEFAULT_BUSY_REPLY_THRESHOLD, Map.of());
    }

    /**
     * These values on the RESP listener at {@code bind}:{@code port} whose shards take {@code maxClientsLimit} clients
     * together: CONFIG's {@code port} (0 when it speaks TLS only, as Redis's) and {@code bind}, and maxclients' ceiling,
     * to which a larger maxclients is lowered (Redis lowers it to what its file descriptors allow).
     */
    public ConfigValues listening(int port, String bind, long maxClientsLimit) {
        Builder b = next();
        b.port = tls.plainPortOf(port);
        b.bind = bind;
        b.maxClientsLimit = maxClientsLimit;
        b.maxClients = Math.min(maxClients, maxClientsLimit);
        return b.build(version);
    }

    /** These values with {@code change} made to them, at the same version: a start's setting, not a CONFIG SET. */
    public ConfigValues with(java.util.function.Consumer<Builder> change) {
        Builder b = next();
        change.accept(b);
        return b.build(version);
    }

    /**
     * The value of parameter {@code name} among those kept by name ({@link #byName}): a {@code Long}, a
     * {@code Boolean} or a {@code String} as its row reads it; null for a name that is none of them.
     */
    public Object value(String name) {
        return byName.get(name);
    }

    /** Redis's {@code databases}: how many numbered databases there are (fixed at start). */
    public int databases() {
        return thresholds.get("databases").intValue();
    }

    /** What all clients together may hold now, in bytes (the percent form follows maxmemory); 0: no such bound. */
    public long clientsBytes() {
        return maxmemoryClientsPercent > 0 ? memory.processBytes() * maxmemoryClientsPercent / 100 : maxmemoryClients;
    }

    /** One shard's part of {@link #clientsBytes()}: each shard bounds its own clients, as with maxmemory. */
    public long clientsBytesPerShard(int shards) {
        long all = clientsBytes();
        return all <= 0 ? 0 : Math.max(1, all / shards);
    }

    /** Whether these values fit this JVM ({@link JvmMemory#check}): null, or the rule they break. */
    public String jvmFit() {
        return JvmMemory.check(memory.processBytes(), clientsBytes(), outputLimits);
    }

    /** When each type leaves its compact form: the thresholds below, as one value a shard installs at once. */
    public io.percore.demo.kv.EncodingLimits encodings() {
        return new io.percore.demo.kv.EncodingLimits(zsetLimits(), hashLimits(), setLimits(), streamLimits(), hllSparseMaxBytes());
    }

    /** The sorted sets' encoding thresholds (zset-max-listpack-entries/-value), which sorted sets follow. */
    public io.percore.demo.kv.ZSetValue.Limits zsetLimits() {
        return new io.percore.demo.kv.ZSetValue.Limits(thresholds.get("zset-max-listpack-entries"), thresholds.get("zset-max-listpack-value"));
    }

    /** Redis's {@code hll-sparse-max-bytes}: past it a HyperLogLog's sparse form becomes dense. */
    private long hllSparseMaxBytes() {
        return thresholds.get("hll-sparse-max-bytes");
    }

    /** The hashes' encoding thresholds (hash-max-listpack-entries/-value), which hashes follow. */
    public io.percore.demo.kv.HashValue.Limits hashLimits() {
        return new io.percore.demo.kv.HashValue.Limits(thresholds.get("hash-max-listpack-entries"), thresholds.get("hash-max-listpack-value"));
    }

    /** The sets' encoding threshold (set-max-intset-entries), which sets of integers follow. */
    public io.percore.demo.kv.SetValue.Limits setLimits() {
        return new io.percore.demo.kv.SetValue.Limits(thresholds.get("set-max-intset-entries"));
    }

    /** How large streams' nodes grow (stream-node-max-entries/-bytes), which XADD follows. */
    private io.percore.demo.kv.StreamValue.Limits streamLimits() {
        return new io.percore.demo.kv.StreamValue.Limits(thresholds.get("stream-node-max-entries"), thresholds.get("stream-node-max-bytes"));
    }

    /** Redis's tracking-table-max-keys: most keys client tracking remembers over all shards (0: no limit). */
    public long trackingTableMaxKeys() {
        return thresholds.get("tracking-table-max-keys");
    }

    /** The password's bytes for a constant-time comparison, or null. */
    public byte[] httpPasswordBytes() {
        return httpPassword == null ? null : httpPassword.getBytes(StandardCharsets.UTF_8);
    }

    /** A builder starting from these values, for the next version. */
    public Builder next() {
        return new Builder(this);
    }

    /** The values CONFIG SET is changing, validated one by one before any is applied. */
    public static final class Builder {
        private final ConfigValues from;
        /** What only the start sets (the listener, TLS): CONFIG SET keeps them. */
        private int port;
        private String bind;
        private long maxClientsLimit;
        private TlsSettings tls;
        public MemorySettings memory;
        public String requirePass;
        public String httpPassword;
        public long maxClients;
        public long protoMaxBulkLen;
        public long slowlogSlowerThan;
        public long slowlogMaxLen;
        public long timeout;
        public final Map<String, Long> thresholds;
        public OutputLimits outputLimits;
        public long maxmemoryClients;
        public int maxmemoryClientsPercent;
        public long queryBufferLimit;
        public boolean protectedMode;
        public PersistenceSettings persistence;
        public ReplicationSettings replication;
        public int notifyKeyspaceEvents;
        public long busyReplyThreshold;
        /** See {@link ConfigValues#byName}. */
        public final Map<String, Object> byName;

        private Builder(ConfigValues from) {
            this.from = from;
            port = from.port;
            bind = from.bind;
            maxClientsLimit = from.maxClientsLimit;
            tls = from.tls;
            memory = from.memory;
            requirePass = from.requirePass;
            httpPassword = from.httpPassword;
            maxClients = from.maxClients;
            protoMaxBulkLen = from.protoMaxBulkLen;
            slowlogSlowerThan = from.slowlogSlowerThan;
            slowlogMaxLen = from.slowlogMaxLen;
            timeout = from.timeout;
            thresholds = new LinkedHashMap<>(from.thresholds);
            outputLimits = from.outputLimits;
            maxmemoryClients = from.maxmemoryClients;
            maxmemoryClientsPercent = from.maxmemoryClientsPercent;
            queryBufferLimit = from.queryBufferLimit;
            protectedMode = from.protectedMode;
            persistence = from.persistence;
            replication = from.replication;
            notifyKeyspaceEvents = from.notifyKeyspaceEvents;
            busyReplyThreshold = from.busyReplyThreshold;
            byName = new LinkedHashMap<>(from.byName);
        }

        public ConfigValues from() {
            return from;
        }

        /** The RESP server's TLS, set at start only (the listener itself is the starter's). */
        public Builder tls(TlsSettings tls) {
            this.tls = tls;
            return this;
        }

        /** Redis's {@code databases}, fixed at start. */
        public Builder databases(int databases) {
            thresholds.put("databases", (long) databases);
            return this;
        }

        public ConfigValues build() {
            return build(from.version + 1);
        }

        /** These values at {@code version} (a start's {@code with...} keeps its version; CONFIG SET's next one is one more). */
        private ConfigValues build(long version) {
            return new ConfigValues(version, port, bind, maxClientsLimit, memory, requirePass, httpPassword,
                    maxClients, protoMaxBulkLen, slowlogSlowerThan, slowlogMaxLen, timeout, thresholds, outputLimits,
                    maxmemoryClients, maxmemoryClientsPercent, queryBufferLimit, protectedMode, persistence, replication, tls,
                    notifyKeyspaceEvents, busyReplyThreshold, byName);
        }
    }
}
