package io.percore.demo.rdb;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Writes an RDB file as Redis 7.0 does (version 10, {@code rdb.c}'s {@code rdbSaveRio}): the magic,
 * auxiliary fields, database 0 with its sizes, each key (its expiry in milliseconds, the value's
 * type, the key, the value in the plain types {@link DumpWriter} writes), the end marker and the
 * CRC-64 of everything before it. So {@code redis-check-rdb} accepts it and redis-server loads it.
 *
 * <p>The shards encode their keys into {@link RdbEntries} on their own threads and hand over whole
 * chunks; one writer thread appends them here in any order (each chunk is whole keys, and a file's
 * keys may come in any order). The file is written under a temporary name and only {@link #finish}
 * fsyncs it and renames it over the target, so a crash or a failure while saving never replaces the
 * last good file with a torn one (Redis's temp-PID.rdb). The same bytes can go to a stream instead
 * ({@link #toStream}: a diskless full sync). Not thread-safe: one thread writes.
 */
public final class RdbFileWriter implements AutoCloseable {

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

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final CrcOutput out;
    private boolean finished;
    /** Database 0's sizes, written before its first key (after the function libraries, as Redis orders them). */
    private long keys;
    private long expires;
    private boolean databaseStarted;

    private RdbFileWriter(Path target, Path temp, FileChannel channel, OutputStream sink) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.out = new CrcOutput(new BufferedOutputStream(sink, 1 << 16));
    }

    /**
     * Starts {@code target}: the header, and database 0 sized {@code keys} and {@code expires} (what
     * Redis sizes its tables by when it loads; a hint, not a count the loader checks).
     */
    public static RdbFileWriter create(Path target, long createdAtSeconds, long usedMemory, long keys, long expires)
            throws IOException {
        return create(target, createdAtSeconds, usedMemory, keys, expires, null);
    }

    /**
     * Removes what writers of {@code target} killed while they wrote left behind (their
     * {@code temp-<pid>-<name>}; the file itself is untouched), so a crash loop cannot fill the volume.
     *
     * @return the files removed
     */
    public static List<Path> removeLeftovers(Path target) throws IOException {
        Pattern temp = Pattern.compile("temp-\\d+-" + Pattern.quote(target.getFileName().toString()));
        List<Path> removed = new ArrayList<>();
        try (Stream<Path> files = Files.list(target.toAbsolutePath().getParent())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (temp.matcher(f.getFileName().toString()).matches() && Files.deleteIfExists(f)) {
                    removed.add(f);
                }
            }
        }
        return removed;
    }

    /** ... with where the snapshot stands in a replication stream ({@code replication}, or null). */
    public static RdbFileWriter create(Path target, long createdAtSeconds, long usedMemory, long keys, long expires,
                                       ReplicationInfo replication) throws IOException {
        Path temp = target.resolveSibling("temp-" + ProcessHandle.current().pid() + "-" + target.getFileName());
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        RdbFileWriter w = new RdbFileWriter(target, temp, channel, Channels.newOutputStream(channel));
        try {
            w.header(createdAtSeconds, usedMemory, keys, expires, replication);
        } catch (IOException | RuntimeException e) {
            w.close();
            throw e;
        }
        return w;
    }

    /**
     * The same format written to {@code sink} rather than a file (a diskless full sync: the bytes go
     * to the replicas' sockets): {@link #finish} ends it and closes {@code sink}; nothing is renamed or forced.
     */
    public static RdbFileWriter toStream(OutputStream sink, long createdAtSeconds, long usedMemory, long keys, long expires,
                                         ReplicationInfo replication) throws IOException {
        RdbFileWriter w = new RdbFileWriter(null, null, null, sink);
        w.header(createdAtSeconds, usedMemory, keys, expires, replication);
        return w;
    }

    private void header(long createdAtSeconds, long usedMemory, long keys, long expires, ReplicationInfo replication)
            throws IOException {
        out.write(MAGIC);
        aux(out, "redis-ver", REDIS_VERSION);
        aux(out, "redis-bits", "64");
        aux(out, "ctime", Long.toString(createdAtSeconds));
        aux(out, "used-mem", Long.toString(usedMemory));
        if (replication != null) {
            aux(out, "repl-stream-db", "0");
            aux(out, "repl-id", replication.replid());
            aux(out, "repl-offset", Long.toString(replication.offset()));
        }
        aux(out, "aof-base", "0");
        this.keys = keys;
        this.expires = expires;
    }

    /**
     * The function libraries' entries ({@link FunctionPayload#entries}): after the auxiliary fields,
     * before database 0, as Redis's {@code rdbSaveFunctions}.
     */
    public void functions(java.util.List<byte[]> codes) throws IOException {
        if (databaseStarted) {
            throw new IllegalStateException("function libraries come before the keys");
        }
        out.write(FunctionPayload.entries(codes));
    }

    private void startDatabase() throws IOException {
        if (databaseStarted) {
            return;
        }
        databaseStarted = true;
        out.write(OPCODE_SELECTDB);
        out.write(length(0));
        out.write(OPCODE_RESIZEDB);
        out.write(length(keys));
        out.write(length(expires));
    }

    /** Appends whole keys a shard encoded ({@link RdbEntries#take}). */
    public void write(byte[] chunk, int offset, int length) throws IOException {
        startDatabase();
        out.write(chunk, offset, length);
    }

    /** Ends the file (EOF, CRC-64), fsyncs it, renames it over the target and fsyncs the directory. Returns its size. */
    public long finish() throws IOException {
        startDatabase();
        out.write(OPCODE_EOF);
        long crc = out.crc;
        for (int i = 0; i < 8; i++) {
            out.write((int) (crc >>> (8 * i)));
        }
        out.flush();
        if (channel == null) {
            finished = true;
            out.close(); // a stream's reader learns its end
            return out.count;
        }
        channel.force(true);
        long size = channel.size();
        channel.close();
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        finished = true;
        fsyncDirectory(target.toAbsolutePath().getParent());
        return size;
    }

    /** Abandons an unfinished file: the temporary one is deleted, the target untouched. */
    @Override
    public void close() throws IOException {
        if (finished || channel == null) {
            return;
        }
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(temp);
        }
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
        long count;

        CrcOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            byte[] one = {(byte) b};
            crc = Crc64.update(crc, one, 0, 1);
            count++;
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            crc = Crc64.update(crc, b, off, len);
            count += len;
            out.write(b, off, len);
        }
    }
}
