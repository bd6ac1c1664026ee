package io.percore.demo.replication;

import io.percore.demo.persistence.InfoLines;
import java.util.ArrayList;
import java.util.List;

/**
 * What INFO replication and ROLE say of this server, as Redis 7.0 writes them (its server.c and replication.c's
 * {@code roleCommand}), and why a replica should not be sent reads (its readiness), rendered from one {@link Moment} of the replication's state that {@link Replication} takes: the
 * rendering reads nothing back from its owner.
 */
final class ReplicationReport {

    /**
     * The replication's state at one moment.
     * @param role this server's role, with where a replica's link stands
     * @param link the link to the primary, null when there is none (its offsets, its connection, its failures)
     * @param replicas the replicas' links as they were
     * @param goodReplicas those that acknowledged within min-replicas-max-lag ({@code min_slaves_good_slaves})
     * @param backlogActive whether the stream is kept (a primary with feeds attached, or a replica)
     * @param streamStart the first offset the buffer holds
     * @param streamEnd the stream's end ({@code master_repl_offset} of a primary)
     */
    record Moment(ReplicationRole role, ReplicationSettings settings, PrimaryLink link, List<ReplicaLink> replicas, int goodReplicas,
                  ReplicationIds ids, boolean backlogActive, long streamStart, long streamEnd) {
    }

    private ReplicationReport() {
    }

    /** INFO replication's fields. */
    static void info(Moment m, InfoLines out) {
        ReplicationSettings s = m.settings();
        PrimaryLink l = m.link();
        boolean replica = m.role().replica();
        out.line("role", replica ? "slave" : "master");
        if (replica) {
            out.line("master_host", m.role().primaryHost());
            out.line("master_port", m.role().primaryPort());
            if (l != null) {
                l.info(out, m.role().link());
            } else {
                out.line("master_link_status", "down");
            }
            out.line("slave_priority", 100);
            out.line("slave_read_only", s.replicaReadOnly() ? 1 : 0);
            out.line("replica_announced", 1);
        }
        List<ReplicaLink> now = m.replicas();
        out.line("connected_slaves", now.size());
        if (!replica && s.minReplicasToWrite() > 0) {
            out.line("min_slaves_good_slaves", m.goodReplicas());
        }
        long nowMillis = System.currentTimeMillis();
        for (int i = 0; i < now.size(); i++) {
            ReplicaLink r = now.get(i);
            out.line("slave" + i, "ip=" + r.ip() + ",port=" + r.listeningPort() + ",state=" + r.state().text + ",offset="
                    + Math.max(0, r.ackOffset()) + ",lag=" + (nowMillis - r.ackMillis()) / 1000);
        }
        out.line("master_failover_state", "no-failover");
        ReplicationIds history = m.ids();
        long end = m.streamEnd();
        out.line("master_replid", history.replid());
        out.line("master_replid2", history.replid2());
        out.line("master_repl_offset", replica && l != null ? l.offset() : end);
        out.line("second_repl_offset", history.secondReplidOffset());
        boolean active = m.backlogActive();
        long histlen = Math.min(end - m.streamStart(), s.backlogSize()); // the rest is held for replicas behind it, as Redis's buffers
        out.line("repl_backlog_active", active ? 1 : 0);
        out.line("repl_backlog_size", s.backlogSize());
        out.line("repl_backlog_first_byte_offset", active ? end - histlen + 1 : 0);
        out.line("repl_backlog_histlen", active ? histlen : 0);
    }

    /** ROLE's reply, as plain values (the command encodes them). */
    static List<Object> role(Moment m) {
        List<Object> out = new ArrayList<>();
        if (m.role().replica()) {
            PrimaryLink l = m.link();
            out.add("slave");
            out.add(m.role().primaryHost());
            out.add((long) m.role().primaryPort());
            out.add(m.role().link().text());
            out.add(l != null ? l.offset() : -1L);
            return out;
        }
        out.add("master");
        out.add(m.streamEnd());
        List<Object> replicas = new ArrayList<>();
        for (ReplicaLink r : m.replicas()) {
            replicas.add(List.of(r.ip(), Long.toString(r.listeningPort()), Long.toString(Math.max(0, r.ackOffset()))));
        }
        out.add(replicas);
        return out;
    }

    /** Why a replica should not be sent reads now ({@link Replication#unservedBecause}), or null when its link streams. */
    static String unservedBecause(Moment m) {
        PrimaryLink l = m.link();
        String primary = m.role().primaryHost() + ":" + m.role().primaryPort();
        if (l == null) {
            return "a replica of " + primary + " whose link is not started";
        }
        if (m.role().streaming()) {
            return null;
        }
        if (m.role().syncing()) {
            return "a replica loading a full sync from " + primary + " (master_sync_in_progress:1)";
        }
        LinkFailures.Run failing = l.failures();
        return "a replica whose link to " + primary + " is down (" + m.role().link().text() + ")"
                + (failing == null ? "" : ": " + failing.reason());
    }
}
