package io.percore.demo.rdb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads an RDB file written by redis-server (versions 1 to 10, so 7.0's) or by this server
 * ({@link RdbFileWriter}): every key of every database with its value and expiry, handed to
 * {@link Entries} in file order, so the caller routes each key to the shard that owns it now
 * (whatever the shard count was when it was written). Auxiliary fields and the LRU/LFU hints are
 * skipped, as a Redis without the matching policy does; function libraries are handed over as their
 * code. What this server cannot hold (a database past its {@code databases}, module data) stops the load with the reason, rather than
 * dropping data silently. The CRC-64 at the end is checked when the writer computed one.
 *
 * <p>A {@link BadPayloadException} from here names the file, the offset and the reason.
 */
public final class RdbFileReader {

    /** Receives each key. */
    public interface Entries {
        /** {@code expireAtMs} below 0 for none. */
        void entry(byte[] key, RdbReader.Restored value, long expireAtMs);

        /** A key of database {@code db}; a reader of one database (read with {@code databases} 1) gets only database 0's. */
        default void entry(int db, byte[] key, RdbReader.Restored value, long expireAtMs) {
            entry(key, value, expireAtMs);
        }

        /**
         * A function library's code ({@code RDB_OPCODE_FUNCTION2}), in file order, before the keys; a
         * reader that does not override this refuses a file with libraries rather than drop them.
         */
        default void function(byte[] code) {
            throw new BadPayloadException("a function library, which this reader does not load");
        }
    }

    /** What the file held; {@code replication} where it stands in a replication stream (its repl-id and repl-offset), or null. */
    public record Summary(int version, long keys, long expires, ReplicationInfo replication) {
    }

    private RdbFileReader() {
    }

    /**
     * Reads {@code file} whole. A file larger than a quarter of the max heap is refused before it is
     * read: its bytes and the keys made from them would not fit beside each other (nor past 2 GB, an
     * array's limit).
     */
    public static Summary read(Path file, RdbReader.Limits limits, Entries entries) throws IOException {
        return read(file, limits, 1, entries);
    }

    /** {@link #read(Path, RdbReader.Limits, Entries)} for a server of {@code databases} databases: a key of another is refused. */
    public static Summary read(Path file, RdbReader.Limits limits, int databases, Entries entries) throws IOException {
        long size = Files.size(file);
        long most = Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 4);
        if (size > most) {
            throw new BadPayloadException(file + ": " + size + " bytes, more than this JVM can load from one file (" + most
                    + " bytes: a quarter of the max heap); raise -Xmx");
        }
        return read(file.toString(), Files.readAllBytes(file), limits, databases, entries);
    }

    static Summary read(String name, byte[] bytes, RdbReader.Limits limits, Entries entries) {
        return read(name, bytes, limits, 1, entries);
    }

    static Summary read(String name, byte[] bytes, RdbReader.Limits limits, int databases, Entries entries) {
        RdbReader in = RdbReader.over(bytes, 0, limits);
        int at = 0;
        try {
            if (bytes.length < 9 || !new String(bytes, 0, 5, StandardCharsets.US_ASCII).equals("REDIS")) {
                throw new BadPayloadException("not an RDB file (no REDIS magic)");
            }
            int version = Integer.parseInt(new String(bytes, 5, 4, StandardCharsets.US_ASCII));
            if (version < 1 || version > RdbType.RDB_VERSION) {
                throw new BadPayloadException("RDB version " + version + ", newer than Redis 7.0's " + RdbType.RDB_VERSION);
            }
            in = RdbReader.over(bytes, 9, limits);
            long keys = 0;
            long expires = 0;
            long expireAt = -1;
            String replid = null;
            long replOffset = -1;
            long replStreamDb = -1;
            int db = 0;
            while (true) {
                at = in.position();
                int type = in.nextByte();
                switch (type) {
                    case RdbFileWriter.OPCODE_EOF -> {
                        if (version >= 5) {
                            verifyChecksum(bytes, in.position(), in);
                        }
                        ReplicationInfo replication = null;
                        if (replid != null && replid.length() == 40 && replOffset >= 0 && replStreamDb >= 0 && replStreamDb < databases) {
                            replication = new ReplicationInfo(replid, replOffset, (int) replStreamDb);
                        }
                        return new Summary(version, keys, expires, replication);
                    }
                    case RdbFileWriter.OPCODE_AUX -> {
                        String field = new String(in.nextString(), StandardCharsets.ISO_8859_1);
                        byte[] value = in.nextString();
                        // Redis trusts an id and offset only with the stream's database beside them (rdbPopulateSaveInfo)
                        switch (field) {
                            case "repl-id" -> replid = new String(value, StandardCharsets.ISO_8859_1);
                            case "repl-offset" -> replOffset = number(value);
                            case "repl-stream-db" -> replStreamDb = number(value);
                            default -> {
                                // the others (redis-ver, ctime, used-mem, aof-base, lua scripts...) change nothing here
                            }
                        }
                    }
                    case RdbFileWriter.OPCODE_SELECTDB -> {
                        long selected = in.nextLength();
                        if (selected < 0 || selected >= databases) {
                            throw new BadPayloadException(io.percore.demo.resp.SelectedDatabase.refusal("keys of database " + Long.toUnsignedString(selected), databases));
                        }
                        db = (int) selected;
                    }
                    case RdbFileWriter.OPCODE_RESIZEDB -> {
                        in.nextLength();
                        in.nextLength();
                    }
                    case RdbFileWriter.OPCODE_EXPIRETIME_MS -> expireAt = in.nextLongLE();
                    case RdbFileWriter.OPCODE_EXPIRETIME -> expireAt = (in.nextIntLE() & 0xffffffffL) * 1000;
                    case RdbFileWriter.OPCODE_IDLE -> in.nextLength();
                    case RdbFileWriter.OPCODE_FREQ -> in.nextByte();
                    case RdbFileWriter.OPCODE_MODULE_AUX -> throw new BadPayloadException("module data: this server loads no modules");
                    case RdbFileWriter.OPCODE_FUNCTION ->
                            throw new BadPayloadException("a function library of Redis 7.0's release candidates (Pre-GA function format not supported)");
                    case RdbFileWriter.OPCODE_FUNCTION2 -> entries.function(in.nextString());
                    default -> {
                        byte[] key = in.nextString();
                        RdbReader.Restored value = in.nextObject(type);
                        entries.entry(db, key, value, expireAt);
                        keys++;
                        if (expireAt >= 0) {
                            expires++;
                        }
                        expireAt = -1;
                    }
                }
            }
        } catch (BadPayloadException e) {
            throw new BadPayloadException(name + " at offset " + at + ": " + e.getMessage(), e.stringTooLong());
        }
    }


    private static long number(byte[] text) {
        try {
            return Long.parseLong(new String(text, StandardCharsets.ISO_8859_1));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void verifyChecksum(byte[] bytes, int end, RdbReader in) {
        long stored = in.nextLongLE();
        if (stored == 0) {
            return; // written with rdbchecksum no
        }
        long computed = Crc64.update(0, bytes, 0, end);
        if (computed != stored) {
            throw new BadPayloadException("wrong RDB checksum (expected " + Long.toHexString(computed) + ", stored "
                    + Long.toHexString(stored) + ")");
        }
    }
}
