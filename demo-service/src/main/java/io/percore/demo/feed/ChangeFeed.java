package io.percore.demo.feed;

import io.percore.engine.Shard;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One shard's side of a reader of every change (Redis's {@code feedAppendOnlyFile} and
 * {@code replicationFeedSlaves}): hears each change of the shard's keys at the write path and
 * encodes it at once, on the shard's thread, as the commands to replay. Changes made in one turn
 * of the shard's loop are handed to the {@link Reader} together at the end of the turn, one queue
 * operation however many writes a pipeline brought. A part of a group (a transaction, a command
 * spanning shards) is kept as a copy instead: the reader puts the group back together in the
 * transaction's order ({@link GroupOrder}).
 *
 * <p>Touched only by its shard's thread.
 */
public final class ChangeFeed implements ChangeListener {

    /** Where a feed's records go: one reader thread for every shard's feed. */
    public interface Reader {
        /** Shard {@code shard} has made {@code seq} changes so far (set on its thread before its replies can leave). */
        void created(int shard, long seq);

        /** A turn's records of one shard, in its order (any thread: the shard's). */
        void offer(List<FeedRecord> records);
    }

    private final int shard;
    private final Reader reader;
    private final RespArgv encoded = new RespArgv(4096);
    /** The database of the first change in {@link #encoded}, and the one its bytes leave selected. */
    private int encodedFirstDb;
    private int encodedDb;
    private List<FeedRecord> turn = new ArrayList<>();
    private long seq;
    private boolean handOffScheduled;
    private final Runnable handOffTask = this::handOff; // one per feed, not one per turn

    public ChangeFeed(int shard, Reader reader) {
        this.shard = shard;
        this.reader = reader;
    }

    @Override
    public void changed(Change change) {
        if (change.grouped()) {
            closeEncoded();
            turn.add(new FeedRecord.Part(++seq, change.copy()));
        } else {
            ++seq;
            if (encoded.length() == 0) {
                encodedFirstDb = change.db(0);
                encodedDb = encodedFirstDb; // the reader selects it before these bytes when its stream is elsewhere
            }
            encodedDb = encoded.block(change.commands(), change.dbs(), encodedDb);
        }
        reader.created(shard, seq);
        scheduleHandOff();
    }

    /** Marks a point of all shards (called while one transaction, {@code group}, holds them all). */
    public void mark(long group, BitSet participants) {
        closeEncoded();
        turn.add(new FeedRecord.Mark(shard, ++seq, group, participants));
        reader.created(shard, seq);
        scheduleHandOff();
    }

    private void closeEncoded() {
        if (encoded.length() > 0) {
            turn.add(new FeedRecord.Encoded(shard, seq, encoded.take(), encodedFirstDb, encodedDb));
        }
    }

    private void scheduleHandOff() {
        if (!handOffScheduled) {
            handOffScheduled = true;
            Shard.current().execute(handOffTask);
        }
    }

    /** Hands what this turn made to the reader (also when detached, so nothing made stays behind). */
    public void handOff() {
        handOffScheduled = false;
        closeEncoded();
        if (turn.isEmpty()) {
            return;
        }
        List<FeedRecord> records = turn;
        turn = new ArrayList<>(4);
        reader.offer(records);
    }
}
