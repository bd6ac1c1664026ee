package io.percore.demo.persistence;

import io.percore.demo.shard.Change;
import io.percore.demo.shard.WritePath;
import io.percore.engine.Shard;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * One shard's side of the append-only file (Redis's {@code feedAppendOnlyFile}): hears every
 * change of the shard's keys at the write path and encodes it at once, on the shard's thread,
 * as the commands to replay. Changes made in one turn of the shard's loop are handed to the
 * {@link AofWriter} together at the end of the turn, one queue operation however many writes a
 * pipeline brought. A part of a group (a transaction, a command spanning shards) is kept as a
 * copy instead: the writer puts the group back together in the transaction's order.
 *
 * <p>Touched only by its shard's thread.
 */
final class AofFeed implements WritePath.ChangeListener {

    private final int shard;
    private final AofWriter writer;
    private final RespArgv encoded = new RespArgv(4096);
    private List<AofRecord> turn = new ArrayList<>();
    private long seq;
    private boolean handOffScheduled;
    private final Runnable handOffTask = this::handOff; // one per feed, not one per turn

    AofFeed(int shard, AofWriter writer) {
        this.shard = shard;
        this.writer = writer;
    }

    @Override
    public void changed(Change change) {
        if (change.grouped()) {
            closeEncoded();
            turn.add(new AofRecord.Part(++seq, change.copy()));
        } else {
            ++seq;
            encoded.block(change.commands());
        }
        writer.created(shard, seq);
        scheduleHandOff();
    }

    /** A rewrite begins: later changes go to the next incremental file (called while the rewrite holds every shard). */
    void rotation(long group, BitSet participants) {
        closeEncoded();
        turn.add(new AofRecord.Rotation(shard, ++seq, group, participants));
        writer.created(shard, seq);
        scheduleHandOff();
    }

    private void closeEncoded() {
        if (encoded.length() > 0) {
            turn.add(new AofRecord.Encoded(shard, seq, encoded.take()));
        }
    }

    private void scheduleHandOff() {
        if (!handOffScheduled) {
            handOffScheduled = true;
            Shard.current().execute(handOffTask);
        }
    }

    /** Hands what this turn made to the writer (also at close, so nothing made stays behind). */
    void handOff() {
        handOffScheduled = false;
        closeEncoded();
        if (turn.isEmpty()) {
            return;
        }
        List<AofRecord> records = turn;
        turn = new ArrayList<>(4);
        writer.offer(records);
    }
}
