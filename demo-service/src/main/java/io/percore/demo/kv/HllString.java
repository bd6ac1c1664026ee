package io.percore.demo.kv;

/**
 * A HyperLogLog stored at a key, read and changed in place by one command on its shard, as Redis's
 * {@code hllSparseSet}/{@code hllDenseSet} change the string's bytes ({@link HyperLogLog} has the
 * format). The value is read where it lies; the first change makes it the store's own to change
 * ({@link StringsInPlace#writable}: copied when a reply still holds it, growth counted in the
 * budget), so a write that changes no register touches nothing. A sparse value edits its opcodes in
 * place, as Redis does, and becomes dense (a new 12,304-byte string, TTL kept) when a register
 * outgrows the sparse form or the value would pass {@code hll-sparse-max-bytes}.
 */
public final class HllString {

    private final ValueStore store;
    private final byte[] key;
    private final long now;
    private byte[] bytes;
    private int length;
    /** The store's own string once this command changed the value; null while it only read. */
    private GrowableString own;
    /**
     * The byte redis-server finds right past the value, which a trailing half XZERO reads as its
     * second byte: the string's NUL, until an edit of this command writes its opcodes past the
     * value's new end (hllSparseSet copies them after sdsIncrLen put the NUL there).
     */
    private int pastEnd;

    private HllString(ValueStore store, byte[] key, long now, byte[] bytes, int length) {
        this.store = store;
        this.key = key;
        this.now = now;
        this.bytes = bytes;
        this.length = length;
    }

    /**
     * The HLL a string value holds, which the caller checked ({@link HyperLogLog#isHll}) after
     * looking the key up for a write.
     */
    public static HllString of(ValueStore store, byte[] key, StringView value, long now) {
        return new HllString(store, key, now, value.array(), value.length());
    }

    /** A new empty (sparse) HLL stored at the missing {@code key}, as PFADD and PFMERGE create one. */
    public static HllString create(ValueStore store, byte[] key, long now) {
        GrowableString g = store.strings().writable(key, HyperLogLog.EMPTY_SPARSE_SIZE, now);
        HyperLogLog.writeEmptySparse(g.array());
        HllString h = new HllString(store, key, now, g.array(), HyperLogLog.EMPTY_SPARSE_SIZE);
        h.own = g;
        return h;
    }

    public boolean dense() {
        return HyperLogLog.isDense(bytes);
    }

    /** The value's bytes, valid up to {@link #length()} within this command. */
    public byte[] array() {
        return bytes;
    }

    public int length() {
        return length;
    }

    /** Adds an element (PFADD): 1 when a register changed, 0 when none did, -1 when the sparse value is corrupt. */
    public int add(byte[] element) {
        int packed = HyperLogLog.registerAndCount(element);
        return raise(packed >>> 8, packed & 0xff);
    }

    /** Raises register {@code index} to {@code count} if it is lower: 1 changed, 0 not, -1 corrupt (sparse). */
    public int raise(int index, int count) {
        if (dense()) {
            if (count <= HyperLogLog.denseGet(bytes, index)) {
                return 0;
            }
            HyperLogLog.denseSet(writable(length), index, count);
            return 1;
        }
        return raiseSparse(index, count);
    }

    /** Marks the cached cardinality stale (after registers changed). */
    public void invalidateCache() {
        if ((bytes[HyperLogLog.CARD_AT + 7] & 0x80) == 0) {
            HyperLogLog.invalidateCache(writable(length));
        }
    }

    /** The cached cardinality, or -1 when stale. */
    public long cachedCount() {
        return HyperLogLog.cachedCount(bytes);
    }

    /** The cardinality computed from the registers, or -1 when the sparse value is corrupt. */
    public long count() {
        return HyperLogLog.count(bytes, length);
    }

    /** Caches {@code card} in the header (PFCOUNT): a change of the value, as in Redis. */
    public void cacheCount(long card) {
        HyperLogLog.cacheCount(writable(length), card);
        store.modified(key);
    }

    /** Makes a sparse value dense: 1 when it converted, 0 when it was dense, -1 when the sparse value is corrupt. */
    public int toDense() {
        if (dense()) {
            return 0;
        }
        byte[] dense = HyperLogLog.sparseToDense(bytes, length, pastEnd);
        if (dense == null) {
            return -1;
        }
        store.memory().requireFits(dense.length);
        GrowableString g = GrowableString.own(dense);
        store.strings().replace(key, g);
        bytes = dense;
        length = dense.length;
        own = g;
        return 1;
    }

    /**
     * The value as the store's own to change, at least {@code room} long (the store lengthens it with
     * zeros, counted): a sparse edit needs three bytes beyond the value (an XZERO split in three).
     */
    private byte[] writable(int room) {
        if (own == null || own.length() < room || own.array() != bytes) {
            own = store.strings().writable(key, room, now);
            bytes = own.array();
        }
        return bytes;
    }

    /** Redis's {@code hllSparseSet}, step for step, so the opcodes come out byte for byte as redis-server's. */
    private int raiseSparse(int index, int count) {
        if (count > HyperLogLog.SPARSE_VAL_MAX) {
            return promoteAndRaise(index, count);
        }
        byte[] b = bytes;
        int end = length;
        // the opcode covering the register: at most one opcode per register is walked, whatever the value's length
        int p = HyperLogLog.HEADER;
        int prev = -1;
        long first = 0;
        long span = 0;
        while (p < end) {
            int op = b[p] & 0xff;
            int opLength = 1;
            if (HyperLogLog.isZero(op)) {
                span = HyperLogLog.zeroRun(op);
            } else if (HyperLogLog.isVal(op)) {
                span = HyperLogLog.valRun(op);
            } else {
                span = HyperLogLog.xzeroRun(b, p, end, pastEnd);
                opLength = 2;
            }
            if (index <= first + span - 1) {
                break;
            }
            prev = p;
            p += opLength;
            first += span;
        }
        if (span == 0 || p >= end) {
            return -1;
        }
        int op = b[p] & 0xff;
        boolean zero = HyperLogLog.isZero(op);
        boolean xzero = HyperLogLog.isXZero(op);
        int next = p + (xzero ? 2 : 1);
        if (next >= end) {
            next = -1;
        }
        int run = zero ? HyperLogLog.zeroRun(op) : xzero ? HyperLogLog.xzeroRun(b, p, end, pastEnd) : HyperLogLog.valRun(op);
        if (!zero && !xzero) {
            if (HyperLogLog.valValue(op) >= count) {
                return 0;
            }
            if (run == 1) {
                writable(length)[p] = HyperLogLog.val(count, 1);
                return updatedSparse(prev);
            }
        }
        if (zero && run == 1) {
            writable(length)[p] = HyperLogLog.val(count, 1);
            return updatedSparse(prev);
        }
        // split the opcode around the register: at most XZERO-VAL-XZERO, five bytes
        byte[] seq = new byte[5];
        int n = 0;
        int last = (int) (first + span - 1);
        int at = (int) first;
        if (zero || xzero) {
            if (index != at) {
                n = HyperLogLog.putZeroRun(seq, n, index - at);
            }
            seq[n++] = HyperLogLog.val(count, 1);
            if (index != last) {
                n = HyperLogLog.putZeroRun(seq, n, last - index);
            }
        } else {
            int current = HyperLogLog.valValue(op);
            if (index != at) {
                seq[n++] = HyperLogLog.val(current, index - at);
            }
            seq[n++] = HyperLogLog.val(count, 1);
            if (index != last) {
                seq[n++] = HyperLogLog.val(current, last - index);
            }
        }
        int delta = n - (xzero ? 2 : 1);
        if (delta > 0 && length + delta > store.encodings().hllSparseMaxBytes()) {
            return promoteAndRaise(index, count);
        }
        // Redis makes room for 3 (XZERO split into XZERO-VAL-XZERO); a corrupt value ending in an XZERO's first byte takes
        // one more, the sequence's last byte written past the new end as Redis writes it into its allocation
        b = writable(length + 4);
        if (delta != 0 && next != -1) {
            System.arraycopy(b, next, b, next + delta, end - next);
        }
        length += delta;
        System.arraycopy(seq, 0, b, p, n);
        pastEnd = p + n > length ? seq[length - p] & 0xff : 0;
        return updatedSparse(prev);
    }

    /** After a sparse register changed: adjacent equal value runs merged (up to five opcodes from the one before), cache stale. */
    private int updatedSparse(int prev) {
        byte[] b = bytes;
        int end = length;
        int p = prev >= 0 ? prev : HyperLogLog.HEADER;
        int scan = 5;
        while (p < end && scan-- != 0) {
            int op = b[p] & 0xff;
            if (HyperLogLog.isXZero(op)) {
                p += 2;
                continue;
            }
            if (HyperLogLog.isZero(op)) {
                p++;
                continue;
            }
            if (p + 1 < end && HyperLogLog.isVal(b[p + 1] & 0xff)) {
                int right = b[p + 1] & 0xff;
                int value = HyperLogLog.valValue(op);
                int run = HyperLogLog.valRun(op) + HyperLogLog.valRun(right);
                if (value == HyperLogLog.valValue(right) && run <= HyperLogLog.SPARSE_VAL_MAX_RUN) {
                    b[p + 1] = HyperLogLog.val(value, run);
                    System.arraycopy(b, p + 1, b, p, end - p - 1);
                    b[end - 1] = 0;
                    end--;
                    pastEnd = 0; // sdsIncrLen(-1) put the NUL there
                    continue;
                }
            }
            p++;
        }
        length = end;
        HyperLogLog.invalidateCache(b);
        own.truncate(length);
        return 1;
    }

    private int promoteAndRaise(int index, int count) {
        if (toDense() < 0) {
            return -1;
        }
        HyperLogLog.denseRaise(bytes, index, count);
        return 1;
    }
}
