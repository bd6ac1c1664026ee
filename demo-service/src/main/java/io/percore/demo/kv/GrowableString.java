package io.percore.demo.kv;

import java.util.Arrays;

/**
 * A string changed in place (APPEND, SETRANGE, SETBIT, BITFIELD): an array with spare capacity, as
 * Redis's sds, so that a run of small changes costs their own size, not the value's, each time.
 * Strings written whole (SET, MSET, INCR, ...) stay plain {@code byte[]}s, never changed: the GET/SET
 * path is untouched by this class.
 *
 * <p>Replies wrap stored arrays without copying ({@code BulkReply}), and a reply may still be
 * waiting to be written (a pipelined GET then SETBIT in one read) or travelling to another shard
 * when the next command changes the value. So whoever hands the array out calls {@link #share()},
 * and the next change copies it first ({@link #ensureLength}): copy-on-write, at most one copy per
 * reply that took the array, never a change under a reply's feet.
 *
 * <p>Invariant: the bytes past {@link #length()} are zero (strings only grow in place), so growing
 * needs no clearing.
 */
public final class GrowableString implements MutableValue {

    /** Object header (12), array reference (4), length (4), flag (1), padded to 8. */
    static final long OVERHEAD = 24;
    /** Past this length spare capacity grows by this much instead of doubling (Redis's {@code SDS_MAX_PREALLOC}). */
    static final int MAX_PREALLOC = 1 << 20;
    static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final byte[] EMPTY = new byte[0];

    private byte[] bytes;
    private int length;
    /** Someone outside the store holds {@link #bytes}: the next change copies it first. */
    private boolean shared;

    private GrowableString(byte[] bytes, int length, boolean shared) {
        this.bytes = bytes;
        this.length = length;
        this.shared = shared;
    }

    /** An empty string about to grow. */
    public static GrowableString empty() {
        return new GrowableString(EMPTY, 0, false);
    }

    /** A string holding {@code bytes} itself, which a reply or a reported effect (BITOP's SET) may hold: the first change copies it. */
    public static GrowableString adopt(byte[] bytes) {
        return new GrowableString(bytes, bytes.length, true);
    }

    /** A string made of a fresh array nobody else holds (BITOP's result while no one follows the changes), without spare capacity. */
    public static GrowableString own(byte[] bytes) {
        return new GrowableString(bytes, bytes.length, false);
    }

    public int length() {
        return length;
    }

    /**
     * The array, valid up to {@link #length()}. Look only, and only within the current command,
     * unless {@link StringsInPlace#writable} just returned this string: then it is the store's own
     * to change until the next {@link #share()}.
     */
    public byte[] array() {
        return bytes;
    }

    /** The array for a caller that keeps it (a reply, another shard): the next change copies first. */
    public byte[] share() {
        shared = true;
        return bytes;
    }

    /**
     * Makes the string at least {@code newLength} long (the new bytes zero) and its array the store's
     * own to change: copies it if shared, grows it with spare capacity (double, or 1 MB more past
     * 1 MB) when too small, but never past {@code maxCapacity} (the shard's budget). A string grown
     * from empty is allocated exactly: a bitmap made by one SETBIT needs no slack.
     */
    void ensureLength(int newLength, long maxCapacity) {
        if (newLength > bytes.length) {
            long wanted = length == 0 ? newLength : newLength < MAX_PREALLOC ? 2L * newLength : (long) newLength + MAX_PREALLOC;
            int capacity = (int) Math.max(newLength, Math.min(wanted, Math.min(maxCapacity, MAX_ARRAY)));
            bytes = Arrays.copyOf(bytes, capacity);
            shared = false;
        } else if (shared) {
            bytes = bytes.clone();
            shared = false;
        }
        if (newLength > length) {
            length = newLength;
        }
    }

    /**
     * Cuts the string to {@code newLength} (at most its length), zeroing what it drops so the bytes
     * past the length stay zero: for a value whose content shrinks in place (an HLL's sparse opcodes
     * merged). The array must be the store's own ({@link StringsInPlace#writable} just returned it).
     */
    void truncate(int newLength) {
        if (newLength < length) {
            Arrays.fill(bytes, newLength, length, (byte) 0);
            length = newLength;
        }
    }

    @Override
    public long bytes() {
        return OVERHEAD + ((16L + bytes.length + 7) & ~7L);
    }

    /** An exact copy (as Redis's {@code dupStringObject}), still a string changed in place. */
    @Override
    public GrowableString copy() {
        return own(Arrays.copyOf(bytes, length));
    }

    /** Redis's {@code raw}: what APPEND, SETRANGE and the bit commands leave behind there too. */
    @Override
    public String encoding() {
        return "raw";
    }

    /** A copy of the string's bytes, exactly {@link #length()} long. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** The string's bytes for a caller that keeps them: the array itself (shared) when it has no spare room, else a copy. */
    byte[] exactShared() {
        return length == bytes.length ? share() : toByteArray();
    }
}
