package io.percore.demo.rdb;

import io.percore.demo.kv.ValueType;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Writes an RDB file as Redis 7.0 does (version 10, {@code rdb.c}'s {@code rdbSaveRio}): the magic,
 * auxiliary fields, database 0 with its sizes, each key (its expiry in milliseconds, the value's
 * type, the key, the value in the plain types {@link DumpWriter} writes), the end marker and the
 * CRC-64 of everything before it. So {@code redis-check-rdb} accepts it and redis-server loads it.
 *
 * <p>Each shard writes its own keys into a {@link Part} on its own thread; {@link #join} then makes
 * the one file from the parts, under a temporary name, fsynced and renamed over the target, so a
 * crash while saving never replaces the last good file with a torn one (Redis's temp-PID.rdb).
 */
public final class RdbFileWriter {

    static final int OPCODE_AUX = 0xFA;
    static final int OPCODE_RESIZEDB = 0xFB;
    static final int OPCODE_EXPIRETIME_MS = 0xFC;
    static final int OPCODE_EXPIRETIME = 0xFD;
    static final int OPCODE_SELECTDB = 0xFE;
    static final int OPCODE_EOF = 0xFF;
    static final int OPCODE_IDLE = 0xF8;
    static final int OPCODE_FREQ = 0xF9;
    static final int OPCODE_MODULE_AUX = 0xF7;
    static final int OPCODE_FUNCTION = 0xF6;
    static final int OPCODE_FUNCTION2 = 0xF5;
    static final byte[] MAGIC = "REDIS0010".getBytes(StandardCharsets.US_ASCII);
    /** What the file says wrote it: the Redis version whose format and commands this server follows. */
    static final String REDIS_VERSION = "7.0.15";

    private RdbFileWriter() {
    }

    /** One shard's keys, written on its thread: entries only, no header or end (those are the file's, {@link #join}). */
    public static final class Part implements AutoCloseable {
        private final Path file;
        private final OutputStream out;
        private long keys;
        private long expires;

        public Part(Path file) throws IOException {
            this.file = file;
            this.out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE), 1 << 16);
        }

        /** One key: {@code expireAtMs} below 0 for none. */
        public void entry(byte[] key, ValueType type, Object value, long expireAtMs) throws IOException {
            if (expireAtMs >= 0) {
                out.write(OPCODE_EXPIRETIME_MS);
                for (int i = 0; i < 8; i++) {
                    out.write((int) (expireAtMs >>> (8 * i)));
                }
                expires++;
            }
            byte[] object = DumpWriter.object(type, value);
            out.write(object[0]);
            out.write(DumpWriter.string(key));
            out.write(object, 1, object.length - 1);
            keys++;
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }

    /**
     * Makes {@code target} from the parts (each closed): written to {@code target}'s directory under a
     * temporary name, fsynced, renamed over {@code target}, and the directory fsynced. Returns the
     * file's size.
     */
    public static long join(Path target, List<Part> parts, long createdAtSeconds, long usedMemory) throws IOException {
        long keys = 0;
        long expires = 0;
        for (Part p : parts) {
            keys += p.keys;
            expires += p.expires;
        }
        Path temp = target.resolveSibling("temp-" + ProcessHandle.current().pid() + "-" + target.getFileName());
        long size;
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            CrcOutput out = new CrcOutput(new BufferedOutputStream(java.nio.channels.Channels.newOutputStream(channel), 1 << 16));
            out.write(MAGIC);
            aux(out, "redis-ver", REDIS_VERSION);
            aux(out, "redis-bits", "64");
            aux(out, "ctime", Long.toString(createdAtSeconds));
            aux(out, "used-mem", Long.toString(usedMemory));
            aux(out, "aof-base", "0");
            if (keys > 0) {
                out.write(OPCODE_SELECTDB);
                out.write(length(0));
                out.write(OPCODE_RESIZEDB);
                out.write(length(keys));
                out.write(length(expires));
                byte[] chunk = new byte[1 << 16];
                for (Part p : parts) {
                    try (InputStream in = Files.newInputStream(p.file)) {
                        int n;
                        while ((n = in.read(chunk)) > 0) {
                            out.write(chunk, 0, n);
                        }
                    }
                }
            }
            out.write(OPCODE_EOF);
            long crc = out.crc;
            for (int i = 0; i < 8; i++) {
                out.write((int) (crc >>> (8 * i)));
            }
            out.flush();
            channel.force(true);
            size = channel.size();
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory(target.toAbsolutePath().getParent());
        return size;
    }

    private static void aux(OutputStream out, String key, String value) throws IOException {
        out.write(OPCODE_AUX);
        out.write(DumpWriter.string(key.getBytes(StandardCharsets.US_ASCII)));
        out.write(DumpWriter.string(value.getBytes(StandardCharsets.US_ASCII)));
    }

    private static byte[] length(long n) {
        // a number written as a length, not a string: rdbSaveLen's 6/14/32/64-bit forms
        if (n < (1 << 6)) {
            return new byte[] {(byte) n};
        }
        if (n < (1 << 14)) {
            return new byte[] {(byte) ((n >>> 8) | 0x40), (byte) n};
        }
        if (n <= 0xffffffffL) {
            return new byte[] {(byte) RdbType.LEN_32BIT, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
        }
        byte[] out = new byte[9];
        out[0] = (byte) RdbType.LEN_64BIT;
        for (int i = 0; i < 8; i++) {
            out[1 + i] = (byte) (n >>> (8 * (7 - i)));
        }
        return out;
    }

    /** A directory's entry (the rename) reaches the disk only when the directory is fsynced too. */
    static void fsyncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // not every file system lets a directory be opened; the rename is then as durable as it gets
        }
    }

    /** Counts the CRC-64 of what passes. */
    private static final class CrcOutput extends java.io.FilterOutputStream {
        long crc;

        CrcOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            byte[] one = {(byte) b};
            crc = Crc64.update(crc, one, 0, 1);
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            crc = Crc64.update(crc, b, off, len);
            out.write(b, off, len);
        }
    }
}
