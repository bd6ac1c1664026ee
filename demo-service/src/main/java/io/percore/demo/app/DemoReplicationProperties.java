package io.percore.demo.app;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.springframework.util.unit.DataSize;

/**
 * Redis's replication settings: whose replica this service is at start ({@code replicaof}, which
 * the Kubernetes operator sets through {@code PERCORE_REPLICAOF}), how it authenticates there, and
 * what a primary keeps for its replicas.
 */
public class DemoReplicationProperties {
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

    static String blankToNull(String s) {
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
