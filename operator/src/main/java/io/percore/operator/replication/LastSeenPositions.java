package io.percore.operator.replication;

import io.percore.operator.replication.ReplicationPlanner.Input;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where each pod was last seen in a replication history ({@code status.replication.positions}): what a look records, what
 * the status keeps of it, and which pod a failover places there (one back from an append-only file that says no offset:
 * killed in the middle of writes, its file ends in commands after its last position line), or at that line when it holds
 * more of the recorded line (the demo's {@code loaded_repl_*}).
 * Pure, as {@link ReplicationPlanner}, which ranks with it.
 */
public final class LastSeenPositions {

    private LastSeenPositions() {
    }

    /**
     * Where a pod was last seen in a history: its {@code master_replid} and offset the last time it answered with one (the
     * status's {@code replication.positions}). A process restarted from an append-only file says neither (the file keeps the
     * writes, not where they stood), and ranked at offset 0 in a history of its own it went behind a replica that had lagged
     * or been cut off through a failover, whose full sync then dropped the writes the restarted pod had acknowledged
     * (ReplicationPlannerPropertyTest, seed 1571): its files hold at least what it held when last seen, so it is ranked there.
     */
    public record Position(String replid, long offset) {
    }

    /**
     * The positions to record after a look: each pod that answered with a history and an offset, where it stands now; the
     * others as they were last seen. A pod answering with none (restarted from an append-only file, not linked since) keeps
     * its last: what its files hold. A replica linked at offset 0 stands at the start of its primary's history: recorded
     * too, so that one cut off from the operator right after (while it took writes the operator never saw it hold) and back
     * from a file that says no offset is placed in that history, among the others back from theirs, and ranked by what its
     * files hold; never seen at an offset, it went behind one last seen a write further that held less
     * (ReplicationPlannerPropertyTest, seed 8005346).
     */
    public static Map<String, Position> positions(List<PodState> pods, Map<String, Position> before) {
        Map<String, Position> next = new TreeMap<>(before == null ? Map.of() : before);
        for (PodState p : pods) {
            if (p.reachable() && p.observed().replid() != null && (p.observed().offset() > 0 || linkedAtTheStart(p))) {
                next.put(p.name(), new Position(p.observed().replid(), p.observed().offset()));
            }
        }
        return next;
    }

    /** Linked at offset 0: a position (its primary's history is empty), unlike a process back from its file with none. */
    private static boolean linkedAtTheStart(PodState p) {
        return !p.observed().master() && p.observed().linkUp() && p.observed().offset() == 0;
    }

    /**
     * What the status keeps of {@code seen} (the positions after a look), given what it holds ({@code recorded}): the same
     * record while both put every pod at one history and one offset, else {@code seen}. Pods seen in step again moved
     * together (the primary's PING and GETACK each second with min-replicas-to-write, or writes every pod took), so the
     * record written when they were first seen in step tells no more or less of who holds what: an idle service's status
     * is not written again on every look (each a write of the API server and of etcd, and an event to every watch). The
     * operator plans with the fresher positions it keeps in memory ({@code ReplicationDriver}); only one started since
     * plans with the record, which still places every pod at or below where its files stand.
     */
    public static Map<String, Position> record(Map<String, Position> recorded, Map<String, Position> seen) {
        if (recorded != null && inStep(recorded) && inStep(seen) && recorded.keySet().equals(seen.keySet())
                && recorded.values().iterator().next().replid().equals(seen.values().iterator().next().replid())) {
            return recorded;
        }
        return seen;
    }

    /** Every pod at one history and one offset: none holds anything another lacks. */
    private static boolean inStep(Map<String, Position> positions) {
        return !positions.isEmpty() && positions.values().stream().distinct().count() == 1;
    }

    /**
     * {@code in} with each pod {@link #placedBackFromItsLog} answering at its last seen position, or where the files it loaded
     * say it holds at least when that holds more of the line ({@link #placeOf}): what a failover ranks.
     */
    static Input placed(Input in) {
        if (in.pods().stream().noneMatch(p -> placedBackFromItsLog(p, in.lastSeen()))) {
            return in;
        }
        List<PodState> pods = in.pods().stream().map(p -> {
            if (!placedBackFromItsLog(p, in.lastSeen())) {
                return p;
            }
            Position at = placeOf(in.lastSeen().get(p.name()), p.observed().loaded(), in.history(), in.lineage());
            Observed o = p.observed();
            Observed seen = new Observed(o.master(), at.offset(), o.following(), o.linkUp(), o.keys(), at.replid(), null, -1, null);
            return new PodState(p.name(), p.ordinal(), p.ready(), p.terminating(), p.labelledPrimary(), p.updated(), p.address(), seen,
                    p.lost(), p.labelledPromoting(), p.history(), p.starting());
        }).toList();
        return new Input(pods, in.wantedPods(), in.failoverAfter(), in.lastPrimary(), in.unavailableSince(), in.now(), in.primaryService(),
                in.bootstrapOn(), in.keepsFiles(), in.history(), in.promoting(), in.promotingFrom(), in.lastSeen(), in.catchingUp(), in.lineage());
    }

    /** The pods {@link #placed} places (where they were last seen, or where their logs say), by name. */
    static List<String> placedNames(Input in) {
        return in.pods().stream().filter(p -> placedBackFromItsLog(p, in.lastSeen())).map(PodState::name).toList();
    }

    /** How a failover's message says {@code pod} was placed: where it was last seen, or where its log says; "" when it was not. */
    static String placedHow(String pod, Input in) {
        PodState p = in.pods().stream().filter(q -> q.name().equals(pod)).findFirst().orElse(null);
        if (p == null || !placedBackFromItsLog(p, in.lastSeen())) {
            return "";
        }
        Position seen = in.lastSeen().get(pod);
        return placeOf(seen, p.observed().loaded(), in.history(), in.lineage()) == seen ? " (back from its files: where it was last seen)"
                : " (back from its files: where its log says it stood at least)";
    }

    /**
     * A replica that says it holds keys at offset 0 and is not linked came back from an append-only file: placed where it
     * was last seen, or where its files say it holds at least, if either is known.
     */
    static boolean placedBackFromItsLog(PodState p, Map<String, Position> lastSeen) {
        Observed o = p.observed();
        return o != null && !o.master() && !o.linkUp() && o.offset() == 0 && o.keys() > 0
                && (lastSeen.containsKey(p.name()) || o.loaded() != null);
    }

    /**
     * Where a pod back from a log that says no offset is ranked: where it was last seen ({@code seen}) or the position its
     * log named last ({@code loaded}), both lower bounds of what its files hold, whichever holds more of the recorded
     * history's line ({@link Lineage#heldOf}). Where it was last seen is seconds old: writes or a history taken since are in
     * its log, and its annotation says so; ranked at the look, or at 0 when never seen, it went behind a pod that held
     * less (ReplicationPlannerPropertyTest, seeds 1068139: seen empty at the start of an older history, then synced from
     * the recorded primary and written to; 9013791: never seen; 9005675: last seen in a history no link joins to the
     * recorded one, its log in the recorded one). Alike on the line, or neither on it: the higher offset in one history;
     * the log's when its history went on from the one it was last seen in; else where it was last seen, as before.
     */
    static Position placeOf(Position seen, Position loaded, String history, Lineage lineage) {
        if (loaded == null || seen == null) {
            return seen == null ? loaded : seen;
        }
        long seenHeld = lineage.heldOf(history, seen.replid(), seen.offset());
        long loadedHeld = lineage.heldOf(history, loaded.replid(), loaded.offset());
        if (seenHeld != loadedHeld) {
            return loadedHeld > seenHeld ? loaded : seen;
        }
        if (seen.replid().equals(loaded.replid())) {
            return loaded.offset() > seen.offset() ? loaded : seen;
        }
        return lineage.wentOnFrom(loaded.replid(), seen.replid()) ? loaded : seen;
    }
}
