package io.percore.operator.backup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads an RDB stream to its end as it passes, the way {@code redis-check-rdb} judges a file complete: the
 * {@code REDIS<version>} header, every opcode and value up to the EOF opcode (each value's structure walked, its
 * bytes not decoded), then the CRC-64 trailer over everything before it, and nothing after. Every byte read is handed
 * to a copy (the upload, the file being restored) and to a SHA-256 before it is parsed, so one pass over the stream
 * checks, counts and moves it; nothing is held but one 64 KiB buffer.
 *
 * <p>A peer controls every length in the stream: none is allocated, each is skipped, and {@code maxBytes} bounds
 * the whole, so a claimed length of 2^62 ends as a truncated stream, not as a huge buffer.
 */
public final class RdbCheck {

    /** The newest RDB version the demo service and Redis 7.0 load: a newer snapshot could not be restored. */
    public static final int MAX_VERSION = 10;
    /** Aux values longer than this (Redis 5's {@code lua} scripts) are skipped, not kept. */
    private static final int MAX_KEPT_AUX = 1024;

    /**
     * What a complete RDB held.
     *
     * @param version        the RDB format version of its header
     * @param bytes          its size
     * @param keys           keys in all databases (an empty collection Redis would drop is counted, as the file holds it)
     * @param keysWithExpiry of those, the keys with a TTL
     * @param functions      function libraries (Redis 7's FUNCTION2)
     * @param checksummed    whether its writer computed the CRC-64 (0 in the trailer: {@code rdbchecksum no})
     * @param sha256         the SHA-256 of all its bytes, in lower-case hex
     * @param aux            its short aux fields ({@code redis-ver}, {@code repl-id}, {@code repl-offset}, {@code ctime} ...)
     */
    public record Summary(int version, long bytes, long keys, long keysWithExpiry, long functions, boolean checksummed,
                          String sha256, Map<String, String> aux) {
    }

    private final InputStream in;
    private final OutputStream copy;
    private final long maxBytes;
    private final MessageDigest sha;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int limit;
    /** The stream's offset of {@code buf[0]}. */
    private long base;
    private long crc;
    /** {@code buf[0..crcFolded)} is in {@link #crc}. */
    private int crcFolded;
    /** Whether the last length read was an encoded string's marker (the value is then its encoding). */
    private boolean encoded;
    private String context = "the header";

    private RdbCheck(InputStream in, OutputStream copy, long maxBytes) {
        this.in = in;
        this.copy = copy;
        this.maxBytes = maxBytes;
        try {
            this.sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    /**
     * Reads {@code in} to its end, writing every byte to {@code copy} as it is read.
     *
     * @throws RdbException when the stream is not one complete RDB of at most {@code maxBytes} (what and at which byte)
     * @throws IOException  when reading {@code in} or writing {@code copy} fails
     */
    public static Summary check(InputStream in, OutputStream copy, long maxBytes) throws IOException {
        return new RdbCheck(in, copy, maxBytes).run();
    }

    private Summary run() throws IOException {
        byte[] header = new byte[9];
        for (int i = 0; i < 9; i++) {
            header[i] = (byte) readU8();
        }
        String magic = new String(header, StandardCharsets.ISO_8859_1);
        if (!magic.startsWith("REDIS") || !magic.substring(5).chars().allMatch(Character::isDigit)) {
            throw corrupt("not an RDB stream: it does not start with REDIS and a 4-digit version");
        }
        int version = Integer.parseInt(magic.substring(5));
        if (version < 1 || version > MAX_VERSION) {
            throw corrupt("RDB version " + version + ": this service loads versions 1 to " + MAX_VERSION + " (Redis 7.0's)");
        }
        long keys = 0;
        long expiring = 0;
        long functions = 0;
        boolean expiry = false;
        Map<String, String> aux = new LinkedHashMap<>();
        while (true) {
            long at = offset();
            int type = readU8();
            switch (type) {
                case 253 -> { // EXPIRETIME (seconds, before Redis 3)
                    context = "an expire time";
                    skip(4);
                    expiry = true;
                }
                case 252 -> { // EXPIRETIME_MS
                    context = "an expire time";
                    skip(8);
                    expiry = true;
                }
                case 249 -> { // FREQ
                    context = "an LFU frequency";
                    skip(1);
                }
                case 248 -> { // IDLE
                    context = "an LRU idle time";
                    readLength();
                }
                case 254 -> { // SELECTDB
                    context = "a database number";
                    readLength();
                }
                case 251 -> { // RESIZEDB
                    context = "a resize hint";
                    readLength();
                    readLength();
                }
                case 250 -> { // AUX
                    context = "an aux field";
                    String key = readShortString();
                    String value = readShortString();
                    if (key != null && value != null && aux.size() < 64) {
                        aux.put(key, value);
                    }
                }
                case 247 -> { // MODULE_AUX
                    context = "module aux data";
                    readLength();
                    if (readLength() != 2) {
                        throw corrupt("module aux data whose 'when' is not an unsigned integer");
                    }
                    readLength();
                    skipModuleValue();
                }
                case 246 -> { // FUNCTION (Redis 7.0's release candidates)
                    context = "a function library";
                    skipString();
                    skipString();
                    if (readLength() != 0) {
                        skipString();
                    }
                    skipString();
                    functions++;
                }
                case 245 -> { // FUNCTION2
                    context = "a function library";
                    skipString();
                    functions++;
                }
                case 255 -> { // EOF
                    return end(version, keys, expiring, functions, aux);
                }
                default -> {
                    if (expiry && !isObjectType(type)) {
                        throw corrupt("an expire time followed by opcode " + type + ", not a key");
                    }
                    context = "the key at byte " + at;
                    skipString();
                    skipValue(type, at);
                    keys++;
                    if (expiry) {
                        expiring++;
                    }
                    expiry = false;
                    continue;
                }
            }
            if (expiry && type != 253 && type != 252 && type != 249 && type != 248) {
                throw corrupt("an expire time followed by opcode " + type + ", not a key");
            }
        }
    }

    private static boolean isObjectType(int type) {
        return (type >= 0 && type <= 7) || (type >= 9 && type <= 19);
    }

    /** After the EOF opcode: the CRC-64 of everything before it (version 5 on), then the end of the stream. */
    private Summary end(int version, long keys, long expiring, long functions, Map<String, String> aux) throws IOException {
        context = "the checksum";
        foldCrc(pos);
        long computed = crc;
        boolean checksummed = false;
        if (version >= 5) {
            long stored = 0;
            for (int i = 0; i < 8; i++) {
                stored |= (long) readU8() << (8 * i);
            }
            if (stored != 0) {
                if (stored != computed) {
                    throw corrupt(String.format("wrong CRC-64: the file says %016x, its bytes give %016x", stored, computed));
                }
                checksummed = true;
            }
        }
        long size = offset();
        if (pos < limit || fill()) {
            throw new RdbException("not a complete RDB: bytes follow its end at byte " + size, size, RdbException.Kind.CORRUPT);
        }
        return new Summary(version, size, keys, expiring, functions, checksummed, HexFormat.of().formatHex(sha.digest()), aux);
    }

    private void skipValue(int type, long at) throws IOException {
        context = "the value of the key at byte " + at;
        switch (type) {
            case 0, 9, 10, 11, 12, 13, 16, 17 -> skipString(); // a string, or a ziplist/listpack/intset/zipmap blob
            case 1, 2, 14 -> { // list or set of strings; quicklist of ziplists
                for (long n = readCount(); n > 0; n--) {
                    skipString();
                }
            }
            case 3 -> { // zset, scores as strings
                for (long n = readCount(); n > 0; n--) {
                    skipString();
                    int len = readU8();
                    if (len < 253) {
                        skip(len);
                    }
                }
            }
            case 4 -> { // hash
                for (long n = readCount(); n > 0; n--) {
                    skipString();
                    skipString();
                }
            }
            case 5 -> { // zset, binary scores
                for (long n = readCount(); n > 0; n--) {
                    skipString();
                    skip(8);
                }
            }
            case 6 -> throw corrupt("a module value of the first format, which only its module can read");
            case 7 -> {
                readLength();
                skipModuleValue();
            }
            case 18 -> { // quicklist 2: a container kind per node
                for (long n = readCount(); n > 0; n--) {
                    long container = readLength();
                    if (container != 1 && container != 2) {
                        throw corrupt("a quicklist node of container kind " + container);
                    }
                    skipString();
                }
            }
            case 15, 19 -> skipStream(type == 19);
            default -> throw corrupt("unknown opcode or value type " + type);
        }
    }

    private void skipStream(boolean v2) throws IOException {
        for (long n = readCount(); n > 0; n--) {
            skipString(); // the node's master id
            skipString(); // its listpack
        }
        readLength(); // length
        readLength(); // last id
        readLength();
        if (v2) {
            for (int i = 0; i < 5; i++) { // first id, max deleted id, entries added
                readLength();
            }
        }
        for (long groups = readCount(); groups > 0; groups--) {
            skipString(); // name
            readLength(); // last delivered id
            readLength();
            if (v2) {
                readLength(); // entries read
            }
            for (long pel = readCount(); pel > 0; pel--) {
                skip(16 + 8); // id, delivery time
                readLength(); // delivery count
            }
            for (long consumers = readCount(); consumers > 0; consumers--) {
                skipString(); // name
                skip(8); // seen time
                for (long pel = readCount(); pel > 0; pel--) {
                    skip(16);
                }
            }
        }
    }

    /** A module value of the second format: typed fields up to their EOF opcode, readable without the module. */
    private void skipModuleValue() throws IOException {
        while (true) {
            long opcode = readLength();
            switch ((int) Math.min(opcode, 100)) {
                case 0 -> {
                    return;
                }
                case 1, 2 -> readLength();
                case 3 -> skip(4);
                case 4 -> skip(8);
                case 5 -> skipString();
                default -> throw corrupt("a module value field of unknown kind " + opcode);
            }
        }
    }

    private void skipString() throws IOException {
        long len = readLengthOrEncoding();
        if (!encoded) {
            skip(len);
            return;
        }
        switch ((int) len) {
            case 0 -> skip(1);
            case 1 -> skip(2);
            case 2 -> skip(4);
            case 3 -> {
                long compressed = readLength();
                readLength(); // uncompressed length
                skip(compressed);
            }
            default -> throw corrupt("a string of unknown encoding " + len);
        }
    }

    /** A string kept as text when short (aux fields), else skipped: null. */
    private String readShortString() throws IOException {
        long len = readLengthOrEncoding();
        if (encoded) {
            switch ((int) len) {
                case 0 -> {
                    return Long.toString((byte) readU8());
                }
                case 1 -> {
                    return Long.toString((short) (readU8() | readU8() << 8));
                }
                case 2 -> {
                    return Long.toString(readU8() | readU8() << 8 | readU8() << 16 | (long) readU8() << 24);
                }
                default -> {
                    encoded = false;
                    long compressed = readLength();
                    readLength();
                    skip(compressed);
                    return null;
                }
            }
        }
        if (len < 0 || len > MAX_KEPT_AUX) {
            skip(len);
            return null;
        }
        byte[] b = new byte[(int) len];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) readU8();
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** A number of elements: one of 2^63 or more cannot be (nor counted down). */
    private long readCount() throws IOException {
        long n = readLength();
        if (n < 0) {
            throw corrupt("a count of 2^63 or more");
        }
        return n;
    }

    /** A length or a number (stream ids and counters use all 64 bits: a group's unknown entries-read is 2^64-1). */
    private long readLength() throws IOException {
        long len = readLengthOrEncoding();
        if (encoded) {
            throw corrupt("an encoded string where a length belongs");
        }
        return len;
    }

    /** Redis's {@code rdbLoadLen}: 6, 14, 32 or 64 bits, or (two high bits set) a string's encoding in {@link #encoded}. */
    private long readLengthOrEncoding() throws IOException {
        int b = readU8();
        encoded = false;
        switch (b >> 6) {
            case 0 -> {
                return b & 0x3f;
            }
            case 1 -> {
                return (long) (b & 0x3f) << 8 | readU8();
            }
            case 3 -> {
                encoded = true;
                return b & 0x3f;
            }
            default -> {
                long v;
                if (b == 0x80) {
                    v = 0;
                    for (int i = 0; i < 4; i++) {
                        v = v << 8 | readU8();
                    }
                } else if (b == 0x81) {
                    v = 0;
                    for (int i = 0; i < 8; i++) {
                        v = v << 8 | readU8();
                    }
                } else {
                    throw corrupt(String.format("a length of unknown form 0x%02x", b));
                }
                return v;
            }
        }
    }

    private int readU8() throws IOException {
        if (pos == limit && !fill()) {
            throw truncated();
        }
        return buf[pos++] & 0xff;
    }

    private void skip(long n) throws IOException {
        if (n < 0) {
            throw corrupt("a length of 2^63 or more");
        }
        while (n > 0) {
            if (pos == limit && !fill()) {
                throw truncated();
            }
            int take = (int) Math.min(n, limit - pos);
            pos += take;
            n -= take;
        }
    }

    /** The next chunk, once every byte of this one is consumed: copied, hashed, its CRC folded in. False at the end. */
    private boolean fill() throws IOException {
        foldCrc(limit);
        base += limit;
        pos = 0;
        limit = 0;
        crcFolded = 0;
        int n;
        do {
            n = in.read(buf, 0, buf.length);
        } while (n == 0);
        if (n < 0) {
            return false;
        }
        if (base + n > maxBytes) {
            throw new RdbException("the snapshot is larger than the " + maxBytes + " bytes allowed", base + n, RdbException.Kind.TOO_LARGE);
        }
        copy.write(buf, 0, n);
        sha.update(buf, 0, n);
        limit = n;
        return true;
    }

    private void foldCrc(int upTo) {
        if (upTo > crcFolded) {
            crc = Crc64.update(crc, buf, crcFolded, upTo - crcFolded);
            crcFolded = upTo;
        }
    }

    private long offset() {
        return base + pos;
    }

    private RdbException corrupt(String what) {
        return new RdbException("not a valid RDB: " + what + " (byte " + offset() + ")", offset(), RdbException.Kind.CORRUPT);
    }

    private RdbException truncated() {
        return new RdbException("a truncated RDB: it ends at byte " + offset() + ", inside " + context, offset(), RdbException.Kind.TRUNCATED);
    }

    /** The stream is not one complete RDB: why, and where. */
    public static final class RdbException extends IOException {

        /** What is wrong with the stream. */
        public enum Kind {
            /** Its bytes are not a valid RDB. */
            CORRUPT,
            /** It ends before its RDB does. */
            TRUNCATED,
            /** It is longer than allowed. */
            TOO_LARGE
        }

        private final long offset;
        private final Kind kind;

        RdbException(String message, long offset, Kind kind) {
            super(message);
            this.offset = offset;
            this.kind = kind;
        }

        /** The byte of the stream where it went wrong. */
        public long offset() {
            return offset;
        }

        public Kind kind() {
            return kind;
        }

        /** The failure this is for a backup or a restore. */
        public Failure failure() {
            return switch (kind) {
                case CORRUPT -> Failure.CORRUPT_SNAPSHOT;
                case TRUNCATED -> Failure.TRUNCATED_SNAPSHOT;
                case TOO_LARGE -> Failure.SNAPSHOT_TOO_LARGE;
            };
        }
    }
}
