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
    public List<Block> add(Change change) {
        List<Block> out = new ArrayList<>();
        for (List<Change> unit : order.add(change)) {
            Change first = unit.get(0);
            Block block = first.grouped() ? merged(unit) : new Block(first.commands(), first.dbs());
            if (!block.commands().isEmpty()) {
                out.add(block);
            }
        }
        return out;
    }

    /** Changes received and not yet released (waiting for a group's other parts). */
    public int waiting() {
        return order.waiting();
    }

    /**
     * A group's parts (every participant's, see {@link GroupOrder}) made one block, in the transaction's
     * order, each command in its database.
     */
    public static Block merged(List<Change> parts) {
        record Entry(int step, byte[][] command, int db) {
        }
        List<Entry> entries = new ArrayList<>();
        boolean leftDb0 = false;
        for (Change part : parts) {
            for (int i = 0; i < part.commands().size(); i++) {
                entries.add(new Entry(part.steps()[i], part.commands().get(i), part.db(i)));
                leftDb0 |= part.db(i) != 0;
            }
        }
        entries.sort((a, b) -> Integer.compare(a.step(), b.step())); // stable: a shard's commands of one step keep their order
        List<byte[][]> block = new ArrayList<>(entries.size());
        int[] dbs = leftDb0 ? new int[entries.size()] : null;
        int wholeAtStep = Integer.MIN_VALUE;
        for (Entry e : entries) {
            if (wholeKeyspace(e.command())) {
                if (e.step() == wholeAtStep) {
                    continue; // every participant reports its own keys flushed (or swapped): one command for them all
                }
                wholeAtStep = e.step();
            }
            if (dbs != null) {
                dbs[block.size()] = e.db();
            }
            block.add(e.command());
        }
        return new Block(block, dbs == null ? null : Arrays.copyOf(dbs, block.size()));
    }

    /** FLUSHALL, FLUSHDB and SWAPDB: every participant reports its own keys, one command stands for them all. */
    private static boolean wholeKeyspace(byte[][] command) {
        return Arrays.equals(command[0], FLUSHALL) || Arrays.equals(command[0], FLUSHDB) || Arrays.equals(command[0], SWAPDB);
    }

    private static final byte[] FLUSHALL = "FLUSHALL".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLUSHDB = "FLUSHDB".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SWAPDB = "SWAPDB".getBytes(StandardCharsets.US_ASCII);
}
