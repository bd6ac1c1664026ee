package io.percore.demo.app;

import io.percore.config.ServerConfig;
import io.percore.demo.DemoSettings;
import io.percore.demo.admin.ConfigCommands;
import io.percore.demo.server.ConfigValues;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.persistence.AofSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.persistence.SaveRules;
import io.percore.demo.server.ClientSettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import org.springframework.util.unit.DataSize;
import io.percore.demo.http.HttpSettings;
import io.percore.demo.server.RespSettings;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.beans.BeanWrapper;
import org.springframework.beans.BeanWrapperImpl;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * {@code percore.demo.*}: what only the demo knows, the RESP server's password and protocol limits
 * and the HTTP server's body limit and read timeouts. Where the servers listen and their connection limits are the
 * starter's {@code percore.servers.resp|http.*} ({@link ServerConfig}, validated with every other
 * {@code percore.*} key), so each setting and each default lives in one place. The demo owns this
 * namespace (the starter leaves keys under a prefix of an application's
 * {@code @ConfigurationProperties} bean to it), so unknown keys and bad values are rejected here.
 * The keys that are Redis CONFIG parameters ({@code maxmemory}, {@code persistence.save}, ...) are
 * checked and read by the CONFIG table ({@link ConfigCommands#properties()}): this bean is their
 * {@link Validator}, with CONFIG SET's bounds and reasons; the others by the annotations here.
 */
@ConfigurationProperties(prefix = "percore.demo", ignoreUnknownFields = false)
@Validated
public class DemoProperties implements Validator {

    /** The defaults of the limits below: the RESP server's own. */
    private static final RespSettings RESP_DEFAULTS = RespSettings.defaults();

    @Valid
    private final Resp resp = new Resp();
    @Valid
    private final Http http = new Http();
    @Valid
    private final Persistence persistence = new Persistence();
    @Valid
    private final Replication replication = new Replication();

    public Replication getReplication() {
        return replication;
    }

    private final Cluster cluster = new Cluster();

    public Cluster getCluster() {
        return cluster;
    }

    public Persistence getPersistence() {
        return persistence;
    }

    public Resp getResp() {
        return resp;
    }

    public Http getHttp() {
        return http;
    }

    /**
     * The demo's settings: listeners from the starter's {@code respServer} and {@code httpServer}, limits
     * from here. The keys that are Redis CONFIG parameters are read by the CONFIG table, as CONFIG SET
     * reads them ({@link #configTexts()}): one reading, one set of bounds and error texts, at start and live.
     *
     * @throws IllegalArgumentException naming a key whose value the table refuses
     */
    public DemoSettings toSettings(ServerConfig respServer, ServerConfig httpServer) {
        Map<String, String> texts = configTexts();
        ConfigValues start = ConfigCommands.startValues(startBase(), texts);
        String password = start.requirePass();
        RespSettings respSettings = new RespSettings(password, (int) start.protoMaxBulkLen(), resp.maxArrayLength, resp.maxInlineLength);
        return new DemoSettings(respServer.getBindAddress(), respServer.getPort(), respSettings, respServer.getIdleTimeout(),
                httpServer.getBindAddress(), httpServer.getPort(),
                new HttpSettings(http.maxBodySize, password, http.requestHeaderTimeout, http.bodyReadTimeout),
                httpServer.getIdleTimeout(), respServer.getMaxConnectionsPerShard(), start.memory(),
                new ClientSettings(maxmemoryClients == null ? ClientSettings.DEFAULT : start.maxmemoryClients(), start.protectedMode(),
                        KeyspaceEvents.format(start.notifyKeyspaceEvents())),
                start.persistence(), replication.withReplicaof(start.replication())).withCluster(cluster.toSettings())
                .withRedisConf(redisConf(texts)).withDatabases(start.databases());
    }

    /**
     * What the service reads as redis.conf lines: the parameters that are their CONFIG table row alone
     * (the ACL ones), and a {@code user} line per {@code percore.demo.resp.users} entry, split as Redis splits
     * a configuration line ({@code sdssplitargs}: quotes for a password with spaces).
     *
     * @throws IllegalArgumentException naming an entry with unbalanced quotes
     */
    private java.util.List<java.util.List<String>> redisConf(Map<String, String> texts) {
        java.util.List<java.util.List<String>> lines = new java.util.ArrayList<>(ConfigCommands.keptParameters(texts));
        for (int i = 0; i < resp.users.size(); i++) {
            java.util.List<String> line = new java.util.ArrayList<>();
            line.add("user");
            try {
                for (byte[] word : io.percore.net.resp.InlineCommandSplitter.split(resp.users.get(i).getBytes(StandardCharsets.UTF_8))) {
                    line.add(new String(word, StandardCharsets.ISO_8859_1));
                }
            } catch (io.percore.net.resp.RespProtocolError e) {
                throw new IllegalArgumentException("percore.demo.resp.users[" + i + "]: unbalanced quotes");
            }
            lines.add(line);
        }
        return lines;
    }

    /**
     * The text of each {@code percore.demo.*} key that is a CONFIG parameter (the table's {@code property}
     * column), as CONFIG SET would be given it: sizes in bytes, booleans yes/no, the policy by Redis's name;
     * an unset key is the value its parameter starts with (maxmemory-clients: this JVM's; save: the mode's rules).
     */
    public Map<String, String> configTexts() {
        ConfigValues base = startBase();
        BeanWrapper bean = new BeanWrapperImpl(this);
        Map<String, String> texts = new LinkedHashMap<>();
        for (String key : ConfigCommands.startProperties().keySet()) {
            Object value = bean.getPropertyValue(beanPath(key));
            texts.put(key, value == null ? ConfigCommands.value(base, key) : value instanceof DataSize size ? Long.toString(size.toBytes())
                    : value instanceof Boolean on ? (on ? "yes" : "no")
                    : value instanceof MaxmemoryPolicy policy ? policy.redisName() : value.toString());
        }
        return texts;
    }

    /** The values a server starts with before the keys here are read: the CONFIG table's defaults, the files where this says. */
    private ConfigValues startBase() {
        return ConfigCommands.defaults().withPersistence(persistence.fixedSettings());
    }

    /** {@code percore.demo.replication.repl-timeout} is the bean's {@code replication.replTimeout}. */
    static String beanPath(String key) {
        String[] parts = key.substring("percore.demo.".length()).split("\\.");
        StringBuilder path = new StringBuilder();
        for (String part : parts) {
            if (path.length() > 0) {
                path.append('.');
            }
            String[] words = part.split("-");
            path.append(words[0]);
            for (int i = 1; i < words.length; i++) {
                path.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
            }
        }
        return path.toString();
    }

    @Override
    public boolean supports(Class<?> type) {
        return DemoProperties.class.isAssignableFrom(type);
    }

    /** The keys that are CONFIG parameters, checked by the CONFIG table: the bounds and Redis's text CONFIG SET gives. */
    @Override
    public void validate(Object target, Errors errors) {
        Map<String, String> refused = ConfigCommands.refusals(((DemoProperties) target).configTexts());
        refused.forEach((key, why) -> errors.rejectValue(beanPath(key), "redis-config", why));
    }

    /**
     * Redis 7's maxmemory-clients: what all clients together may hold (replies not read yet, requests
     * not run yet, queued MULTI commands), split evenly over the shards; past it the clients holding
     * the most are closed. Unset: an eighth of the max heap. 0 means no such bound, allowed only when
     * every client class has a hard output limit.
     */
    private DataSize maxmemoryClients;
    /** Redis's protected-mode: without a password, serve only clients connecting over the loopback interface. */
    private boolean protectedMode = true;
    /**
     * Redis's notify-keyspace-events: the keyspace event classes published to subscribers of
     * {@code __keyspace@0__:*} and {@code __keyevent@0__:*}, in Redis's letters (K, E, g, $, l, s, h, z,
     * x, e, t, m, d, n, A); empty: none. CONFIG SET changes it live.
     */
    @NotNull
    private String notifyKeyspaceEvents = "";

    public String getNotifyKeyspaceEvents() {
        return notifyKeyspaceEvents;
    }

    public void setNotifyKeyspaceEvents(String notifyKeyspaceEvents) {
        this.notifyKeyspaceEvents = notifyKeyspaceEvents;
    }

    public DataSize getMaxmemoryClients() {
        return maxmemoryClients;
    }

    public void setMaxmemoryClients(DataSize maxmemoryClients) {
        this.maxmemoryClients = maxmemoryClients;
    }

    public boolean isProtectedMode() {
        return protectedMode;
    }

    public void setProtectedMode(boolean protectedMode) {
        this.protectedMode = protectedMode;
    }

    /**
     * Redis's maxmemory for all shards together (split evenly): 100mb, 2GB, or plain bytes; 0 = half
     * the JVM's max heap.
     */
    @NotNull
    private DataSize maxmemory = DataSize.ofBytes(0);
    /** What a shard does over its budget: noeviction (writes get -OOM) or an eviction policy. */
    @NotNull
    private MaxmemoryPolicy maxmemoryPolicy = MaxmemoryPolicy.NOEVICTION;
    /** Keys sampled per eviction (Redis's maxmemory-samples, 1 to 64). */
    private int maxmemorySamples = 5;

    public DataSize getMaxmemory() {
        return maxmemory;
    }

    public void setMaxmemory(DataSize maxmemory) {
        this.maxmemory = maxmemory;
    }

    public MaxmemoryPolicy getMaxmemoryPolicy() {
        return maxmemoryPolicy;
    }

    public void setMaxmemoryPolicy(MaxmemoryPolicy maxmemoryPolicy) {
        this.maxmemoryPolicy = maxmemoryPolicy;
    }

    public int getMaxmemorySamples() {
        return maxmemorySamples;
    }

    public void setMaxmemorySamples(int maxmemorySamples) {
        this.maxmemorySamples = maxmemorySamples;
    }

    /** The Redis-compatible server ({@code percore.servers.resp} says where it listens). */
    public static class Resp {
        /** Password for AUTH / HELLO AUTH, and for the HTTP server's /kv API (Bearer or Basic); empty means none. */
        private String requirepass;
        /** Largest bulk string a client may send (Redis's proto-max-bulk-len, 1 MB to 2 GB - 1). */
        private int maxBulkLength = RESP_DEFAULTS.maxBulkLength();
        /** Most arguments in one command. */
        @Min(1)
        private int maxArrayLength = RESP_DEFAULTS.maxArrayLength();
        /** Longest inline command line. */
        @Min(1)
        private int maxInlineLength = RESP_DEFAULTS.maxInlineLength();
        /**
         * Redis's aclfile: the users are read from this file at start (a bad line stops the start, naming it),
         * by ACL LOAD, and written by ACL SAVE; unset: no file. Not together with {@code users}.
         */
        private String aclfile;
        /** Redis's acllog-max-len: the most entries the ACL LOG keeps (unset: 128). */
        private Long acllogMaxLen;
        /** Redis's acl-pubsub-default: allchannels or resetchannels, what new users and selectors may do with channels (unset: resetchannels). */
        private String aclPubsubDefault;
        /**
         * Redis's enable-debug-command: who may run DEBUG, {@code no} (unset), {@code yes}, or {@code local} (a client
         * at 127.0.0.1 or ::1); at start only.
         */
        private String enableDebugCommand;

        public String getEnableDebugCommand() {
            return enableDebugCommand;
        }

        public void setEnableDebugCommand(String enableDebugCommand) {
            this.enableDebugCommand = enableDebugCommand;
        }

        /**
         * Users declared at start, each a Redis {@code user} line without the word {@code user}
         * ({@code "app on >secret ~app:* +@all -@dangerous"}); a declaration of {@code default} replaces the
         * default user's rules. Not together with {@code aclfile}.
         */
        private java.util.List<String> users = new java.util.ArrayList<>();

        public String getAclfile() {
            return aclfile;
        }

        public void setAclfile(String aclfile) {
            this.aclfile = aclfile;
        }

        public Long getAcllogMaxLen() {
            return acllogMaxLen;
        }

        public void setAcllogMaxLen(Long acllogMaxLen) {
            this.acllogMaxLen = acllogMaxLen;
        }

        public String getAclPubsubDefault() {
            return aclPubsubDefault;
        }

        public void setAclPubsubDefault(String aclPubsubDefault) {
            this.aclPubsubDefault = aclPubsubDefault;
        }

        public java.util.List<String> getUsers() {
            return users;
        }

        public void setUsers(java.util.List<String> users) {
            this.users = users;
        }

        /** Redis's {@code databases}: how many numbered databases (SELECT 0..n-1), 1 to 2147483647, at start only. */
        private int databases = DemoSettings.DEFAULT_DATABASES;

        public int getDatabases() {
            return databases;
        }

        public void setDatabases(int databases) {
            this.databases = databases;
        }

        public String getRequirepass() {
            return requirepass;
        }

        public void setRequirepass(String requirepass) {
            this.requirepass = requirepass;
        }

        public int getMaxBulkLength() {
            return maxBulkLength;
        }

        public void setMaxBulkLength(int maxBulkLength) {
            this.maxBulkLength = maxBulkLength;
        }

        public int getMaxArrayLength() {
            return maxArrayLength;
        }

        public void setMaxArrayLength(int maxArrayLength) {
            this.maxArrayLength = maxArrayLength;
        }

        public int getMaxInlineLength() {
            return maxInlineLength;
        }

        public void setMaxInlineLength(int maxInlineLength) {
            this.maxInlineLength = maxInlineLength;
        }

    }

    /**
     * Cluster mode (Redis's {@code cluster-enabled}): the service speaks the Redis Cluster protocol
     * and serves the slots a control plane (the operator, or {@code CLUSTER SETLAYOUT}) gives it.
     */
    public static class Cluster {
        /** Whether cluster mode is on. */
        private boolean enabled;
        /** This node's id, 40 lowercase hex characters; unset: the one in nodes.conf, or a new random one. */
        private String nodeId;
        /** The address clients are redirected to for this node; unset: the RESP bind address. */
        private String announceIp;
        /** The port clients are redirected to; 0: the RESP port. */
        private int announcePort;
        /**
         * After the node did not run for this long (frozen, stopped), its layout is served again only once the control plane
         * confirms it (-CLUSTERDOWN meanwhile); 0: never. The operator sets half its failoverAfter.
         */
        private Duration confirmLayoutAfterPause = Duration.ZERO;

        io.percore.demo.cluster.ClusterSettings toSettings() {
            return new io.percore.demo.cluster.ClusterSettings(enabled, Replication.blankToNull(nodeId), Replication.blankToNull(announceIp),
                    announcePort, confirmLayoutAfterPause);
        }

        public Duration getConfirmLayoutAfterPause() {
            return confirmLayoutAfterPause;
        }

        public void setConfirmLayoutAfterPause(Duration confirmLayoutAfterPause) {
            this.confirmLayoutAfterPause = confirmLayoutAfterPause;
        }

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        public String getNodeId() {
            return nodeId;
        }

        public void setNodeId(String nodeId) {
            this.nodeId = nodeId;
        }

        public String getAnnounceIp() {
            return announceIp;
        }

        public void setAnnounceIp(String announceIp) {
            this.announceIp = announceIp;
        }

        public int getAnnouncePort() {
            return announcePort;
        }

        public void setAnnouncePort(int announcePort) {
            this.announcePort = announcePort;
        }
    }

    /**
     * Redis's replication settings: whose replica this service is at start ({@code replicaof}, which
     * the Kubernetes operator sets through {@code PERCORE_REPLICAOF}), how it authenticates there, and
     * what a primary keeps for its replicas.
     */
    public static class Replication {
        /** "host port" of the primary to replicate at start; unset: a primary (REPLICAOF changes it live). */
        private String replicaof;
        /** The user to authenticate as at the primary (Redis's masteruser); unset: the default user. */
        private String masteruser;
        /** The primary's password (Redis's masterauth). */
        private String masterauth;
        /** Refuse writes from clients on a replica with -READONLY (Redis's replica-read-only). */
        private boolean replicaReadOnly = true;
        /** What a primary keeps of its stream for partial resyncs (Redis's repl-backlog-size, at least 16kb). */
        @NotNull
        private DataSize replBacklogSize = DataSize.ofBytes(io.percore.demo.replication.ReplicationSettings.DEFAULT_BACKLOG);
        /** How often a primary writes PING into its stream (Redis's repl-ping-replica-period). */
        private int replPingReplicaPeriod = 10;
        /** A link silent for this long is cut, on both sides (Redis's repl-timeout, seconds). */
        private int replTimeout = 60;
        /** Writes are refused with -NOREPLICAS unless this many replicas are good (Redis's min-replicas-to-write; 0: never). */
        private int minReplicasToWrite;
        /** A replica is good while its last ack is at most this many seconds old (Redis's min-replicas-max-lag). */
        private int minReplicasMaxLag = 10;
        /** A full sync's snapshot goes straight to the replicas' sockets, never through a file (Redis's repl-diskless-sync). */
        private boolean replDisklessSync = true;
        /** Seconds a diskless full sync waits for more replicas to share it (Redis's repl-diskless-sync-delay). */
        private int replDisklessSyncDelay = 5;
        /** A diskless full sync starts before its delay once this many replicas wait (Redis's repl-diskless-sync-max-replicas; 0: only the delay). */
        private int replDisklessSyncMaxReplicas;
        /** Seconds a shutdown waits for the replicas to have every write, writes paused meanwhile (Redis's shutdown-timeout). */
        private int shutdownTimeout = 10;
        /**
         * How long a primary stopping with replicas (SIGTERM), its writes held and its replicas caught up, waits for an
         * operator to promote one of them and demote it ({@code REPLICAOF}) before it closes; once demoted it
         * closes and relays its RESP port to the new primary for {@link io.percore.demo.DemoService#HANDOVER_RELAY}, so that
         * connections a Service still routes to it reach the new primary. 0 (the default): it closes at once.
         */
        @NotNull
        @DurationMax(minutes = 1)
        private Duration shutdownHandover = Duration.ZERO;
        /**
         * A replica whose link to its primary is not up answers from the data it has (Redis's replica-serve-stale-data);
         * false: -MASTERDOWN to every command Redis refuses then (reads included).
         */
        private boolean replicaServeStaleData = true;

        /** {@code live} (the CONFIG table's reading of the keys above) with the primary {@code replicaof} names. */
        io.percore.demo.replication.ReplicationSettings withReplicaof(io.percore.demo.replication.ReplicationSettings live) {
            if (replicaof == null || replicaof.isBlank()) {
                return live;
            }
            String[] parts = replicaof.trim().split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("percore.demo.replication.replicaof=" + replicaof + ": expected \"<host> <port>\"");
            }
            try {
                return live.withReplicaof(parts[0], Integer.parseInt(parts[1]));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("percore.demo.replication.replicaof=" + replicaof + ": the port is not a number");
            }
        }

        private static String blankToNull(String s) {
            return s == null || s.isEmpty() ? null : s;
        }

        public String getReplicaof() {
            return replicaof;
        }

        public void setReplicaof(String replicaof) {
            this.replicaof = replicaof;
        }

        public String getMasteruser() {
            return masteruser;
        }

        public void setMasteruser(String masteruser) {
            this.masteruser = masteruser;
        }

        public String getMasterauth() {
            return masterauth;
        }

        public void setMasterauth(String masterauth) {
            this.masterauth = masterauth;
        }

        public boolean isReplicaReadOnly() {
            return replicaReadOnly;
        }

        public void setReplicaReadOnly(boolean replicaReadOnly) {
            this.replicaReadOnly = replicaReadOnly;
        }

        public DataSize getReplBacklogSize() {
            return replBacklogSize;
        }

        public void setReplBacklogSize(DataSize replBacklogSize) {
            this.replBacklogSize = replBacklogSize;
        }

        public int getReplPingReplicaPeriod() {
            return replPingReplicaPeriod;
        }

        public void setReplPingReplicaPeriod(int replPingReplicaPeriod) {
            this.replPingReplicaPeriod = replPingReplicaPeriod;
        }

        public int getReplTimeout() {
            return replTimeout;
        }

        public void setReplTimeout(int replTimeout) {
            this.replTimeout = replTimeout;
        }

        public int getMinReplicasToWrite() {
            return minReplicasToWrite;
        }

        public void setMinReplicasToWrite(int minReplicasToWrite) {
            this.minReplicasToWrite = minReplicasToWrite;
        }

        public int getMinReplicasMaxLag() {
            return minReplicasMaxLag;
        }

        public void setMinReplicasMaxLag(int minReplicasMaxLag) {
            this.minReplicasMaxLag = minReplicasMaxLag;
        }

        public boolean isReplDisklessSync() {
            return replDisklessSync;
        }

        public void setReplDisklessSync(boolean replDisklessSync) {
            this.replDisklessSync = replDisklessSync;
        }

        public int getReplDisklessSyncDelay() {
            return replDisklessSyncDelay;
        }

        public void setReplDisklessSyncDelay(int replDisklessSyncDelay) {
            this.replDisklessSyncDelay = replDisklessSyncDelay;
        }

        public int getReplDisklessSyncMaxReplicas() {
            return replDisklessSyncMaxReplicas;
        }

        public void setReplDisklessSyncMaxReplicas(int replDisklessSyncMaxReplicas) {
            this.replDisklessSyncMaxReplicas = replDisklessSyncMaxReplicas;
        }

        public int getShutdownTimeout() {
            return shutdownTimeout;
        }

        public Duration getShutdownHandover() {
            return shutdownHandover;
        }

        public void setShutdownHandover(Duration shutdownHandover) {
            this.shutdownHandover = shutdownHandover;
        }

        public void setShutdownTimeout(int shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
        }

        public boolean isReplicaServeStaleData() {
            return replicaServeStaleData;
        }

        public void setReplicaServeStaleData(boolean replicaServeStaleData) {
            this.replicaServeStaleData = replicaServeStaleData;
        }
    }

    /**
     * Where the keyspace is saved and loaded from (Redis's names): a snapshot file in Redis 7.0's RDB
     * format, loaded at start when it is there, written by SAVE, BGSAVE, the save rules and at
     * shutdown when save rules are set.
     */
    public static class Persistence {

        /** What is kept on disk: a Kubernetes operator sets it through {@code PERCORE_PERSISTENCE} (application.yml). */
        public enum Mode {
            /** Nothing unless asked (SAVE, BGSAVE, save rules set here). */
            NONE,
            /** Snapshots: Redis's default save rules unless {@code save} is set, and a final one at shutdown. */
            SNAPSHOT,
            /**
             * The append-only file (Redis 7's multi-part layout in {@code appenddirname}): every write logged and
             * forced to the disk as {@code appendfsync} says; no snapshots unless {@code save} is set.
             */
            AOF
        }

        /** The data directory (Redis's dir); created when missing, must be writable. The operator sets {@code PERCORE_DATA_DIR}. */
        @NotNull
        private String dir = ".";
        @NotNull
        private Mode mode = Mode.NONE;
        /** The snapshot's file name in the data directory (Redis's dbfilename). */
        @NotNull
        private String dbfilename = "dump.rdb";
        /**
         * Redis's save rules, "<seconds> <changes> ..."; empty: no automatic snapshots and no final save at
         * shutdown. Unset: none with mode none, Redis's "3600 1 300 100 60 10000" with mode snapshot.
         */
        private String save;
        /** Refuse writes with -MISCONF while the last background save failed (Redis's stop-writes-on-bgsave-error). */
        private boolean stopWritesOnBgsaveError = true;
        /** How long the final save at shutdown may take; the pod's termination grace period must be longer. */
        @DurationMin(seconds = 1)
        @DurationMax(hours = 24)
        @NotNull
        private Duration finalSaveTimeout = PersistenceSettings.DEFAULT_FINAL_SAVE_TIMEOUT;
        /** With mode aof: when the log is forced to the disk, always, everysec or no (Redis's appendfsync). */
        @NotNull
        private String appendfsync = "everysec";
        /** With mode aof: the directory under dir holding the log's files (Redis's appenddirname). */
        @NotNull
        private String appenddirname = AofSettings.DEFAULT_DIRNAME;
        /** With mode aof: the prefix of the log's file names (Redis's appendfilename). */
        @NotNull
        private String appendfilename = AofSettings.DEFAULT_FILENAME;
        /** Growth in percent over the size after the last rewrite that rewrites the log on its own; 0 never (Redis's auto-aof-rewrite-percentage). */
        private int autoAofRewritePercentage = 100;
        /** No automatic rewrite of a log smaller than this (Redis's auto-aof-rewrite-min-size). */
        @NotNull
        private DataSize autoAofRewriteMinSize = DataSize.ofBytes(AofSettings.DEFAULT_MIN_SIZE);
        /** A last command torn by a crash is dropped (and the file cut there) instead of stopping the start (Redis's aof-load-truncated). */
        private boolean aofLoadTruncated = true;

        /**
         * Where the files are and what the mode makes of them; the CONFIG table puts the rest in (save,
         * appendfsync, the rewrite's thresholds ...), read from the keys above.
         */
        PersistenceSettings fixedSettings() {
            AofSettings aof = new AofSettings(mode == Mode.AOF, AofSettings.Fsync.EVERYSEC, appenddirname, appendfilename, 100,
                    AofSettings.DEFAULT_MIN_SIZE, true);
            return new PersistenceSettings(java.nio.file.Path.of(dir), dbfilename, defaultSaveRules(), true, finalSaveTimeout, aof);
        }

        /** The save rules when {@code save} is unset: Redis's with mode snapshot, none otherwise. */
        SaveRules defaultSaveRules() {
            return mode == Mode.SNAPSHOT ? SaveRules.REDIS_DEFAULT : SaveRules.NONE;
        }

        public String getAppendfsync() {
            return appendfsync;
        }

        public void setAppendfsync(String appendfsync) {
            this.appendfsync = appendfsync;
        }

        public String getAppenddirname() {
            return appenddirname;
        }

        public void setAppenddirname(String appenddirname) {
            new AofSettings(false, AofSettings.Fsync.EVERYSEC, appenddirname, AofSettings.DEFAULT_FILENAME, 100, 0, true);
            this.appenddirname = appenddirname;
        }

        public String getAppendfilename() {
            return appendfilename;
        }

        public void setAppendfilename(String appendfilename) {
            new AofSettings(false, AofSettings.Fsync.EVERYSEC, AofSettings.DEFAULT_DIRNAME, appendfilename, 100, 0, true);
            this.appendfilename = appendfilename;
        }

        public int getAutoAofRewritePercentage() {
            return autoAofRewritePercentage;
        }

        public void setAutoAofRewritePercentage(int autoAofRewritePercentage) {
            this.autoAofRewritePercentage = autoAofRewritePercentage;
        }

        public DataSize getAutoAofRewriteMinSize() {
            return autoAofRewriteMinSize;
        }

        public void setAutoAofRewriteMinSize(DataSize autoAofRewriteMinSize) {
            this.autoAofRewriteMinSize = autoAofRewriteMinSize;
        }

        public boolean isAofLoadTruncated() {
            return aofLoadTruncated;
        }

        public void setAofLoadTruncated(boolean aofLoadTruncated) {
            this.aofLoadTruncated = aofLoadTruncated;
        }

        public Mode getMode() {
            return mode;
        }

        public void setMode(Mode mode) {
            this.mode = mode;
        }

        public String getDir() {
            return dir;
        }

        public void setDir(String dir) {
            this.dir = dir;
        }

        public String getDbfilename() {
            return dbfilename;
        }

        /** @throws IllegalArgumentException for a path instead of a file name */
        public void setDbfilename(String dbfilename) {
            new PersistenceSettings(java.nio.file.Path.of("."), dbfilename, SaveRules.NONE, true, finalSaveTimeout);
            this.dbfilename = dbfilename;
        }

        public String getSave() {
            return save;
        }

        public void setSave(String save) {
            this.save = save;
        }

        public boolean isStopWritesOnBgsaveError() {
            return stopWritesOnBgsaveError;
        }

        public void setStopWritesOnBgsaveError(boolean stopWritesOnBgsaveError) {
            this.stopWritesOnBgsaveError = stopWritesOnBgsaveError;
        }

        public Duration getFinalSaveTimeout() {
            return finalSaveTimeout;
        }

        public void setFinalSaveTimeout(Duration finalSaveTimeout) {
            this.finalSaveTimeout = finalSaveTimeout;
        }
    }

    /** The per-core HTTP server ({@code percore.servers.http} says where it listens). */
    public static class Http {
        /** Largest PUT /kv/{key} body in bytes, declared or chunked; larger gets 413. */
        @Min(1)
        private int maxBodySize = HttpSettings.DEFAULT_MAX_BODY_SIZE;
        /** From a request's first byte to the end of its headers (slow-header clients get 408); at most 1h. */
        @DurationMin(millis = 1)
        @DurationMax(hours = 1)
        private Duration requestHeaderTimeout = HttpSettings.DEFAULT_REQUEST_HEADER_TIMEOUT;
        /** From the end of a request's headers to the end of its body (slow-body clients get 408); at most 1h. */
        @DurationMin(millis = 1)
        @DurationMax(hours = 1)
        private Duration bodyReadTimeout = HttpSettings.DEFAULT_BODY_READ_TIMEOUT;

        public Duration getRequestHeaderTimeout() {
            return requestHeaderTimeout;
        }

        public void setRequestHeaderTimeout(Duration requestHeaderTimeout) {
            this.requestHeaderTimeout = requestHeaderTimeout;
        }

        public Duration getBodyReadTimeout() {
            return bodyReadTimeout;
        }

        public void setBodyReadTimeout(Duration bodyReadTimeout) {
            this.bodyReadTimeout = bodyReadTimeout;
        }

        public int getMaxBodySize() {
            return maxBodySize;
        }

        public void setMaxBodySize(int maxBodySize) {
            this.maxBodySize = maxBodySize;
        }
    }
}
