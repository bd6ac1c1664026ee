package io.percore.operator.replication;

import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which replicas are still catching up with their primary's stream: those that do not yet hold what the primary held
 * {@link #WITHIN} ago, by the primary's offsets on the operator's looks. The roll takes a pod away only when no replica is
 * behind ({@link ReplicationPlanner.Input#catchingUp}).
 *
 * <p>A link that is up says nothing of how far behind the replica is: one back from its append-only file continues with a
 * partial resync, and its link is up (master_link_status:up, as Redis's) while it replays what the primary took during
 * its restart. The roll took the other replica away then, and the primary, left with no replica whose acknowledgements were
 * recent enough ({@code min-replicas-max-lag}), refused writes until the first had caught up (ReplicationIT's roll in CI,
 * at load 15: 5.3 s of {@code NOREPLICAS}). Offsets are compared by time, not by a number of bytes: how long a replica
 * takes to replay a backlog depends on its CPU, and the write stream's rate on the clients.
 *
 * <p>One per service, kept by the driver between its looks (at least every second while a roll waits on it); a new
 * operator starts with none, and a replica short of the primary's offset of the first look is behind until the next.
 */
public final class CatchUp {

    /** How far behind the primary's stream (by time) a replica may be when the roll takes the other pods away. */
    public static final Duration WITHIN = Duration.ofSeconds(2);
    static final int MAX_LOOKS = 64;

    private record Look(long nanos, String replid, long offset) {
    }

    private final ArrayDeque<Look> looks = new ArrayDeque<>();

    /**
     * Records where the labelled primary that answers as a master stands at {@code nanos} ({@link System#nanoTime}), and
     * answers which reachable replicas hold less than it held at some look within {@link #WITHIN} before. Without such a
     * primary nothing is judged (an empty set): the planner does not roll without an available primary, and one that
     * Kubernetes calls Ready while the operator cannot reach it is rolled on the links alone, as before.
     */
    public synchronized Set<String> look(long nanos, List<PodState> pods) {
        PodState primary = pods.stream().filter(p -> p.labelledPrimary() && p.reachable() && p.observed().master()).findFirst().orElse(null);
        if (primary == null) {
            return Set.of();
        }
        looks.addLast(new Look(nanos, primary.observed().replid(), primary.observed().offset()));
        while (looks.size() > MAX_LOOKS || nanos - looks.peekFirst().nanos() >= WITHIN.toNanos()) { // only the last WITHIN count
            looks.removeFirst();
        }
        Set<String> behind = new TreeSet<>();
        for (PodState p : pods) {
            if (p != primary && p.reachable() && !p.observed().master() && !holdsRecent(p.observed())) {
                behind.add(p.name());
            }
        }
        return behind;
    }

    /** It holds all the primary held at one of the looks kept (less than {@link #WITHIN} old), in the same history when both say theirs. */
    private boolean holdsRecent(ReplicationPlanner.Observed replica) {
        for (Look l : looks) {
            boolean sameHistory = l.replid() == null || replica.replid() == null || l.replid().equals(replica.replid());
            if (sameHistory && replica.offset() >= l.offset()) {
                return true;
            }
        }
        return false;
    }
}
