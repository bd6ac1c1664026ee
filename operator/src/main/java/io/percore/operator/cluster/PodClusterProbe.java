package io.percore.operator.cluster;

import io.percore.operator.cluster.ClusterPlanner.Observed;
import io.percore.operator.cluster.ClusterPlanner.Progress;
import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PodReplicationProbe.ProbeException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The operator's cluster conversation with a pod, over {@link PodReplicationProbe}'s bounded RESP
 * calls: {@code CLUSTER MYID}, {@code INFO server} (its {@code shards}), {@code CLUSTER GETLAYOUT}, {@code CLUSTER INFO}
 * (whether it serves that layout),
 * {@code CLUSTER MIGRATIONS}, {@code DBSIZE} (keys held before any layout) and {@code CLUSTER HELDSLOTS} (their slots),
 * {@code INFO replication} (with replicas),
 * {@code CLUSTER SETLAYOUT} and {@code REPLICAOF},
 * each after {@code AUTH} when the pods have a password ({@link PodAuth}: the operator's user, else the pods' password): a refusal is an
 * {@link io.percore.operator.replication.PodReplicationProbe.AuthRefusedException} carrying the pod's reply.
 * A pod is not trusted: every answer is
 * checked for the shape the service's contract gives, and a layout reply is bounded at
 * {@link #MAX_LAYOUT_BYTES}.
 */
public class PodClusterProbe {

    /** A layout of 1,000 nodes with every slot its own range is about 150 KiB. */
    public static final int MAX_LAYOUT_BYTES = 1 << 20;
    private static final int MAX_SMALL_REPLY_BYTES = 64 * 1024;

    private final PodReplicationProbe resp;

    public PodClusterProbe() {
        this(new PodReplicationProbe());
    }

    public PodClusterProbe(PodReplicationProbe resp) {
        this.resp = resp;
    }

    /** What the pod holds now. */
    public Observed observe(HostPort pod, PodAuth auth) throws IOException {
        return observe(pod, auth, false);
    }

    /** What the pod holds now, and with {@code replication} its role and offset ({@code INFO replication}). */
    public Observed observe(HostPort pod, PodAuth auth, boolean replication) throws IOException {
        Object id = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, "CLUSTER", "MYID");
        if (!(id instanceof String nodeId) || !nodeId.matches("[0-9a-f]{40}")) {
            throw new ProbeException("CLUSTER MYID: not a node id");
        }
        Object info = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, "INFO", "server");
        int shards = shards(info);
        Object layout = resp.command(pod, auth, MAX_LAYOUT_BYTES, "CLUSTER", "GETLAYOUT");
        if (!(layout instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof Long epoch)
                || !(pair.get(1) instanceof String text) || epoch < 0) {
            throw new ProbeException("CLUSTER GETLAYOUT: not [epoch, text]");
        }
        Layout held;
        try {
            held = Layout.parse(epoch, text);
        } catch (IllegalArgumentException e) {
            throw new ProbeException("CLUSTER GETLAYOUT: " + e.getMessage());
        }
        Object migrations = resp.command(pod, auth, MAX_LAYOUT_BYTES, "CLUSTER", "MIGRATIONS");
        Object keys = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, "DBSIZE");
        if (!(keys instanceof Long count) || count < 0) {
            throw new ProbeException("DBSIZE: not a count");
        }
        BitSet heldSlots = held.epoch() == 0 && count > 0 ? heldSlots(pod, auth) : null;
        // asked only of a pod holding a whole layout: one without does not serve its keys anyway, nor is it left by clients
        boolean confirmed = true;
        ClusterPlanner.Unused unused = null;
        if (held.assignedSlots() == SlotPlanner.SLOTS) {
            Object clusterInfo = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, "CLUSTER", "INFO");
            confirmed = !clusterStateFail(clusterInfo);
            unused = unused(clusterInfo);
        }
        return new Observed(nodeId, shards, count, held, migrations(migrations), replication ? resp.info(pod, auth) : null, heldSlots,
                confirmed, unused);
    }

    /**
     * {@code CLUSTER INFO}'s {@code cluster_slotless_ms} and {@code cluster_moved_ago_ms}; null from an image that does not
     * report them (its node leaves the layout as soon as it owns nothing, as before).
     */
    static ClusterPlanner.Unused unused(Object info) throws ProbeException {
        Long slotless = null;
        Long movedAgo = null;
        if (info instanceof String text) {
            for (String line : text.split("\r?\n")) {
                if (line.startsWith("cluster_slotless_ms:")) {
                    slotless = millis(line);
                } else if (line.startsWith("cluster_moved_ago_ms:")) {
                    movedAgo = millis(line);
                }
            }
        }
        return slotless == null || movedAgo == null ? null : new ClusterPlanner.Unused(slotless, movedAgo);
    }

    private static long millis(String line) throws ProbeException {
        try {
            long ms = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
            if (ms >= -1) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new ProbeException("CLUSTER INFO: " + line.substring(0, line.indexOf(':')) + " is not a count of milliseconds");
    }

    /**
     * {@code CLUSTER INFO}'s {@code cluster_state}: {@code fail} with every slot assigned is a layout read back from the
     * pod's files at a start, which it serves once it is sent again.
     */
    private static boolean clusterStateFail(Object info) throws ProbeException {
        if (info instanceof String text) {
            for (String line : text.split("\r?\n")) {
                if (line.startsWith("cluster_state:")) {
                    return line.substring("cluster_state:".length()).trim().equals("fail");
                }
            }
        }
        throw new ProbeException("CLUSTER INFO without cluster_state");
    }

    /**
     * {@code CLUSTER HELDSLOTS}: the slots of the keys a pod holds before any layout (a pod restored from a cluster's
     * backup holds its group's); null when the pod does not know the command (an older image: its keys' slots stay
     * unknown, and keys on several pods are refused as before).
     */
    private BitSet heldSlots(HostPort pod, PodAuth auth) throws IOException {
        Object reply;
        try {
            reply = resp.command(pod, auth, MAX_LAYOUT_BYTES, "CLUSTER", "HELDSLOTS");
        } catch (PodReplicationProbe.ErrorReplyException e) {
            if (e.getMessage().contains("unknown subcommand")) {
                return null;
            }
            throw e; // -LOADING and the like: the pod is asked again at the next look
        }
        if (!(reply instanceof String ranges)) {
            throw new ProbeException("CLUSTER HELDSLOTS: not a bulk string");
        }
        try {
            return ranges.isEmpty() ? new BitSet() : Layout.parseRanges(ranges);
        } catch (IllegalArgumentException e) {
            throw new ProbeException("CLUSTER HELDSLOTS: " + e.getMessage());
        }
    }

    /** {@code REPLICAOF NO ONE}: a replica made the primary of its group keeps its data. */
    public void promote(HostPort pod, PodAuth auth) throws IOException {
        resp.promote(pod, auth);
    }

    /** {@code CLIENT PAUSE <ms> WRITE}: a switchover's old primary holds its writes (see {@link PodReplicationProbe#pauseWrites}). */
    public void pauseWrites(HostPort pod, PodAuth auth, java.time.Duration forAtMost) throws IOException {
        resp.pauseWrites(pod, auth, forAtMost);
    }

    /** {@code CLIENT UNPAUSE}: once the new layout is sent, the held writes run into it (a {@code -MOVED} to the new primary). */
    public void unpauseWrites(HostPort pod, PodAuth auth) throws IOException {
        resp.unpauseWrites(pod, auth);
    }

    /** A switchover's wait: until {@code replica} has the offset {@code primary} has now (bounded by {@code within}). */
    public void awaitOffset(HostPort primary, HostPort replica, String replicaName, PodAuth auth, java.time.Duration within)
            throws IOException {
        resp.awaitOffset(primary, replica, replicaName, auth, within);
    }

    /** {@code REPLICAOF <primary>}: the pod replaces its data with a copy of the primary's. */
    public void replicaOf(HostPort pod, PodAuth auth, HostPort primary) throws IOException {
        resp.replicaOf(pod, auth, primary);
    }

    /** {@code CLUSTER SETLAYOUT <epoch> <text>}; an error reply (a stale epoch, a refused layout) is thrown. */
    public void setLayout(HostPort pod, PodAuth auth, Layout layout) throws IOException {
        Object reply = resp.command(pod, auth, MAX_SMALL_REPLY_BYTES, "CLUSTER", "SETLAYOUT", Long.toString(layout.epoch()), layout.text());
        if (!"OK".equals(reply)) {
            throw new ProbeException("CLUSTER SETLAYOUT: unexpected reply");
        }
    }

    static int shards(Object info) throws ProbeException {
        if (info instanceof String text) {
            for (String line : text.split("\r?\n")) {
                if (line.startsWith("shards:")) {
                    try {
                        int n = Integer.parseInt(line.substring(7).trim());
                        if (n >= 1) {
                            return n;
                        }
                    } catch (NumberFormatException e) {
                        // below
                    }
                }
            }
        }
        throw new ProbeException("INFO server without shards:<n>");
    }

    /** [[target, ranges, moved, left, state], ...]. */
    static List<Progress> migrations(Object reply) throws ProbeException {
        if (!(reply instanceof List<?> entries)) {
            throw new ProbeException("CLUSTER MIGRATIONS: not an array");
        }
        List<Progress> out = new ArrayList<>();
        for (Object e : entries) {
            if (!(e instanceof List<?> f) || f.size() != 5 || !(f.get(0) instanceof String to) || !(f.get(1) instanceof String ranges)
                    || !(f.get(2) instanceof Long moved) || !(f.get(3) instanceof Long left) || !(f.get(4) instanceof String state)) {
                throw new ProbeException("CLUSTER MIGRATIONS: an entry is not [target, ranges, moved, left, state]");
            }
            try {
                out.add(new Progress(to, ranges.isEmpty() ? new java.util.BitSet() : Layout.parseRanges(ranges), moved, left, state));
            } catch (IllegalArgumentException ex) {
                throw new ProbeException("CLUSTER MIGRATIONS: " + ex.getMessage());
            }
        }
        return out;
    }
}
