package io.percore.demo.feed;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes one stream of changes out of every shard's ({@link Change}), as one Redis server would have
 * produced it: what a replica of all shards, or anything else that reads one stream, applies. The
 * order is {@link GroupOrder}'s; a group's parts are put back into one block in the transaction's
 * order ({@link Change#steps}), with the participants' FLUSHALL/FLUSHDB said once.
 *
 * <p>Not thread-safe: one reader feeds it every shard's changes, each shard's in the order that
 * shard reported them.
 */
public final class ChangeMerge {

    private final GroupOrder<Change> order;

    public ChangeMerge(int shards) {
        order = new GroupOrder<>(shards);
    }

    /**
     * Takes the next change of its shard and returns the blocks it completes, in stream order: each
     * block the commands to apply together (a transaction's in its order), often none, sometimes
     * several (a group that waited releases what queued behind it).
     */
    public List<List<byte[][]>> add(Change change) {
        List<List<byte[][]>> out = new ArrayList<>();
        for (List<Change> unit : order.add(change)) {
            List<byte[][]> block = unit.get(0).grouped() ? merged(unit) : unit.get(0).commands();
            if (!block.isEmpty()) {
                out.add(block);
            }
        }
        return out;
    }

    /** Changes received and not yet released (waiting for a group's other parts). */
    public int waiting() {
        return order.waiting();
    }

    /** A group's parts (every participant's, see {@link GroupOrder}) made one block, in the transaction's order. */
    public static List<byte[][]> merged(List<Change> parts) {
        record Entry(int step, byte[][] command) {
        }
        List<Entry> entries = new ArrayList<>();
        for (Change part : parts) {
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

    private static final byte[] FLUSHALL = "FLUSHALL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLUSHDB = "FLUSHDB".getBytes(StandardCharsets.US_ASCII);
}
