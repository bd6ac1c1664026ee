package io.percore.demo.rdb;

import io.percore.demo.kv.ByteString;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.StreamConsumer;
import io.percore.demo.kv.StreamGroup;
import io.percore.demo.kv.StreamLoader;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.ValueType;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.resp.RespDoubles;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongConsumer;

/**
 * Reads the value of a DUMP payload (Redis's {@code rdbLoadObject} for one object): every type and
 * encoding redis-server 7.0 writes (strings as integers, LZF-compressed or raw; lists as quicklists
 * of listpacks or plain nodes; sets as intsets or tables; hashes and sorted sets as listpacks or
 * tables; streams as their listpacks with their consumer groups, in the forms of Redis 7.0 and of
 * 5.0 to 6.2) and the plain older forms (LIST, ZSET with text scores). Not loadable here: module
 * values (this server keeps none) and the encodings of Redis 6.2 and older (zipmap, ziplist,
 * quicklist version 1).
 *
 * <p>Everything in a payload is the peer's word, so nothing it declares is believed before it is
 * checked: a length is compared with the bytes that remain before anything is allocated, a
 * compressed string's length with the most LZF can expand to and with {@code proto-max-bulk-len},
 * and the value's growing size with the shard's memory budget ({@link Limits#requireFits}) as it
 * is read. Counts are never used to size an allocation: every element takes at least one byte, so
 * a loop over a declared count ends with the input. Any inconsistency is a
 * {@link BadPayloadException}; a value too large for the budget is the budget's own exception.
 */
public final class RdbReader {

    /** The loaded value: its type and what the store keeps for it (the bytes of a string, or the aggregate). */
    public record Restored(ValueType type, Object value) {
    }

    /**
     * What bounds a load.
     *
     * @param maxStringLength the longest string (Redis's {@code proto-max-bulk-len})
     * @param requireFits     given the value's estimated bytes so far, throws when they cannot fit the shard
     * @param zsetLimits      when a loaded sorted set is compact, as after ZADD
     */
    public record Limits(long maxStringLength, LongConsumer requireFits, ZSetValue.Limits zsetLimits,
                         io.percore.demo.kv.HashValue.Limits hashLimits, io.percore.demo.kv.SetValue.Limits setLimits) {
    }

    /** The estimate of an element's cost beyond its bytes, charged as the value is read (a hash field's is about this). */
    private static final long ELEMENT_OVERHEAD = 64;

    private final byte[] in;
    private final Limits limits;
    private int pos;
    /** Whether the last {@link #readLength} read a special string encoding rather than a length. */
    private boolean encoded;
    private long charged;

    private RdbReader(byte[] in, Limits limits) {
        this.in = in;
        this.limits = limits;
    }

    /**
     * Whether {@code payload} ends with a version this server reads (Redis 7.0's RDB 10 or older)
     * and the right CRC-64 (Redis's {@code verifyDumpPayload}).
     */
    public static boolean footerValid(byte[] payload) {
        int len = payload.length;
        if (len < 10) {
            return false;
        }
        int version = (payload[len - 10] & 0xff) | (payload[len - 9] & 0xff) << 8;
        if (version > RdbType.RDB_VERSION) {
            return false;
        }
        long crc = Crc64.update(0, payload, 0, len - 8);
        for (int i = 0; i < 8; i++) {
            if ((byte) (crc >>> (8 * i)) != payload[len - 8 + i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The value in {@code payload}, whose footer {@link #footerValid} has checked. Like Redis, the
     * reader runs over the whole payload (footer included) and ignores bytes the value leaves unread.
     *
     * @throws BadPayloadException when the payload cannot be loaded
     */
    public static Restored read(byte[] payload, Limits limits) {
        return new RdbReader(payload, limits).readObject();
    }

    private Restored readObject() {
        return readObject(readByte());
    }

    // ------------------------------------------------------------------ an RDB file, read through this reader (RdbFileReader)

    /** A reader over a whole RDB file's bytes, from {@code from}. */
    static RdbReader over(byte[] file, int from, Limits limits) {
        RdbReader reader = new RdbReader(file, limits);
        reader.pos = from;
        return reader;
    }

    int position() {
        return pos;
    }

    int nextByte() {
        return readByte();
    }

    long nextLongLE() {
        return readLongLE();
    }

    int nextIntLE() {
        require(4);
        int v = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16 | (in[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    /** A plain length (not a string encoding). */
    long nextLength() {
        long len = readLength();
        if (encoded) {
            throw new BadPayloadException("an encoded string where a length belongs");
        }
        return len;
    }

    /** A string that is not part of a value (a key, an auxiliary field): bounded, not charged. */
    byte[] nextString() {
        charged = 0;
        return readString(false);
    }

    /** The value of type {@code type} that follows its key; what it holds is charged afresh. */
    Restored nextObject(int type) {
        charged = 0;
        return readObject(type);
    }

    private Restored readObject(int type) {
        switch (type) {
            case RdbType.STRING:
                return new Restored(ValueType.STRING, readString(true));
            case RdbType.LIST:
                return new Restored(ValueType.LIST, readPlainList());
            case RdbType.SET:
                return new Restored(ValueType.SET, readSet());
            case RdbType.ZSET:
            case RdbType.ZSET_2:
                return new Restored(ValueType.ZSET, readZSet(type == RdbType.ZSET_2));
            case RdbType.HASH:
                return new Restored(ValueType.HASH, readHash());
            case RdbType.LIST_QUICKLIST_2:
                return new Restored(ValueType.LIST, readQuicklist());
            case RdbType.SET_INTSET:
                return new Restored(ValueType.SET, readIntset());
            case RdbType.HASH_LISTPACK:
                return new Restored(ValueType.HASH, readHashListpack());
            case RdbType.ZSET_LISTPACK:
                return new Restored(ValueType.ZSET, readZSetListpack());
            case RdbType.STREAM_LISTPACKS:
            case RdbType.STREAM_LISTPACKS_2:
                return new Restored(ValueType.STREAM, readStream(type == RdbType.STREAM_LISTPACKS_2));
            case RdbType.MODULE:
            case RdbType.MODULE_2:
                throw new BadPayloadException("a module value: this server loads no modules");
            case RdbType.HASH_ZIPMAP:
            case RdbType.LIST_ZIPLIST:
            case RdbType.ZSET_ZIPLIST:
            case RdbType.HASH_ZIPLIST:
            case RdbType.LIST_QUICKLIST:
                throw new BadPayloadException("type " + type + ": an encoding of Redis 6.2 or older, not read here");
            default:
                throw new BadPayloadException("unknown object type " + type);
        }
    }

    // ------------------------------------------------------------------ aggregates

    private ListValue readPlainList() {
        long len = readCount();
        ListValue list = new ListValue();
        for (long i = 0; i < len; i++) {
            list.addLast(readString(true));
        }
        return list;
    }

    private SetValue readSet() {
        long len = readCount();
        SetValue set = new SetValue();
        for (long i = 0; i < len; i++) {
            if (!set.add(readString(true), limits.setLimits())) {
                throw new BadPayloadException("duplicate set member");
            }
        }
        return set;
    }

    private HashValue readHash() {
        long len = readCount();
        HashValue hash = new HashValue();
        for (long i = 0; i < len; i++) {
            byte[] field = readString(true);
            byte[] value = readString(true);
            if (!hash.put(field, value, limits.hashLimits())) {
                throw new BadPayloadException("duplicate hash field");
            }
        }
        return hash;
    }

    private ZSetValue readZSet(boolean binaryScores) {
        long len = readCount();
        ZSetBuilder zset = new ZSetBuilder();
        for (long i = 0; i < len; i++) {
            byte[] member = readString(true);
            zset.add(member, binaryScores ? Double.longBitsToDouble(readLongLE()) : readTextScore());
        }
        return zset.build(limits.zsetLimits());
    }

    private ListValue readQuicklist() {
        long nodes = readLength();
        if (encoded) {
            throw new BadPayloadException("an encoded string where a node count belongs");
        }
        ListValue list = new ListValue();
        for (long n = 0; n < nodes; n++) {
            long container = readLength();
            if (encoded || (container != RdbType.CONTAINER_PACKED && container != RdbType.CONTAINER_PLAIN)) {
                throw new BadPayloadException("quicklist node container " + container);
            }
            if (container == RdbType.CONTAINER_PLAIN) {
                byte[] element = readString(true);
                if (element.length == 0) {
                    throw new BadPayloadException("empty plain quicklist node");
                }
                list.addLast(element);
                continue;
            }
            byte[] lp = readString(false);
            if (lp.length == 0) {
                throw new BadPayloadException("empty quicklist node");
            }
            Listpack.forEach(lp, element -> {
                charge(element.length);
                list.addLast(element);
            });
        }
        if (list.size() == 0) {
            throw new BadPayloadException("empty list");
        }
        return list;
    }

    private SetValue readIntset() {
        SetValue set = new SetValue();
        Intset.forEach(readString(false), member -> {
            charge(member.length);
            set.add(member, limits.setLimits());
        });
        return set;
    }

    private HashValue readHashListpack() {
        HashValue hash = new HashValue();
        byte[][] field = new byte[1][];
        int count = Listpack.forEach(readString(false), entry -> {
            charge(entry.length);
            if (field[0] == null) {
                field[0] = entry;
                return;
            }
            if (!hash.put(field[0], entry, limits.hashLimits())) {
                throw new BadPayloadException("duplicate hash field");
            }
            field[0] = null;
        });
        if (count == 0 || count % 2 != 0) {
            throw new BadPayloadException("hash listpack with " + count + " entries");
        }
        return hash;
    }

    private ZSetValue readZSetListpack() {
        ZSetBuilder zset = new ZSetBuilder();
        byte[][] member = new byte[1][];
        int count = Listpack.forEach(readString(false), entry -> {
            charge(entry.length);
            if (member[0] == null) {
                member[0] = entry;
                return;
            }
            // written by Redis's d2string: an integer, %.17g, "inf" or "-inf"
            double score = RespDoubles.parse(entry);
            if (Double.isNaN(score)) {
                throw new BadPayloadException("sorted set listpack score is not a number");
            }
            zset.add(member[0], score);
            member[0] = null;
        });
        if (count == 0 || count % 2 != 0) {
            throw new BadPayloadException("sorted set listpack with " + count + " entries");
        }
        return zset.build(limits.zsetLimits());
    }

    /**
     * A stream (rdbLoadObject's RDB_TYPE_STREAM_LISTPACKS and _2): its nodes, counters, groups with
     * their pending entries, consumers with theirs. {@link StreamLoader} checks each part as it comes.
     */
    private StreamValue readStream(boolean v2) {
        StreamLoader loader = new StreamLoader(bytes -> limits.requireFits().accept(charged + bytes));
        try {
            long nodes = plainLength();
            for (long n = 0; n < nodes; n++) {
                byte[] key = readString(false);
                loader.node(key, readString(false));
            }
            long length = plainLength();
            long lastMs = plainLength();
            long lastSeq = plainLength();
            if (v2) {
                long firstMs = plainLength();
                long firstSeq = plainLength();
                long maxDeletedMs = plainLength();
                long maxDeletedSeq = plainLength();
                loader.counters(length, lastMs, lastSeq, firstMs, firstSeq, maxDeletedMs, maxDeletedSeq, plainLength(), true);
            } else {
                loader.counters(length, lastMs, lastSeq, 0, 0, 0, 0, 0, false);
            }
            long groups = plainLength();
            for (long n = 0; n < groups; n++) {
                byte[] name = readString(false);
                long ms = plainLength();
                long seq = plainLength();
                StreamGroup g = loader.group(name, ms, seq, v2 ? plainLength() : null);
                long pending = plainLength();
                for (long i = 0; i < pending; i++) {
                    long[] id = rawId();
                    long deliveryTime = readLongLE();
                    loader.pending(g, id[0], id[1], deliveryTime, plainLength());
                }
                long consumers = plainLength();
                for (long i = 0; i < consumers; i++) {
                    byte[] consumerName = readString(false);
                    StreamConsumer c = loader.consumer(g, consumerName, readLongLE());
                    long owned = plainLength();
                    for (long k = 0; k < owned; k++) {
                        long[] id = rawId();
                        loader.consumerPending(g, c, id[0], id[1]);
                    }
                }
                loader.groupDone(g);
            }
        } catch (IllegalArgumentException e) {
            throw new BadPayloadException(e.getMessage());
        }
        return loader.finish();
    }

    /** A length that is no string encoding. */
    private long plainLength() {
        long len = readLength();
        if (encoded) {
            throw new BadPayloadException("an encoded string where a length belongs");
        }
        return len;
    }

    /** A stream ID as 16 raw big-endian bytes (rdbWriteRaw of a radix tree key). */
    private long[] rawId() {
        require(16);
        long ms = 0;
        long seq = 0;
        for (int b = 0; b < 8; b++) {
            ms = ms << 8 | (in[pos + b] & 0xffL);
            seq = seq << 8 | (in[pos + 8 + b] & 0xffL);
        }
        pos += 16;
        return new long[] {ms, seq};
    }

    /** Members and scores as read, checked for repeats, then sorted into a set as ZADD would have built it. */
    private static final class ZSetBuilder {
        private final List<ZSetValue.Entry> entries = new ArrayList<>();
        private final Set<ByteString> seen = new HashSet<>();

        void add(byte[] member, double score) {
            if (Double.isNaN(score)) {
                throw new BadPayloadException("sorted set score NaN");
            }
            if (!seen.add(new ByteString(member))) {
                throw new BadPayloadException("duplicate sorted set member");
            }
            entries.add(new ZSetValue.Entry(member, score));
        }

        ZSetValue build(ZSetValue.Limits limits) {
            entries.sort((a, b) -> a.score() < b.score() ? -1 : a.score() > b.score() ? 1
                    : java.util.Arrays.compareUnsigned(a.member(), b.member()));
            return ZSetValue.of(entries, limits);
        }
    }

    // ------------------------------------------------------------------ primitives

    private int readByte() {
        if (pos >= in.length) {
            throw new BadPayloadException("payload ends early");
        }
        return in[pos++] & 0xff;
    }

    private long readLongLE() {
        require(8);
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (in[pos + i] & 0xffL);
        }
        pos += 8;
        return v;
    }

    private void require(long bytes) {
        if (bytes < 0 || bytes > in.length - pos) {
            throw new BadPayloadException("a length of " + Long.toUnsignedString(bytes) + " past the payload's end");
        }
    }

    /** An aggregate's element count: a plain length, and not zero (Redis refuses an empty aggregate). */
    private long readCount() {
        long len = readLength();
        if (encoded) {
            throw new BadPayloadException("an encoded string where a count belongs");
        }
        if (len == 0) {
            throw new BadPayloadException("empty aggregate");
        }
        return len;
    }

    /** rdbLoadLen: a length (unsigned, possibly past Long.MAX_VALUE) or, with {@link #encoded}, a string encoding. */
    private long readLength() {
        int b = readByte();
        encoded = false;
        int kind = (b & 0xC0) >> 6;
        if (kind == RdbType.ENCVAL) {
            encoded = true;
            return b & 0x3F;
        }
        if (kind == RdbType.LEN_6BIT) {
            return b & 0x3F;
        }
        if (kind == RdbType.LEN_14BIT) {
            return (b & 0x3F) << 8 | readByte();
        }
        if (b == RdbType.LEN_32BIT) {
            require(4);
            long v = 0;
            for (int i = 0; i < 4; i++) {
                v = v << 8 | (in[pos++] & 0xffL);
            }
            return v;
        }
        if (b == RdbType.LEN_64BIT) {
            require(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = v << 8 | (in[pos++] & 0xffL);
            }
            return v;
        }
        throw new BadPayloadException("unknown length encoding " + b);
    }

    /**
     * rdbGenericLoadStringObject: an integer in 1, 2 or 4 bytes (as its decimal text), an LZF
     * block, or a length and that many bytes. {@code element} says whether the string is an element
     * of the value (charged to the budget as part of it) or a container to be read further (a
     * listpack, an intset: only checked against the budget, as its entries are charged when read).
     */
    private byte[] readString(boolean element) {
        long len = readLength();
        if (encoded) {
            switch ((int) len) {
                case RdbType.ENC_INT8:
                    return chargeElement(Listpack.decimal((byte) readByte()), element);
                case RdbType.ENC_INT16: {
                    int lo = readByte();
                    return chargeElement(Listpack.decimal((short) (lo | readByte() << 8)), element);
                }
                case RdbType.ENC_INT32: {
                    require(4);
                    int v = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16 | (in[pos + 3] & 0xff) << 24;
                    pos += 4;
                    return chargeElement(Listpack.decimal(v), element);
                }
                case RdbType.ENC_LZF:
                    return readLzf(element);
                default:
                    throw new BadPayloadException("unknown string encoding " + len);
            }
        }
        require(len);
        admit(len, element);
        byte[] out = new byte[(int) len];
        System.arraycopy(in, pos, out, 0, (int) len);
        pos += (int) len;
        return out;
    }

    private byte[] readLzf(boolean element) {
        long compressed = readLength();
        if (encoded) {
            throw new BadPayloadException("an encoded string where an LZF length belongs");
        }
        long length = readLength();
        if (encoded) {
            throw new BadPayloadException("an encoded string where an LZF length belongs");
        }
        require(compressed);
        if (Long.compareUnsigned(length, compressed * Lzf.MAX_EXPANSION) > 0) {
            throw new BadPayloadException("LZF length " + Long.toUnsignedString(length) + " beyond what "
                    + compressed + " compressed bytes can hold");
        }
        admit(length, element);
        byte[] out = new byte[(int) length];
        if (Lzf.decompress(in, pos, (int) compressed, out) != length) {
            throw new BadPayloadException("corrupt LZF data");
        }
        pos += (int) compressed;
        return out;
    }

    /** A string of {@code len} bytes may be allocated: within proto-max-bulk-len and the budget. */
    private void admit(long len, boolean element) {
        if (len > limits.maxStringLength() || len > DumpWriter.MAX_PAYLOAD) {
            throw new BadPayloadException("a string of " + len + " bytes, longer than proto-max-bulk-len", true);
        }
        if (element) {
            charge(len);
        } else {
            limits.requireFits().accept(charged + len);
        }
    }

    private byte[] chargeElement(byte[] value, boolean element) {
        if (element) {
            charge(value.length);
        }
        return value;
    }

    private void charge(long bytes) {
        charged += bytes + ELEMENT_OVERHEAD;
        limits.requireFits().accept(charged);
    }

    /** The old ZSET's score: a length byte (253 NaN, 254 +inf, 255 -inf) and that many bytes of text read by sscanf("%lg"). */
    private double readTextScore() {
        int len = readByte();
        switch (len) {
            case 255:
                return Double.NEGATIVE_INFINITY;
            case 254:
                return Double.POSITIVE_INFINITY;
            case 253:
                return Double.NaN;
            default:
                require(len);
                byte[] text = new byte[len];
                System.arraycopy(in, pos, text, 0, len);
                pos += len;
                double score = RespDoubles.parseLeading(text);
                if (Double.isNaN(score)) {
                    throw new BadPayloadException("sorted set score text is not a number");
                }
                return score;
        }
    }
}
