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
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespNumbers;
import java.util.List;

/**
 * DEBUG OBJECT's {@code serializedlength} (Redis's {@code rdbSavedObjectLen}): how many bytes redis-server 7.0.15
 * writes for a value in the encoding OBJECT ENCODING names, with {@code rdbcompression no} (this server's: it
 * never compresses): a listpack hash or sorted set, an intset and a list's quicklist nodes ({@link QuicklistLayout})
 * as their blobs, the others element by element. Counted, never written: a value of gigabytes costs no copy.
 * This server's own DUMP and RDB files write the plain types ({@link DumpWriter}), which are longer for the
 * compact encodings.
 */
public final class SavedLength {

    /** Redis's intset header: its encoding and its length, 32 bits each. */
    private static final int INTSET_HEADER = 8;

    private SavedLength() {
    }

    /**
     * The serialized length of {@code value}, the store's value of {@code type} in encoding {@code encoding};
     * a list is packed with {@code listFill} ({@code list-max-listpack-size}).
     */
    public static long of(ValueType type, Object value, String encoding, long listFill) {
        if (type == ValueType.STRING) {
            return value instanceof GrowableString g ? string(g.length() <= 11 ? g.toByteArray() : null, g.length()) : string((byte[]) value);
        } else if (type == ValueType.LIST) {
            return QuicklistLayout.of((ListValue) value, listFill).serialized();
        } else if (type == ValueType.HASH) {
            return hash((HashValue) value, encoding.equals("listpack"));
        } else if (type == ValueType.SET) {
            return set((SetValue) value);
        } else if (type == ValueType.ZSET) {
            return zset((ZSetValue) value, encoding.equals("listpack"));
        } else if (type == ValueType.STREAM) {
            return stream((StreamValue) value);
        }
        throw new IllegalArgumentException("no serialized form for type " + type);
    }

    /** rdbSaveLen: 1, 2, 5 or 9 bytes. */
    static long length(long len) {
        if (len >= 0 && len < (1 << 6)) {
            return 1;
        } else if (len >= 0 && len < (1 << 14)) {
            return 2;
        }
        return len >= 0 && len <= 0xffffffffL ? 5 : 9;
    }

    /** rdbSaveRawString without compression: an integer of at most 32 bits in its encoded form, else length and bytes. */
    static long string(byte[] s) {
        return string(s.length <= 11 ? s : null, s.length);
    }

    /** ... of a string of {@code length} bytes, {@code shortBytes} its bytes when it has at most 11 (else null). */
    private static long string(byte[] shortBytes, long length) {
        if (shortBytes != null && RespNumbers.isLong(shortBytes)) {
            long v = RespNumbers.parseLong(shortBytes);
            if (v >= -(1 << 7) && v <= (1 << 7) - 1) {
                return 2;
            } else if (v >= -(1 << 15) && v <= (1 << 15) - 1) {
                return 3;
            } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
                return 5;
            }
        }
        return length(length) + length;
    }

    /** A blob of {@code bytes} (a listpack, an intset) as a string: never an integer, being binary. */
    private static long blob(long bytes) {
        return length(bytes) + bytes;
    }

    private static long hash(HashValue hash, boolean listpack) {
        List<byte[]> entries = hash.entries();
        if (listpack) {
            long bytes = Listpack.EMPTY_BYTES;
            for (byte[] e : entries) {
                bytes += Listpack.entryBytes(e);
            }
            return blob(bytes);
        }
        long n = length(hash.size());
        for (byte[] e : entries) {
            n += string(e);
        }
        return n;
    }

    private static long set(SetValue set) {
        List<byte[]> members = set.members();
        int width = set.intsetWidth();
        if (width > 0) {
            return blob(INTSET_HEADER + (long) width * members.size());
        }
        long n = length(members.size());
        for (byte[] m : members) {
            n += string(m);
        }
        return n;
    }

    private static long zset(ZSetValue zset, boolean listpack) {
        long[] n = {listpack ? Listpack.EMPTY_BYTES : length(zset.size())};
        zset.forEach((member, score) -> {
            if (listpack) {
                // the score as zzlInsertAt stores it: an integer when it is one (double2ll), else d2string's %.17g
                n[0] += Listpack.entryBytes(member) + Listpack.entryBytes(RespDoubles.formatCompact(score));
            } else {
                n[0] += string(member) + 8; // the member, then the score as a binary double (RDB_TYPE_ZSET_2)
            }
        });
        return listpack ? blob(n[0]) : n[0];
    }

    /** RDB_TYPE_STREAM_LISTPACKS_2, as {@link DumpWriter} writes it (its node listpacks as they are), counted. */
    private static long stream(StreamValue s) {
        List<StreamValue.NodeBytes> nodes = s.nodeBytes();
        long n = length(nodes.size());
        for (StreamValue.NodeBytes node : nodes) {
            n += blob(16) + blob(node.listpack().length);
        }
        n += length(s.length()) + length(s.lastId().ms()) + length(s.lastId().seq()) + length(s.firstId().ms())
                + length(s.firstId().seq()) + length(s.maxDeletedId().ms()) + length(s.maxDeletedId().seq())
                + length(s.entriesAdded()) + length(s.groupCount());
        for (StreamGroup g : s.groups()) {
            n += string(g.name()) + length(g.lastMs()) + length(g.lastSeq()) + length(g.entriesRead()) + length(g.pendingCount());
            for (StreamGroup.PendingCursor p = g.firstPending(); p.valid(); p.next()) {
                n += 16 + 8 + length(p.nack().deliveryCount()); // the ID, the delivery time, the count
            }
            n += length(g.consumerCount());
            for (StreamConsumer c : g.consumers()) {
                n += string(c.name()) + 8 + length(c.pendingCount()) + 16L * c.pendingCount();
            }
        }
        return n;
    }
}
