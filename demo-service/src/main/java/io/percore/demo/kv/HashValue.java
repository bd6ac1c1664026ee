package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A hash's fields (Redis's {@code OBJ_HASH}), in insertion order as a small Redis hash (listpack)
 * keeps them. Two representations, as Redis's two encodings: a small hash is a listpack (every field
 * and value in one byte array, {@link HashListpack}); once it has more than
 * {@code hash-max-listpack-entries} fields, or a field or value longer than
 * {@code hash-max-listpack-value} bytes is set, it becomes a {@code LinkedHashMap} for good (the
 * hashtable encoding), keeping the order. Mutated in place by its shard's commands, which report the
 * change of its {@link #bytes()} to the store ({@link ValueStore#resized}) so the memory budget stays
 * exact.
 */
public final class HashValue implements MutableValue {

    /**
     * Redis's {@code hash-max-listpack-entries} and {@code hash-max-listpack-value}: the most fields,
     * and the longest field or value in bytes, a hash may have and stay a listpack.
     */
    public record Limits(long maxEntries, long maxValue) {
        public static final Limits DEFAULT = new Limits(128, 64);

        /**
         * Past this many fields, or this many bytes of listpack, a hash is a table whatever the
         * configuration says: a listpack's lookups are scans and its changes copy it, so a huge
         * {@code hash-max-listpack-*} would make every command on a large hash linear in its size
         * (Redis's own listpacks stop at 1 GB).
         */
        public static final int HARD_MAX_ENTRIES = 1024;
        public static final int HARD_MAX_BYTES = 64 * 1024;

        boolean compactFor(long entries, long longest) {
            return entries <= Math.min(maxEntries, HARD_MAX_ENTRIES) && longest <= maxValue;
        }
    }

    /** A field's share of the map beyond its two arrays: node, key wrapper, table slot. */
    static final long FIELD_OVERHEAD = 64;
    /** This object: a header and one reference. */
    private static final long BASE = 16;
    /** The map and its table, and the ByteString keys' class of cost beyond {@link #FIELD_OVERHEAD}. */
    private static final long TABLE_BASE = 96;

    /**
     * The listpack ({@code byte[]}) while the hash is small, else the {@link Table}: one reference for both forms, and
     * no field count beside the listpack (counted by a scan, at most {@link Limits#HARD_MAX_ENTRIES} fields), so this
     * object is 16 bytes where four fields made it 32, and most hashes are small (issue 79).
     */
    private Object form = HashListpack.EMPTY;

    /** The hashtable encoding: the map in insertion order and the estimate of what it holds. */
    private static final class Table extends LinkedHashMap<ByteString, byte[]> {
        long bytes;

        Table(long bytes) {
            this.bytes = bytes;
        }

        Table(Table other) {
            super(other);
            this.bytes = other.bytes;
        }
    }

    /** A hash of the fields in {@code listpack} ({@link HashListpack}'s layout), which it owns from now on. */
    static HashValue ofListpack(byte[] listpack) {
        HashValue h = new HashValue();
        h.form = listpack;
        return h;
    }

    /** The listpack while the hash is one (its bytes, not a copy: read them, do not change them), else null. */
    byte[] listpackOrNull() {
        return form instanceof byte[] lp ? lp : null;
    }

    /** Heap estimate of the hash, fields and values included. */
    @Override
    public long bytes() {
        return BASE + (form instanceof byte[] ? arrayBytes(listpack().length) : fields().bytes);
    }

    /** Redis's OBJECT ENCODING name of the current representation: {@code listpack} or {@code hashtable}. */
    @Override
    public String encoding() {
        return form instanceof byte[] ? "listpack" : "hashtable";
    }

    /** The same fields in the same order; field and value arrays are never changed in place, so they are shared. */
    @Override
    public HashValue copy() {
        HashValue copy = new HashValue();
        if (form instanceof byte[]) {
            copy.form = listpack().clone();
        } else {
            copy.form = new Table(fields());
        }
        return copy;
    }

    public int size() {
        return form instanceof byte[] ? HashListpack.pairs(listpack()) : fields().size();
    }

    public byte[] get(byte[] field) {
        if (form instanceof byte[]) {
            int at = HashListpack.find(listpack(), field);
            return at < 0 ? null : HashListpack.item(listpack(), HashListpack.next(listpack(), at));
        }
        return fields().get(new ByteString(field));
    }

    public boolean contains(byte[] field) {
        return form instanceof byte[] ? HashListpack.find(listpack(), field) >= 0 : fields().containsKey(new ByteString(field));
    }

    /**
     * Sets {@code field} to {@code value}; true when the field is new. A listpack that this would take
     * past {@code limits} becomes a table first (a long field or value) or right after (one field too
     * many), as Redis's {@code hashTypeSet} converts.
     */
    public boolean put(byte[] field, byte[] value, Limits limits) {
        if (form instanceof byte[]) {
            int at = HashListpack.find(listpack(), field);
            long after = listpack().length + HashListpack.pairBytes(field, value);
            if (!limits.compactFor(fieldsAfter(at < 0, limits), Math.max(field.length, value.length))
                    || after > Limits.HARD_MAX_BYTES) {
                toTable();
            } else if (at >= 0) {
                form = HashListpack.replace(listpack(), HashListpack.next(listpack(), at), value);
                return false;
            } else {
                form = HashListpack.append(listpack(), field, value);
                return true;
            }
        }
        byte[] old = fields().put(new ByteString(field), value);
        if (old == null) {
            fields().bytes += fieldBytes(field, value);
            return true;
        }
        fields().bytes += arrayBytes(value.length) - arrayBytes(old.length);
        return false;
    }

    /** Removes {@code field}; true when it was there. */
    public boolean remove(byte[] field) {
        if (form instanceof byte[]) {
            int at = HashListpack.find(listpack(), field);
            if (at < 0) {
                return false;
            }
            form = HashListpack.removePair(listpack(), at);
            return true;
        }
        byte[] old = fields().remove(new ByteString(field));
        if (old == null) {
            return false;
        }
        fields().bytes -= fieldBytes(field, old);
        return true;
    }

    /**
     * The listpack's fields after a put ({@code adding} one more), as far as the limits need it: each field and value
     * takes at least a length byte, so a listpack of {@code n} bytes holds at most {@code n / 2} fields, and when that
     * bound is within the limits it stands for the count and spares the scan.
     */
    private long fieldsAfter(boolean adding, Limits limits) {
        long added = adding ? 1 : 0;
        long most = listpack().length / 2 + added;
        return most <= Math.min(limits.maxEntries(), Limits.HARD_MAX_ENTRIES) ? most : HashListpack.pairs(listpack()) + added;
    }

    /** Redis's hashTypeConvert: the same fields in the same order, in a table from now on. */
    private void toTable() {
        Table table = new Table(TABLE_BASE);
        for (int at = 0; at < listpack().length; ) {
            int valueAt = HashListpack.next(listpack(), at);
            byte[] f = HashListpack.item(listpack(), at);
            byte[] v = HashListpack.item(listpack(), valueAt);
            table.put(new ByteString(f), v);
            table.bytes += fieldBytes(f, v);
            at = HashListpack.next(listpack(), valueAt);
        }
        form = table;
    }

    /** Fields and values in order, alternating. */
    public List<byte[]> entries() {
        List<byte[]> out = new ArrayList<>(size() * 2);
        if (form instanceof byte[]) {
            for (int at = 0; at < listpack().length; at = HashListpack.next(listpack(), at)) {
                out.add(HashListpack.item(listpack(), at));
            }
            return out;
        }
        for (Map.Entry<ByteString, byte[]> e : fields().entrySet()) {
            out.add(e.getKey().bytes());
            out.add(e.getValue());
        }
        return out;
    }

    public List<byte[]> keys() {
        List<byte[]> out = new ArrayList<>(size());
        if (form instanceof byte[]) {
            for (int at = 0; at < listpack().length; at = HashListpack.next(listpack(), HashListpack.next(listpack(), at))) {
                out.add(HashListpack.item(listpack(), at));
            }
            return out;
        }
        for (ByteString f : fields().keySet()) {
            out.add(f.bytes());
        }
        return out;
    }

    public List<byte[]> values() {
        if (form instanceof byte[]) {
            List<byte[]> out = new ArrayList<>(size());
            for (int at = 0; at < listpack().length; ) {
                int valueAt = HashListpack.next(listpack(), at);
                out.add(HashListpack.item(listpack(), valueAt));
                at = HashListpack.next(listpack(), valueAt);
            }
            return out;
        }
        return new ArrayList<>(fields().values());
    }

    /** {@code count} distinct random fields (all when count ≥ size), each with its value. */
    public List<byte[][]> randomDistinct(int count, SplittableRandom random) {
        List<byte[][]> all = new ArrayList<>(size());
        if (form instanceof byte[]) {
            List<byte[]> e = entries();
            for (int i = 0; i < e.size(); i += 2) {
                all.add(new byte[][] {e.get(i), e.get(i + 1)});
            }
        } else {
            for (Map.Entry<ByteString, byte[]> e : fields().entrySet()) {
                all.add(new byte[][] {e.getKey().bytes(), e.getValue()});
            }
        }
        if (count >= all.size()) {
            return all;
        }
        for (int i = 0; i < count; i++) { // partial Fisher-Yates
            int j = i + random.nextInt(all.size() - i);
            byte[][] t = all.get(i);
            all.set(i, all.get(j));
            all.set(j, t);
        }
        return all.subList(0, count);
    }

    /** The listpack: call only while the hash is one. */
    private byte[] listpack() {
        return (byte[]) form;
    }

    /** The table: call only once the hash is one. */
    private Table fields() {
        return (Table) form;
    }

    static long fieldBytes(byte[] field, byte[] value) {
        return FIELD_OVERHEAD + arrayBytes(field.length) + arrayBytes(value.length);
    }

    private static long arrayBytes(int length) {
        return (16L + length + 7) & ~7L;
    }

}
