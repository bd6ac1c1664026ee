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
 * auxiliary fields, each database with keys selected ({@code SELECTDB}) and sized ({@code RESIZEDB})
 * before its keys, each key (its expiry in milliseconds, the value's
 * type, the key, the value in the plain types {@link DumpWriter} writes), the end marker and the
 * CRC-64 of everything before it. So {@code redis-check-rdb} accepts it and redis-server loads it.
 *
 * <p>The shards encode their keys into {@link RdbEntries} on their own threads and hand over whole
 * chunks; one writer thread appends them here in any order (each chunk is whole keys of one database, and a
 * file's keys may come in any order: a chunk of another database than the last one's selects its own). The file is written under a temporary name and only {@link #finish}
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
    /** Each database's sizes, written when it is first selected (after the function libraries, as Redis orders them). */
    private Sizes sizes;
    /** The database selected last ({@code SELECTDB}); -1 before any. */
    private int selected = -1;
    /** The databases sized so far ({@code RESIZEDB} once each). */
    private final java.util.Set<Integer> sized = new java.util.HashSet<>();

    /** Keys and keys with a TTL per database, over every shard: what each database's {@code RESIZEDB} says. */
    public static final class Sizes {
        private final java.util.TreeMap<Integer, long[]> byDb = new java.util.TreeMap<>();

        /** {@code keys} more keys of database {@code db}, {@code expires} of them with a TTL. */
        public Sizes add(int db, long keys, long expires) {
            long[] s = byDb.computeIfAbsent(db, d -> new long[2]);
            s[0] += keys;
            s[1] += expires;
            return this;
        }

        /** {@code other}'s sizes added to these. */
        public Sizes add(Sizes other) {
            other.byDb.forEach((db, s) -> add(db, s[0], s[1]));
            return this;
        }

        long[] of(int db) {
            return byDb.getOrDefault(db, new long[2]);
        }
    }

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
        return create(target, createdAtSeconds, usedMemory, new Sizes().add(0, keys, expires), null);
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

    /** ... with each database's sizes and where the snapshot stands in a replication stream ({@code replication}, or null). */
    public static RdbFileWriter create(Path target, long createdAtSeconds, long usedMemory, Sizes sizes,
                                       ReplicationInfo replication) throws IOException {
        Path temp = target.resolveSibling("temp-" + ProcessHandle.current().pid() + "-" + target.getFileName());
        FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        RdbFileWriter w = new RdbFileWriter(target, temp, channel, Channels.newOutputStream(channel));
        try {
            w.header(createdAtSeconds, usedMemory, sizes, replication);
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
    public static RdbFileWriter toStream(OutputStream sink, long createdAtSeconds, long usedMemory, Sizes sizes,
                                         ReplicationInfo replication) throws IOException {
        RdbFileWriter w = new RdbFileWriter(null, null, null, sink);
        w.header(createdAtSeconds, usedMemory, sizes, replication);
        return w;
    }

    private void header(long createdAtSeconds, long usedMemory, Sizes sizes, ReplicationInfo replication)
            throws IOException {
        out.write(MAGIC);
        aux(out, "redis-ver", REDIS_VERSION);
        aux(out, "redis-bits", "64");
        aux(out, "ctime", Long.toString(createdAtSeconds));
        aux(out, "used-mem", Long.toString(usedMemory));
        if (replication != null) {
            aux(out, "repl-stream-db", Integer.toString(replication.streamDb()));
            aux(out, "repl-id", replication.replid());
            aux(out, "repl-offset", Long.toString(replication.offset()));
        }
        aux(out, "aof-base", "0");
        this.sizes = sizes;
    }

    /**
     * The function libraries' entries ({@link FunctionPayload#entries}): after the auxiliary fields,
     * before the first database, as Redis's {@code rdbSaveFunctions}.
     */
    public void functions(java.util.List<byte[]> codes) throws IOException {
        if (selected >= 0) {
            throw new IllegalStateException("function libraries come before the keys");
        }
        out.write(FunctionPayload.entries(codes));
    }

    /** {@code SELECTDB db} unless it is selected, with its {@code RESIZEDB} the first time. */
    private void select(int db) throws IOException {
        if (selected == db) {
            return;
        }
        selected = db;
        out.write(OPCODE_SELECTDB);
        out.write(length(db));
        if (sized.add(db)) {
            long[] s = sizes.of(db);
            out.write(OPCODE_RESIZEDB);
            out.write(length(s[0]));
            out.write(length(s[1]));
        }
    }

    /** Appends whole keys of database 0 a shard encoded ({@link RdbEntries#take}). */
    public void write(byte[] chunk, int offset, int length) throws IOException {
        write(0, chunk, offset, length);
    }

    /** Appends whole keys of database {@code db} a shard encoded ({@link RdbEntries#take}). */
    public void write(int db, byte[] chunk, int offset, int length) throws IOException {
        select(db);
        out.write(chunk, offset, length);
    }

    /** Ends the file (EOF, CRC-64), fsyncs it, renames it over the target and fsyncs the directory. Returns its size. */
    public long finish() throws IOException {
        if (selected < 0) {
            select(0); // an empty keyspace: database 0, sized 0, as this server has always written it
        }
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
