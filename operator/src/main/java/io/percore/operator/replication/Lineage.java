package io.percore.operator.replication;

import io.percore.operator.crd.HistoryLink;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import io.percore.operator.replication.ReplicationPlanner.PodState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which replication history continued which, and up to where ({@code status.replication.lineage}): a promoted pod starts a
 * new replication id, and what it holds of the one before ends where it was promoted (Redis's {@code master_replid2} and
 * {@code second_repl_offset}). Offsets of two histories compare only along that line: a pod of an older history holds of
 * the recorded one no more than where the line left its history, whatever its own offset. Ranked by its own, a replica
 * frozen with writes its primary took alone (offset 4 of history A, never acknowledged) went before a pod of a history
 * that had left A at 2 and held an acknowledged write at 3: every pod restarted at once, back from their files each in the
 * history it had last stood in, and the failover lost the write (ReplicationPlannerPropertyTest, seed 7097490).
 *
 * <p>Pure, as {@link ReplicationPlanner}, which ranks with it; the driver keeps it in the status. Bounded: the oldest links
 * are forgotten first, and a pod of a history older than those ranks as one of a history nothing records (as before).
 */
public record Lineage(List<Link> links) {

    /** Links kept: each failover adds one, and a pod is seldom more than a few behind. */
    public static final int KEPT = 16;
    public static final Lineage NONE = new Lineage(List.of());

    /** {@code history} continued {@code from} up to offset {@code at}: it holds {@code from}'s stream below {@code at}, then its own. */
    public record Link(String history, String from, long at) {
    }

    /** A status's lineage (the replicated service's or a cluster's) as the planners take it; a link missing a field is left out. */
    public static Lineage of(List<HistoryLink> recorded) {
        if (recorded == null) {
            return NONE;
        }
        return new Lineage(recorded.stream().filter(l -> l != null && l.getHistory() != null && l.getFrom() != null && l.getAt() != null)
                .map(l -> new Link(l.getHistory(), l.getFrom(), l.getAt())).toList());
    }

    /** As a status records it. */
    public List<HistoryLink> recorded() {
        return links.stream().map(l -> new HistoryLink(l.history(), l.from(), l.at())).toList();
    }

    public Lineage {
        links = links == null ? List.of() : List.copyOf(links.size() > KEPT ? links.subList(links.size() - KEPT, links.size()) : links);
    }

    /**
     * How much of the line that leads to {@code history} a pod holds at {@code offset} of {@code in}: the offset itself in
     * {@code history}; when {@code in} is an older history on that line, at most where the line left it; when {@code in}
     * branched off the line (a sibling: two promotions out of one history), at most where either left the history they share.
     * -1 when no kept link joins {@code in} to the line.
     */
    public long heldOf(String history, String in, long offset) {
        if (history == null || in == null) {
            return -1;
        }
        java.util.Map<String, Long> line = new java.util.HashMap<>(); // each history on the line: how much of the line it holds
        long bound = Long.MAX_VALUE;
        for (String at = history; at != null && !line.containsKey(at); ) {
            line.put(at, bound);
            Link link = linkOf(at);
            if (link == null) {
                break;
            }
            bound = Math.min(bound, link.at());
            at = link.from();
        }
        long held = offset;
        Set<String> walked = new HashSet<>();
        for (String at = in; at != null && walked.add(at); ) {
            Long onLine = line.get(at);
            if (onLine != null) {
                return Math.min(held, onLine);
            }
            Link link = linkOf(at);
            if (link == null) {
                return -1;
            }
            held = Math.min(held, link.at());
            at = link.from();
        }
        return -1;
    }

    /**
     * Whether a kept link continues {@code history} into another: a promotion out of it that the status has not taken as
     * its history, which a pod last seen in {@code history} may have followed and written in since.
     */
    public boolean continuedPast(String history) {
        return history == null || links.stream().anyMatch(l -> l.from().equals(history) && !l.history().equals(history));
    }

    /** Whether {@code history} went on from {@code older}: a kept link from one to the other, or a chain of them. */
    public boolean wentOnFrom(String history, String older) {
        Set<String> walked = new HashSet<>();
        for (Link l = linkOf(history); l != null && walked.add(l.history()); l = linkOf(l.from())) {
            if (l.from().equals(older)) {
                return true;
            }
        }
        return false;
    }

    /**
     * With what the pods that answer say of where their history left the one before: a promoted pod says exactly where; a
     * replica that continued into a new history through a partial resync says where it stood then, no further than that (a
     * lower bound), so the furthest said is kept. A history recorded with another origin keeps its first.
     */
    public Lineage with(List<PodState> pods) {
        Lineage next = this;
        for (PodState p : pods) {
            if (p.reachable()) {
                next = next.with(p.observed());
            }
        }
        return next;
    }

    /** With what one pod says ({@link #with(List)}). */
    public Lineage with(Observed o) {
        if (o == null || o.replid() == null || o.replid2() == null || o.secondOffset() <= 0 || o.replid().equals(o.replid2())) {
            return this;
        }
        Link said = new Link(o.replid(), o.replid2(), o.secondOffset() - 1);
        Link known = linkOf(said.history());
        if (known != null && (!known.from().equals(said.from()) || known.at() >= said.at())) {
            return this;
        }
        List<Link> next = new ArrayList<>(links);
        next.remove(known);
        next.add(said);
        return new Lineage(next);
    }

    private Link linkOf(String history) {
        for (Link l : links) {
            if (l.history().equals(history)) {
                return l;
            }
        }
        return null;
    }
}
