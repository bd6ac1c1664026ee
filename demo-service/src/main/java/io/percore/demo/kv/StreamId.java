package io.percore.demo.kv;

import java.nio.charset.StandardCharsets;

/**
 * A stream entry's ID (Redis's {@code streamID}): milliseconds and a sequence, both unsigned 64-bit
 * numbers held in Java longs and compared unsigned, as the 128-bit big-endian keys of Redis's radix
 * trees compare.
 */
public record StreamId(long ms, long seq) implements Comparable<StreamId> {

    public static final StreamId MIN = new StreamId(0, 0);
    /** {@code 18446744073709551615-18446744073709551615}: what "+" means, and the last ID a stream can hold. */
    public static final StreamId MAX = new StreamId(-1L, -1L);

    public static int compare(long aMs, long aSeq, long bMs, long bSeq) {
        int c = Long.compareUnsigned(aMs, bMs);
        return c != 0 ? c : Long.compareUnsigned(aSeq, bSeq);
    }

    @Override
    public int compareTo(StreamId o) {
        return compare(ms, seq, o.ms, o.seq);
    }

    public boolean isZero() {
        return ms == 0 && seq == 0;
    }

    public boolean isMax() {
        return ms == -1L && seq == -1L;
    }

    /** The next ID (Redis's {@code streamIncrID}); null past the last possible one. */
    public StreamId next() {
        if (seq == -1L) {
            return ms == -1L ? null : new StreamId(ms + 1, 0);
        }
        return new StreamId(ms, seq + 1);
    }

    /** The previous ID (Redis's {@code streamDecrID}); null before 0-0. */
    public StreamId previous() {
        if (seq == 0) {
            return ms == 0 ? null : new StreamId(ms - 1, -1L);
        }
        return new StreamId(ms, seq - 1);
    }

    /** {@code <ms>-<seq>} in decimal, as Redis replies an ID. */
    @Override
    public String toString() {
        return Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq);
    }

    public byte[] bytes() {
        return format(ms, seq);
    }

    public static byte[] format(long ms, long seq) {
        return (Long.toUnsignedString(ms) + "-" + Long.toUnsignedString(seq)).getBytes(StandardCharsets.US_ASCII);
    }
}
