package io.percore.demo.replication;

/**
 * Redis's replication settings (the {@code percore.demo.replication.*} properties, CONFIG SET).
 *
 * @param replicaofHost          the primary to replicate at start (Redis's {@code replicaof}); null: this is a primary
 * @param replicaofPort          its port
 * @param masterUser             the user to AUTH as at the primary (Redis's {@code masteruser}); null: the default user
 * @param masterAuth             the password for the primary (Redis's {@code masterauth}); null: none
 * @param replicaReadOnly        writes from clients are refused on a replica with {@code -READONLY} (Redis's {@code replica-read-only})
 * @param backlogSize            the backlog kept for partial resyncs, in bytes (Redis's {@code repl-backlog-size})
 * @param pingPeriodSeconds      how often the primary writes PING into the stream (Redis's {@code repl-ping-replica-period})
 * @param timeoutSeconds         a link silent this long is cut (Redis's {@code repl-timeout})
 * @param minReplicasToWrite     writes are refused with {@code -NOREPLICAS} unless this many replicas are good (0: never)
 * @param minReplicasMaxLag      a replica is good while its last ack is at most this many seconds old
 * @param disklessSync           a full sync's snapshot goes straight to the replicas' sockets, never to a file (Redis's
 *                               {@code repl-diskless-sync}, yes by default since Redis 7)
 * @param disklessSyncDelay      seconds a diskless sync waits for more replicas to share it (Redis's {@code repl-diskless-sync-delay})
 * @param disklessSyncMaxReplicas a diskless sync starts before its delay once this many replicas wait (0: only the delay counts)
 * @param shutdownTimeoutSeconds how long a shutdown waits for the replicas to have every write (Redis's {@code shutdown-timeout})
 * @param serveStaleData         a replica whose link is not up answers from the data it has (Redis's
 *                               {@code replica-serve-stale-data}, yes by default); no: {@code -MASTERDOWN} to what Redis refuses then
 */
public record ReplicationSettings(String replicaofHost, int replicaofPort, String masterUser, String masterAuth,
                                  boolean replicaReadOnly, long backlogSize, int pingPeriodSeconds, int timeoutSeconds,
                                  int minReplicasToWrite, int minReplicasMaxLag, boolean disklessSync, int disklessSyncDelay,
                                  int disklessSyncMaxReplicas, int shutdownTimeoutSeconds, boolean serveStaleData) {

    public static final long DEFAULT_BACKLOG = 1L << 20;

    public static ReplicationSettings defaults() {
        return new ReplicationSettings(null, 0, null, null, true, DEFAULT_BACKLOG, 10, 60, 0, 10, true, 5, 0, 10, true);
    }

    public ReplicationSettings {
        if (backlogSize < 16 * 1024) {
            throw new IllegalArgumentException("repl-backlog-size must be at least 16kb, was " + backlogSize);
        }
        if (pingPeriodSeconds < 1 || timeoutSeconds < 1) {
            throw new IllegalArgumentException("repl-ping-replica-period and repl-timeout must be at least 1 second");
        }
        if (minReplicasToWrite < 0 || minReplicasMaxLag < 0) {
            throw new IllegalArgumentException("min-replicas-to-write and min-replicas-max-lag must not be negative");
        }
        if (disklessSyncDelay < 0 || disklessSyncMaxReplicas < 0 || shutdownTimeoutSeconds < 0) {
            throw new IllegalArgumentException(
                    "repl-diskless-sync-delay, repl-diskless-sync-max-replicas and shutdown-timeout must not be negative");
        }
        if (replicaofHost != null && (replicaofPort < 1 || replicaofPort > 65535)) {
            throw new IllegalArgumentException("replicaof needs a port in 1..65535, was " + replicaofPort);
        }
    }

    public ReplicationSettings withReplicaof(String host, int port) {
        return new ReplicationSettings(host, port, masterUser, masterAuth, replicaReadOnly, backlogSize, pingPeriodSeconds,
                timeoutSeconds, minReplicasToWrite, minReplicasMaxLag, disklessSync, disklessSyncDelay, disklessSyncMaxReplicas,
                shutdownTimeoutSeconds, serveStaleData);
    }

    public ReplicationSettings withMaster(String user, String auth) {
        return new ReplicationSettings(replicaofHost, replicaofPort, user, auth, replicaReadOnly, backlogSize, pingPeriodSeconds,
                timeoutSeconds, minReplicasToWrite, minReplicasMaxLag, disklessSync, disklessSyncDelay, disklessSyncMaxReplicas,
                shutdownTimeoutSeconds, serveStaleData);
    }

    public ReplicationSettings withReplicaReadOnly(boolean readOnly) {
        return new ReplicationSettings(replicaofHost, replicaofPort, masterUser, masterAuth, readOnly, backlogSize, pingPeriodSeconds,
                timeoutSeconds, minReplicasToWrite, minReplicasMaxLag, disklessSync, disklessSyncDelay, disklessSyncMaxReplicas,
                shutdownTimeoutSeconds, serveStaleData);
    }

    /** The primary's side: backlog, PING period, timeout (also the replica's), min-replicas. */
    public ReplicationSettings withStream(long backlog, int pingPeriod, int timeout, int minReplicas, int maxLag) {
        return new ReplicationSettings(replicaofHost, replicaofPort, masterUser, masterAuth, replicaReadOnly, backlog, pingPeriod,
                timeout, minReplicas, maxLag, disklessSync, disklessSyncDelay, disklessSyncMaxReplicas, shutdownTimeoutSeconds, serveStaleData);
    }

    public ReplicationSettings withDiskless(boolean diskless, int delaySeconds, int maxReplicas) {
        return new ReplicationSettings(replicaofHost, replicaofPort, masterUser, masterAuth, replicaReadOnly, backlogSize,
                pingPeriodSeconds, timeoutSeconds, minReplicasToWrite, minReplicasMaxLag, diskless, delaySeconds, maxReplicas,
                shutdownTimeoutSeconds, serveStaleData);
    }

    public ReplicationSettings withShutdownTimeout(int seconds) {
        return new ReplicationSettings(replicaofHost, replicaofPort, masterUser, masterAuth, replicaReadOnly, backlogSize,
                pingPeriodSeconds, timeoutSeconds, minReplicasToWrite, minReplicasMaxLag, disklessSync, disklessSyncDelay,
                disklessSyncMaxReplicas, seconds, serveStaleData);
    }

    public ReplicationSettings withServeStaleData(boolean serve) {
        return new ReplicationSettings(replicaofHost, replicaofPort, masterUser, masterAuth, replicaReadOnly, backlogSize,
                pingPeriodSeconds, timeoutSeconds, minReplicasToWrite, minReplicasMaxLag, disklessSync, disklessSyncDelay,
                disklessSyncMaxReplicas, shutdownTimeoutSeconds, serve);
    }
}
