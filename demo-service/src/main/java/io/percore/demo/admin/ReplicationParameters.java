package io.percore.demo.admin;

import static io.percore.demo.admin.ServerParameters.yesNo;

import io.percore.demo.replication.ReplicationSettings;
import io.percore.demo.server.ConfigValues;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The CONFIG table's replication rows (Redis's {@code replication.c} ones): all live, as in Redis;
 * {@code replicaof} itself changes only through REPLICAOF.
 */
final class ReplicationParameters {

    private ReplicationParameters() {
    }

    static List<ConfigParameter<?>> rows() {
        return List.of(
                ConfigParameter.live("replica-read-only", ConfigType.YES_NO, v -> yesNo(v.replication().replicaReadOnly()),
                        (n, on) -> n.replication = n.replication.withReplicaReadOnly(on)).alias("slave-read-only")
                        .setBy("replication.replica-read-only"),
                ConfigParameter.live("replica-serve-stale-data", ConfigType.YES_NO, v -> yesNo(v.replication().serveStaleData()),
                        (n, on) -> n.replication = n.replication.withServeStaleData(on)).alias("slave-serve-stale-data")
                        .setBy("replication.replica-serve-stale-data"),
                ConfigParameter.live("repl-backlog-size", ConfigType.memory(0, Long.MAX_VALUE), v -> Long.toString(v.replication().backlogSize()),
                        (n, bytes) -> n.replication = stream(n.replication, Math.max(bytes, 16 * 1024), -1, -1, -1, -1))
                        .setBy("replication.repl-backlog-size"),
                number("repl-ping-replica-period", 1, ReplicationSettings::pingPeriodSeconds,
                        (r, s) -> stream(r, -1, s, -1, -1, -1)).alias("repl-ping-slave-period").setBy("replication.repl-ping-replica-period"),
                number("repl-timeout", 1, ReplicationSettings::timeoutSeconds, (r, s) -> stream(r, -1, -1, s, -1, -1))
                        .setBy("replication.repl-timeout"),
                number("min-replicas-to-write", 0, ReplicationSettings::minReplicasToWrite, (r, s) -> stream(r, -1, -1, -1, s, -1))
                        .alias("min-slaves-to-write").setBy("replication.min-replicas-to-write"),
                number("min-replicas-max-lag", 0, ReplicationSettings::minReplicasMaxLag, (r, s) -> stream(r, -1, -1, -1, -1, s))
                        .alias("min-slaves-max-lag").setBy("replication.min-replicas-max-lag"),
                ConfigParameter.live("repl-diskless-sync", ConfigType.YES_NO, v -> yesNo(v.replication().disklessSync()),
                        (n, on) -> n.replication = n.replication.withDiskless(on, n.replication.disklessSyncDelay(),
                                n.replication.disklessSyncMaxReplicas())).setBy("replication.repl-diskless-sync"),
                number("repl-diskless-sync-delay", 0, ReplicationSettings::disklessSyncDelay,
                        (r, s) -> r.withDiskless(r.disklessSync(), s, r.disklessSyncMaxReplicas())).setBy("replication.repl-diskless-sync-delay"),
                number("repl-diskless-sync-max-replicas", 0, ReplicationSettings::disklessSyncMaxReplicas,
                        (r, s) -> r.withDiskless(r.disklessSync(), r.disklessSyncDelay(), s)).setBy("replication.repl-diskless-sync-max-replicas"),
                number("shutdown-timeout", 0, ReplicationSettings::shutdownTimeoutSeconds, ReplicationSettings::withShutdownTimeout)
                        .setBy("replication.shutdown-timeout"),
                ConfigParameter.live("masterauth", ConfigType.text("password; empty: none"),
                        v -> v.replication().masterAuth() == null ? "" : v.replication().masterAuth(),
                        (n, value) -> n.replication = n.replication.withMaster(n.replication.masterUser(), value.isEmpty() ? null : value))
                        .markSensitive().setBy("replication.masterauth"),
                ConfigParameter.live("masteruser", ConfigType.text("user name; empty: the default user"),
                        v -> v.replication().masterUser() == null ? "" : v.replication().masterUser(),
                        (n, value) -> n.replication = n.replication.withMaster(value.isEmpty() ? null : value, n.replication.masterAuth()))
                        .setBy("replication.masteruser"),
                // Redis's replicaof: what REPLICAOF set (or the start's), "host port" or empty; changed only by REPLICAOF
                ConfigParameter.unchangeable("replicaof", "host port", ConfigParameter.Change.IMMUTABLE, v -> "")
                        .readFrom(server -> server.replication().primaryAddress()).alias("slaveof")
                        .defaultIs("percore.demo.replication.replicaof (\"\"); REPLICAOF changes it"));
    }

    /** An int setting of the replication's, {@code min} to INT_MAX (seconds or a count). */
    private static ConfigParameter<Long> number(String name, int min, Function<ReplicationSettings, Integer> get,
                                                 BiFunction<ReplicationSettings, Integer, ReplicationSettings> with) {
        Function<ConfigValues, String> text = v -> Integer.toString(get.apply(v.replication()));
        return ConfigParameter.live(name, ConfigType.signed(min, Integer.MAX_VALUE), text,
                (n, value) -> n.replication = with.apply(n.replication, value.intValue()));
    }

    /** {@code r} with the stream's values given (-1: unchanged). */
    private static ReplicationSettings stream(ReplicationSettings r, long backlog, int ping, int timeout, int minReplicas, int maxLag) {
        return r.withStream(backlog >= 0 ? backlog : r.backlogSize(), ping >= 0 ? ping : r.pingPeriodSeconds(),
                timeout >= 0 ? timeout : r.timeoutSeconds(), minReplicas >= 0 ? minReplicas : r.minReplicasToWrite(),
                maxLag >= 0 ? maxLag : r.minReplicasMaxLag());
    }
}
