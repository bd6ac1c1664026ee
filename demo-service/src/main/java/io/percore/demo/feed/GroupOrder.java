package io.percore.demo.feed;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Puts the shards' reports of changes into one serial order, as one Redis server would have made
 * them: each shard's order kept, and each group (a transaction, a command spanning shards,
 * FLUSHALL) released as one unit once every participant's part has arrived and is that
 * participant's oldest report not yet released. A shard's later reports wait behind its part of
 * a group; other shards' do not. That is a serial order: groups come from transactions that take
 * their shards' reservations in ascending order, so two groups sharing shards are ordered the same
 * way on all of them, and reports outside groups touch one shard's keys each. The order between
 * reports of different shards that belong to no group is not kept (nothing orders them but the
 * wall clock).
 *
 * <p>{@link ChangeMerge} orders {@link Change}s with it; the append-only file orders its encoded
 * records with it. Not thread-safe: one reader feeds it every shard's reports, each shard's in
 * the order that shard made them.
 *
 * @param <P> a report: one shard's change, alone or a part of a group
 */
public final class GroupOrder<P extends GroupOrder.Part> {

    /** What the order needs to know of a report. */
    public interface Part {
        /** The shard that made it. */
        int shard();

        /** 0 when it stands alone; else the group it is a part of. */
        long group();

        /** The shards each reporting a part of {@link #group()} (unused when it is 0). */
        BitSet participants();
    }

    private final ArrayDeque<P>[] pending;

    @SuppressWarnings("unchecked")
    public GroupOrder(int shards) {
        pending = new ArrayDeque[shards];
        for (int i = 0; i < shards; i++) {
            pending[i] = new ArrayDeque<>();
        }
    }

    /**
     * Takes the next report of its shard and returns the units it releases, in order: each unit one
     * report standing alone, or every part of one group (in the participants' order); often none,
     * sometimes several (a group that waited releases what queued behind it).
     */
    public List<List<P>> add(P part) {
        pending[part.shard()].add(part);
        List<List<P>> out = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (ArrayDeque<P> queue : pending) {
                P head = queue.peek();
                if (head == null) {
                    continue;
                }
                if (head.group() == 0) {
                    out.add(List.of(queue.poll()));
                    progress = true;
                } else if (complete(head)) {
                    BitSet parts = head.participants();
                    List<P> unit = new ArrayList<>(parts.cardinality());
                    for (int s = parts.nextSetBit(0); s >= 0; s = parts.nextSetBit(s + 1)) {
                        unit.add(pending[s].poll());
                    }
                    out.add(unit);
                    progress = true;
                }
            }
        }
        return out;
    }

    /** Reports received and not yet released (waiting for a group's other parts). */
    public int waiting() {
        int n = 0;
        for (ArrayDeque<P> queue : pending) {
            n += queue.size();
        }
        return n;
    }

    /** Whether every participant of {@code head}'s group has its part at the head of its queue. */
    private boolean complete(P head) {
        BitSet parts = head.participants();
        for (int s = parts.nextSetBit(0); s >= 0; s = parts.nextSetBit(s + 1)) {
            P first = s < pending.length ? pending[s].peek() : null;
            if (first == null || first.group() != head.group()) {
                return false;
            }
        }
        return true;
    }
}
