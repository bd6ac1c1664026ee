package io.percore.demo.shard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;

/**
 * Makes one stream of changes out of every shard's ({@link Change}), as one Redis server would have
 * produced it: what a replica of all shards, or anything else that reads one stream, applies.
 *
 * <p>What it keeps: each shard's order, and each group (a transaction, FLUSHALL) as one atomic
 * block, its parts from every participant put back in the transaction's order ({@link Change#steps})
 * with the participants' FLUSHALL/FLUSHDB said once. A group is released when every participant's
 * part has arrived and is that participant's oldest change not yet released; a shard's later changes
 * wait behind it, other shards' do not. That is a serial order of all changes: groups come from
 * transactions that take their shards' reservations in ascending order, so any two groups sharing
 * shards are ordered the same way on all of them, and changes outside groups touch one shard's keys
 * each. What it does not keep (and one Redis would): the order between changes of different shards
 * that belong to no group, since nothing orders them but the wall clock.
 *
 * <p>Not thread-safe: one reader feeds it every shard's changes, each shard's in the order that
 * shard reported them.
 */
public final class ChangeMerge {

    private final ArrayDeque<Change>[] pending;

    @SuppressWarnings("unchecked")
    public ChangeMerge(int shards) {
        pending = new ArrayDeque[shards];
        for (int i = 0; i < shards; i++) {
            pending[i] = new ArrayDeque<>();
        }
    }

    /**
     * Takes the next change of its shard and returns the blocks it completes, in stream order: each
     * block the commands to apply together (a transaction's in its order), often none, sometimes
     * several (a group that waited releases what queued behind it).
     */
    public List<List<byte[][]>> add(Change change) {
        pending[change.shard()].add(change);
        List<List<byte[][]>> out = new ArrayList<>();
        boolean progress = true;
        while (progress) {
            progress = false;
            for (ArrayDeque<Change> queue : pending) {
                Change head = queue.peek();
                if (head == null) {
                    continue;
                }
                if (!head.grouped()) {
                    queue.poll();
                    if (!head.commands().isEmpty()) {
                        out.add(head.commands());
                    }
                    progress = true;
                } else if (complete(head)) {
                    List<byte[][]> block = merged(head);
                    if (!block.isEmpty()) {
                        out.add(block);
                    }
                    progress = true;
                }
            }
        }
        return out;
    }

    /** Changes received and not yet released (waiting for a group's other parts). */
    public int waiting() {
        int n = 0;
        for (ArrayDeque<Change> queue : pending) {
            n += queue.size();
        }
        return n;
    }

    /** Whether every participant of {@code head}'s group has its part at the head of its queue. */
    private boolean complete(Change head) {
        BitSet parts = head.participants();
        for (int s = parts.nextSetBit(0); s >= 0; s = parts.nextSetBit(s + 1)) {
            Change first = s < pending.length ? pending[s].peek() : null;
            if (first == null || first.group() != head.group()) {
                return false;
            }
        }
        return true;
    }

    /** The group's parts taken off their queues and made one block, in the transaction's order. */
    private List<byte[][]> merged(Change head) {
        record Entry(int step, byte[][] command) {
        }
        List<Entry> entries = new ArrayList<>();
        BitSet parts = head.participants();
        for (int s = parts.nextSetBit(0); s >= 0; s = parts.nextSetBit(s + 1)) {
            Change part = pending[s].poll();
            for (int i = 0; i < part.commands().size(); i++) {
                entries.add(new Entry(part.steps()[i], part.commands().get(i)));
            }
        }
        entries.sort((a, b) -> Integer.compare(a.step(), b.step())); // stable: a shard's commands of one step keep their order
        List<byte[][]> block = new ArrayList<>(entries.size());
        int flushedAtStep = Integer.MIN_VALUE;
        for (Entry e : entries) {
            if (wholeKeyspace(e.command())) {
                if (e.step() == flushedAtStep) {
                    continue; // every participant reports its own keys flushed: one FLUSHALL for them all
                }
                flushedAtStep = e.step();
            }
            block.add(e.command());
        }
        return block;
    }

    private static boolean wholeKeyspace(byte[][] command) {
        return Arrays.equals(command[0], FLUSHALL) || Arrays.equals(command[0], FLUSHDB);
    }

    private static final byte[] FLUSHALL = WritePath.ascii("FLUSHALL");
    private static final byte[] FLUSHDB = WritePath.ascii("FLUSHDB");
}
