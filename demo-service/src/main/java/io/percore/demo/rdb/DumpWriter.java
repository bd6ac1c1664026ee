package io.percore.demo.rdb;

import io.percore.demo.kv.GrowableString;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.StreamConsumer;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.ZSetValue;
import java.util.Arrays;
import java.util.List;

/**
 * Writes DUMP payloads (Redis's {@code createDumpPayload}): the value in RDB form, then the RDB
 * version (2 bytes) and the CRC-64 of everything before (8 bytes), both little-endian.
 *
 * <p>The value is written in the plain RDB types every Redis since 2.0 reads (and 7.0 converts to
 * its compact encodings on RESTORE): STRING (as an integer when it is one, else raw: no LZF, which
 * only saves space), LIST, SET, HASH, and ZSET_2 with binary scores.
 */
public final class DumpWriter {

    private byte[] buf;
    private int size;

    DumpWriter(int capacity) {
        buf = new byte[Math.max(16, capacity)];
    }

    /**
     * The DUMP payload of {@code value}, which must be what the store keeps for {@code type}: the
     * bytes of a string (or the {@link GrowableString} it was changed in place as), or the aggregate.
     */
    public static byte[] dump(ValueType type, Object value) {
        return encode(type, value).finish();
    }

    /** {@code s} as an RDB string (rdbSaveRawString without compression): how a file holds a key. */
    static byte[] string(byte[] s) {
        DumpWriter w = new DumpWriter(s.length + 9);
        w.writeString(s);
        return Arrays.copyOf(w.buf, w.size);
    }

    private static DumpWriter encode(ValueType type, Object value) {
        DumpWriter w = new DumpWriter(type == ValueType.STRING ? stringLength(value) + 24
                : estimate(((io.percore.demo.kv.MutableValue) value).bytes()));
        w.writeByte(typeByte(type));
        w.writeValue(type, value);
        return w;
    }

    /** The RDB type byte of a value of {@code type} as this writer encodes it. */
    static int typeByte(ValueType type) {
        if (type == ValueType.STRING) {
            return RdbType.STRING;
        } else if (type == ValueType.LIST) {
            return RdbType.LIST;
        } else if (type == ValueType.SET) {
            return RdbType.SET;
        } else if (type == ValueType.HASH) {
            return RdbType.HASH;
        } else if (type == ValueType.ZSET) {
            return RdbType.ZSET_2;
        } else if (type == ValueType.STREAM) {
            return RdbType.STREAM_LISTPACKS_2;
        }
        throw new IllegalArgumentException("no DUMP form for type " + type);
    }

    private static int stringLength(Object value) {
        return value instanceof byte[] b ? b.length : ((GrowableString) value).length();
    }

    /**
     * One key of an RDB file (rdbSaveKeyValuePair): its expiry when it has one, the type byte, the
     * key, the value. A string changed in place ({@link GrowableString}) is written from its array.
     */
    void writeEntry(byte[] key, ValueType type, Object value, long expireAtMs) {
        if (expireAtMs >= 0) {
            writeByte(RdbFileWriter.OPCODE_EXPIRETIME_MS);
            writeLongLE(expireAtMs);
        }
        writeByte(typeByte(type));
        writeString(key);
        writeValue(type, value);
    }

    int size() {
        return size;
    }

    byte[] buffer() {
        return buf;
    }

    /** Empties this writer, keeping its buffer unless it grew past {@code keep} bytes. */
    void reset(int keep) {
        size = 0;
        if (buf.length > keep) {
            buf = new byte[keep];
        }
    }

    private void writeValue(ValueType type, Object value) {
        DumpWriter w = this;
        if (type == ValueType.STRING) {
            if (value instanceof GrowableString g) {
                byte[] exact = g.length() <= 11 ? g.toByteArray() : null;
                if (exact != null) {
                    w.writeString(exact);
                } else {
                    w.writeLength(g.length());
                    w.writeBytes(g.array(), g.length());
                }
            } else {
                w.writeString((byte[]) value);
            }
        } else if (type == ValueType.LIST) {
            ListValue list = (ListValue) value;
            w.writeLength(list.size());
            for (int i = 0; i < list.size(); i++) {
                w.writeString(list.get(i));
            }
        } else if (type == ValueType.SET) {
            SetValue set = (SetValue) value;
            List<byte[]> members = set.members();
            w.writeLength(members.size());
            for (byte[] m : members) {
                w.writeString(m);
            }
        } else if (type == ValueType.HASH) {
            HashValue hash = (HashValue) value;
            List<byte[]> entries = hash.entries();
            w.writeLength(hash.size());
            for (byte[] e : entries) {
                w.writeString(e);
            }
        } else if (type == ValueType.ZSET) {
            ZSetValue zset = (ZSetValue) value;
            w.writeLength(zset.size());
            // greatest first, as Redis writes them: its loader then inserts each at the head of its skip list
            DumpWriter out = w;
            for (ZSetValue.Entry e : zset.range(0, zset.size() - 1, true)) {
                out.writeString(e.member());
                out.writeLongLE(Double.doubleToRawLongBits(e.score()));
            }
        } else if (type == ValueType.STREAM) {
            writeStream((StreamValue) value);
        } else {
            throw new IllegalArgumentException("no DUMP form for type " + type);
        }
    }

    /**
     * A stream as rdbSaveObject writes RDB_TYPE_STREAM_LISTPACKS_2: its nodes' keys and listpacks as
     * they are, its counters, then each group (in name order) with its pending entries (ID, delivery
     * time, count) and its consumers (name, seen time, the IDs they own).
     */
    private void writeStream(StreamValue s) {
        List<StreamValue.NodeBytes> nodes = s.nodeBytes();
        writeLength(nodes.size());
        for (StreamValue.NodeBytes node : nodes) {
            writeLength(16);
            writeRawId(node.ms(), node.seq());
            writeLength(node.listpack().length);
            writeBytes(node.listpack(), node.listpack().length);
        }
        writeLength(s.length());
        writeLength(s.lastId().ms());
        writeLength(s.lastId().seq());
        writeLength(s.firstId().ms());
        writeLength(s.firstId().seq());
        writeLength(s.maxDeletedId().ms());
        writeLength(s.maxDeletedId().seq());
        writeLength(s.entriesAdded());
        writeLength(s.groupCount());
        for (StreamGroup g : s.groups()) {
            writeString(g.name());
            writeLength(g.lastMs());
            writeLength(g.lastSeq());
            writeLength(g.entriesRead());
            // walked, not listed: a PEL of a million entries costs no copy of itself
            writeLength(g.pendingCount());
            for (StreamGroup.PendingCursor p = g.firstPending(); p.valid(); p.next()) {
                writeRawId(p.ms(), p.seq());
                writeLongLE(p.nack().deliveryTime());
                writeLength(p.nack().deliveryCount());
            }
            writeLength(g.consumerCount());
            for (StreamConsumer c : g.consumers()) {
                writeString(c.name());
                writeLongLE(c.seenTime());
                writeLength(c.pendingCount());
                for (StreamGroup.PendingCursor p = StreamGroup.pendingFrom(c, 0, 0); p.valid(); p.next()) {
                    writeRawId(p.ms(), p.seq());
                }
            }
        }
    }

    /** A stream ID as the 16 big-endian bytes of a radix tree key. */
    private void writeRawId(long ms, long seq) {
        ensure(16);
        for (int b = 0; b < 8; b++) {
            buf[size + b] = (byte) (ms >>> (56 - 8 * b));
            buf[size + 8 + b] = (byte) (seq >>> (56 - 8 * b));
        }
        size += 16;
    }

    /** A first buffer from the value's heap estimate (a payload is smaller), at most 1 MB: it doubles as needed. */
    private static int estimate(long valueBytes) {
        return (int) Math.min(valueBytes / 2 + 64, 1 << 20);
    }

    private byte[] finish() {
        writeByte(RdbType.RDB_VERSION & 0xff);
        writeByte((RdbType.RDB_VERSION >>> 8) & 0xff);
        writeLongLE(Crc64.update(0, buf, 0, size));
        return Arrays.copyOf(buf, size);
    }

    /** The largest array the JVM allocates: a payload cannot be longer (Redis's own RESTORE stops at 512 MB). */
    static final int MAX_PAYLOAD = Integer.MAX_VALUE - 8;

    private void ensure(int more) {
        if ((long) size + more > buf.length) {
            long needed = (long) size + more;
            if (needed > MAX_PAYLOAD) {
                throw new IllegalStateException("DUMP payload longer than " + MAX_PAYLOAD + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(Math.max(needed, (long) buf.length * 2), MAX_PAYLOAD));
        }
    }

    private void writeByte(int b) {
        ensure(1);
        buf[size++] = (byte) b;
    }

    private void writeLongLE(long v) {
        ensure(8);
        for (int i = 0; i < 8; i++) {
            buf[size++] = (byte) (v >>> (8 * i));
        }
    }

    /** rdbSaveLen: 6, 14, 32 or 64 bits; {@code len} is unsigned (a stream ID's parts, a read counter of -1). */
    private void writeLength(long len) {
        if (len >= 0 && len < (1 << 6)) {
            writeByte((int) len | (RdbType.LEN_6BIT << 6));
        } else if (len >= 0 && len < (1 << 14)) {
            writeByte((int) (len >>> 8) | (RdbType.LEN_14BIT << 6));
            writeByte((int) len & 0xff);
        } else if (len >= 0 && len <= 0xffffffffL) {
            writeByte(RdbType.LEN_32BIT);
            ensure(4);
            for (int i = 3; i >= 0; i--) { // big-endian, as Redis's htonl
                buf[size++] = (byte) (len >>> (8 * i));
            }
        } else {
            writeByte(RdbType.LEN_64BIT);
            ensure(8);
            for (int i = 7; i >= 0; i--) {
                buf[size++] = (byte) (len >>> (8 * i));
            }
        }
    }

    /** rdbSaveRawString without compression: an integer of at most 32 bits in its encoded form, else length and bytes. */
    private void writeString(byte[] s) {
        if (s.length <= 11) {
            long v = integerValue(s);
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE && v != NOT_AN_INTEGER) {
                writeInteger((int) v);
                return;
            }
        }
        writeLength(s.length);
        writeBytes(s, s.length);
    }

    private void writeBytes(byte[] s, int length) {
        ensure(length);
        System.arraycopy(s, 0, buf, size, length);
        size += length;
    }

    private void writeInteger(int v) {
        if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
            writeByte((RdbType.ENCVAL << 6) | RdbType.ENC_INT8);
            writeByte(v & 0xff);
        } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
            writeByte((RdbType.ENCVAL << 6) | RdbType.ENC_INT16);
            writeByte(v & 0xff);
            writeByte((v >>> 8) & 0xff);
        } else {
            writeByte((RdbType.ENCVAL << 6) | RdbType.ENC_INT32);
            for (int i = 0; i < 4; i++) {
                writeByte((v >>> (8 * i)) & 0xff);
            }
        }
    }

    /** Outside the 32-bit range, so never written as an integer. */
    private static final long NOT_AN_INTEGER = Long.MIN_VALUE;

    /** The value of {@code s} when it is an integer exactly as Redis's string2ll reads one (its decimal form), else {@link #NOT_AN_INTEGER}. */
    private static long integerValue(byte[] s) {
        return io.percore.demo.resp.RespNumbers.isLong(s) ? io.percore.demo.resp.RespNumbers.parseLong(s) : NOT_AN_INTEGER;
    }
}
