package io.percore.demo.replication;

import java.util.Arrays;

/**
 * The replication stream as bytes (Redis 7's shared replication buffer and its backlog): one
 * writer appends the stream, any thread reads it from a position. Positions count the stream's
 * bytes since it began (Redis's {@code master_repl_offset} is the end); a replica that has
 * processed {@code n} bytes reads on from position {@code n}.
 *
 * <p>The bytes live in fixed blocks that never change once written below {@link #end()}, so a
 * reader sends them without a copy (a slice of a block) and holds a block it still needs even
 * after the writer dropped it. The writer keeps what the backlog needs ({@code repl-backlog-size})
 * and what each replica has not read yet ({@link #trim}); a replica too far behind is cut off by
 * its output limit, so what is kept stays bounded.
 */
public final class ReplicationBuffer {

    static final int BLOCK = 64 << 10;

    /** A block of the stream: bytes {@code [start, start + bytes.length)}. */
    record Block(long start, byte[] bytes) {
        long end() {
            return start + bytes.length;
        }
    }

    /** What a reader gets: {@code length} bytes of {@code bytes} from {@code offset}, never written again. */
    public record Slice(byte[] bytes, int offset, int length) {
    }

    /** Held blocks, ascending and contiguous; replaced whole (copy on write) when a block comes or goes. */
    private volatile Block[] blocks;
    /** The stream's end: every byte before it is written and readable. */
    private volatile long end;
    /** The first position still held. */
    private volatile long start;

    // the writer's
    private Block tail;
    private int tailUsed;

    /** A stream whose next byte has position {@code position} (0 for a new stream; a replica's offset when it takes over). */
    public ReplicationBuffer(long position) {
        reset(position);
    }

    /** Drops everything; the next byte has position {@code position} (a replica's full sync: the primary's offset). Writer only. */
    void reset(long position) {
        tail = null;
        tailUsed = 0;
        blocks = new Block[0];
        start = position;
        end = position;
    }

    /** Appends {@code length} bytes. Writer only. */
    void append(byte[] bytes, int offset, int length) {
        long at = end;
        while (length > 0) {
            if (tail == null || tailUsed == BLOCK) {
                tail = new Block(at, new byte[BLOCK]);
                tailUsed = 0;
                Block[] now = blocks;
                Block[] more = Arrays.copyOf(now, now.length + 1);
                more[now.length] = tail;
                blocks = more;
            }
            int n = Math.min(length, BLOCK - tailUsed);
            System.arraycopy(bytes, offset, tail.bytes(), tailUsed, n);
            tailUsed += n;
            offset += n;
            length -= n;
            at += n;
        }
        end = at; // published after the bytes: a reader that sees the end sees them
    }

    /** Drops the blocks wholly before {@code keepFrom}. Writer only. */
    void trim(long keepFrom) {
        Block[] now = blocks;
        int drop = 0;
        while (drop < now.length && now[drop].end() <= keepFrom && now[drop] != tail) {
            drop++;
        }
        if (drop > 0) {
            Block[] kept = Arrays.copyOfRange(now, drop, now.length);
            blocks = kept;
            start = kept.length > 0 ? kept[0].start() : end;
        }
    }

    /** The stream's end (Redis's {@code master_repl_offset}). */
    public long end() {
        return end;
    }

    /** The first position held (Redis's {@code repl_backlog_first_byte_offset} is this plus one). */
    public long start() {
        return start;
    }

    /** Bytes held (the backlog's and the replicas' share). */
    public long held() {
        return end - start;
    }

    /** Whether a reader can go on from {@code position} (a partial resync). */
    public boolean holds(long position) {
        long s = start;
        return position >= s && position <= end;
    }

    /**
     * Up to {@code max} bytes from {@code position}, within one block; null when nothing is there
     * yet. @throws IllegalStateException when {@code position} is no longer held
     */
    public Slice read(long position, int max) {
        long e = end;
        if (position >= e) {
            return null;
        }
        Block[] now = blocks;
        if (now.length == 0 || position < now[0].start()) {
            throw new IllegalStateException("position " + position + " is no longer held (from " + start + ")");
        }
        int index = (int) ((position - now[0].start()) / BLOCK);
        Block b = now[index];
        int from = (int) (position - b.start());
        int n = (int) Math.min(Math.min(max, e - position), BLOCK - from);
        return new Slice(b.bytes(), from, n);
    }
}
