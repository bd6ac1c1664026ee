package io.percore.demo.kv;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A hash's fields (Redis's {@code OBJ_HASH}), in insertion order as a small Redis hash (listpack)
 * keeps them. Mutated in place by its shard's commands, which report the change of its
 * {@link #bytes()} to the store ({@link ValueStore#resized}) so the memory budget stays exact.
 */
public final class HashValue implements MutableValue {

    /** A field's share of the map beyond its two arrays: node, key wrapper, table slot. */
    static final long FIELD_OVERHEAD = 64;
    private static final long BASE = 96;

    private final LinkedHashMap<ByteString, byte[]> fields = new LinkedHashMap<>();
    private long bytes = BASE;

    /** Heap estimate of the hash, fields and values included. */
    @Override
    public long bytes() {
        return bytes;
    }

    /** The same fields in the same order; field and value arrays are never changed in place, so they are shared. */
    @Override
    public HashValue copy() {
        HashValue copy = new HashValue();
        copy.fields.putAll(fields);
        copy.bytes = bytes;
        return copy;
    }

    /** One representation here, a hash table (Redis's small hashes are listpacks). */
    @Override
    public String encoding() {
        return "hashtable";
    }

    public int size() {
        return fields.size();
    }

    public byte[] get(byte[] field) {
        return fields.get(new ByteString(field));
    }

    public boolean contains(byte[] field) {
        return fields.containsKey(new ByteString(field));
    }

    /** Sets {@code field} to {@code value}; true when the field is new. */
    public boolean put(byte[] field, byte[] value) {
        byte[] old = fields.put(new ByteString(field), value);
        if (old == null) {
            bytes += fieldBytes(field, value);
            return true;
        }
        bytes += arrayBytes(value.length) - arrayBytes(old.length);
        return false;
    }

    /** Removes {@code field}; true when it was there. */
    public boolean remove(byte[] field) {
        byte[] old = fields.remove(new ByteString(field));
        if (old == null) {
            return false;
        }
        bytes -= fieldBytes(field, old);
        return true;
    }

    /** Fields and values in order, alternating. */
    public List<byte[]> entries() {
        List<byte[]> out = new ArrayList<>(fields.size() * 2);
        for (Map.Entry<ByteString, byte[]> e : fields.entrySet()) {
            out.add(e.getKey().bytes());
            out.add(e.getValue());
        }
        return out;
    }

    public List<byte[]> keys() {
        List<byte[]> out = new ArrayList<>(fields.size());
        for (ByteString f : fields.keySet()) {
            out.add(f.bytes());
        }
        return out;
    }

    public List<byte[]> values() {
        return new ArrayList<>(fields.values());
    }


    /** {@code count} distinct random fields (all when count ≥ size), each with its value. */
    public List<byte[][]> randomDistinct(int count, SplittableRandom random) {
        List<byte[][]> all = new ArrayList<>(fields.size());
        for (Map.Entry<ByteString, byte[]> e : fields.entrySet()) {
            all.add(new byte[][] {e.getKey().bytes(), e.getValue()});
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

    static long fieldBytes(byte[] field, byte[] value) {
        return FIELD_OVERHEAD + arrayBytes(field.length) + arrayBytes(value.length);
    }

    private static long arrayBytes(int length) {
        return (16L + length + 7) & ~7L;
    }

}
