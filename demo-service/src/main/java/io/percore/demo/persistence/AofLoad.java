package io.percore.demo.persistence;

import io.percore.demo.resp.AsciiCase;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.shard.Keyspace;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a multi-part append-only file at start (Redis 7's {@code loadAppendOnlyFiles}): the base
 * (an RDB file, routed to the shards by {@link SnapshotLoad}, or commands when it was written
 * without the RDB preamble), then every incremental file's commands in order through the command
 * table ({@link CommandReplay}), each key's on the shard that owns it now, whatever the shard count
 * was when they were logged. A MULTI ... EXEC block runs only when its EXEC is in the file: a
 * transaction torn by a crash replays not at all.
 *
 * <p>Faults, as Redis's: a file that ends inside a command (or an open MULTI) is a torn last write
 * when it is the last file and {@code aof-load-truncated} is yes: it is loaded up to its last
 * whole command and cut there, so what is appended next follows a whole command; so is a last command
 * cut short and then zeros to the end ({@link #tornThenZeros}, where Redis stops); otherwise, and
 * for bytes that are not commands, the start stops, naming the file, the offset and the reason.
 */
final class AofLoad {

    private static final Logger LOG = LoggerFactory.getLogger(AofLoad.class);
    private static final byte[] MULTI = "multi".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "exec".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@code replication}: where the files stand in a replication stream (their last annotation, or the base's, with no
     * command after it), or null; {@code heldUpTo}: the last position they named, with or without commands after it (they
     * hold that history's stream up to its offset at least), or null.
     */
    record Result(long keysFromBase, long commands, long errors, long truncatedBytes, io.percore.demo.rdb.ReplicationInfo replication,
                  io.percore.demo.rdb.ReplicationInfo heldUpTo) {
    }

    private AofLoad() {
    }

    static Result load(Path dir, AofManifest manifest, boolean loadTruncated, Keyspace keyspace, CommandReplay replay,
                       ZSetValue.Limits zset, HashValue.Limits hash, SetValue.Limits set) throws IOException {
        long keys = 0;
        long commands = 0;
        long truncated = 0;
        Position at = new Position();
        if (manifest.base() != null) {
            Path base = existing(dir, manifest.base());
            if (startsWithRdbMagic(base)) {
                SnapshotLoad.Result r = SnapshotLoad.load(keyspace, base, zset, hash, set);
                keys = r.loaded();
                at.stands = r.replication();
                at.named = r.replication();
            } else {
                commands += replayFile(base, false, false, replay, at).commands;
            }
        }
        List<AofManifest.AofFile> incrs = manifest.incrs();
        for (int i = 0; i < incrs.size(); i++) {
            Path file = existing(dir, incrs.get(i));
            Replayed r = replayFile(file, i == incrs.size() - 1, loadTruncated, replay, at);
            commands += r.commands;
            truncated += r.truncatedBytes;
        }
        long errors = replay.finish();
        return new Result(keys, commands, errors, truncated, at.stands, at.named);
    }

    /**
     * Whether the file's bytes from {@code from} (where its last command begins) to {@code size} are that command cut short
     * and then only zeros: seen after a SIGKILL under writes with {@code appendfsync always} (ProcessKillTest, CI on a 6.18
     * kernel, ext4: the last 5 bytes of a page zero, the file's size at the page's end), and what a power loss leaves on
     * filesystems that extend a file before its data is on the disk. Redis calls it a bad format and refuses to start; a
     * pod would restart into the same refusal for good. Nothing acknowledged is in it: a reply waits for its write (and,
     * with {@code always}, its fsync), and the write it was part of never ended. Anything else (a byte not zero after the
     * first zero, a cut command that is not a prefix of one) stays a bad format.
     */
    static boolean tornThenZeros(Path file, long from, long size) throws IOException {
        long firstZero = -1;
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            in.skipNBytes(from);
            for (long at = from; at < size; at++) {
                int b = in.read();
                if (b < 0) {
                    return false;
                }
                if (b == 0 && firstZero < 0) {
                    firstZero = at;
                } else if (b != 0 && firstZero >= 0) {
                    return false;
                }
            }
        }
        if (firstZero < 0) {
            return false;
        }
        try (InputStream in = Files.newInputStream(file)) {
            in.skipNBytes(from);
            AofReader cut = new AofReader(in, firstZero - from);
            return cut.next() == null; // nothing before the zeros: the write cut at a command's start
        } catch (AofReader.Truncated e) {
            return true;
        } catch (AofReader.Corrupt e) {
            return false;
        }
    }

    /** Cuts {@code file} at {@code at}, on the disk before anything is appended after it. */
    private static void cut(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(at);
            ch.force(true);
        }
    }

    private static Path existing(Path dir, AofManifest.AofFile f) throws IOException {
        Path p = dir.resolve(f.name());
        if (!Files.exists(p) || Files.isDirectory(p)) {
            throw new IOException("The AOF file " + p.toAbsolutePath() + " named in the manifest doesn't exist");
        }
        return p;
    }

    private static boolean startsWithRdbMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return Arrays.equals(in.readNBytes(5), "REDIS".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private record Replayed(long commands, long truncatedBytes) {
    }

    /**
     * Where the files read so far stand in a replication stream: the last annotation (or base) with no command after it
     * ({@code stands}), and the last named whatever follows it ({@code named}).
     */
    private static final class Position {
        io.percore.demo.rdb.ReplicationInfo stands;
        io.percore.demo.rdb.ReplicationInfo named;
    }

    private static Replayed replayFile(Path file, boolean last, boolean loadTruncated, CommandReplay replay, Position position)
            throws IOException {
        long commands = 0;
        long validUpTo = 0;
        long multiAt = -1;
        List<byte[][]> queued = null;
        long at = 0;
        try (AofReader reader = new AofReader(file)) {
            try {
                while (true) {
                    at = reader.offset();
                    byte[][] argv = reader.next();
                    if (argv == AofReader.ANNOTATION) {
                        if (queued == null) { // none is written inside a transaction's block
                            io.percore.demo.rdb.ReplicationInfo said = ReplicationAnnotation.parse(reader.annotation());
                            if (said != null) {
                                position.stands = said;
                                position.named = said;
                            }
                            validUpTo = reader.offset();
                        }
                        continue;
                    }
                    if (argv == null) {
                        if (queued != null) {
                            throw new AofReader.Truncated("the file ends inside a MULTI ... EXEC block begun at offset " + multiAt);
                        }
                        return new Replayed(commands, 0);
                    }
                    if (is(argv, MULTI)) {
                        if (queued != null) {
                            throw new AofReader.Corrupt("MULTI inside MULTI");
                        }
                        queued = new ArrayList<>();
                        multiAt = at;
                    } else if (is(argv, EXEC)) {
                        if (queued == null) {
                            throw new AofReader.Corrupt("EXEC without MULTI");
                        }
                        for (byte[][] q : queued) {
                            run(replay, q, file, at);
                        }
                        position.stands = null;
                        commands += queued.size();
                        queued = null;
                        validUpTo = reader.offset();
                    } else if (queued != null) {
                        queued.add(argv);
                    } else {
                        run(replay, argv, file, at);
                        commands++;
                        validUpTo = reader.offset();
                        position.stands = null;
                    }
                }
            } catch (AofReader.Truncated e) {
                long cutAt = queued != null ? multiAt : validUpTo;
                if (!last || !loadTruncated) {
                    throw new IOException("Unexpected end of file reading the append only file " + file.toAbsolutePath()
                            + " at offset " + at + ": " + e.getMessage() + (last
                            ? " (aof-load-truncated yes loads it up to offset " + cutAt + ", the end of its last whole command;"
                            + " redis-check-aof --fix cuts it there)" : " (not the last file: it cannot have been torn by a crash)"), e);
                }
                long size = reader.size();
                LOG.warn("!!! Warning: short read while loading the AOF file {}!!! The last {} bytes (from offset {}) are not a whole"
                        + " command{}: AOF loaded anyway because aof-load-truncated is enabled, and the file is cut there",
                        file.toAbsolutePath(), size - cutAt, cutAt, queued != null ? " (an unfinished MULTI ... EXEC)" : "");
                cut(file, cutAt);
                return new Replayed(commands, size - cutAt);
            } catch (AofReader.Corrupt e) {
                long cutAt = queued != null ? multiAt : validUpTo;
                if (last && loadTruncated && tornThenZeros(file, at, reader.size())) {
                    LOG.warn("!!! Warning: the AOF file {} ends with a command cut short and then zeros (from offset {} to its end,"
                            + " {} bytes): what a write cut off by a crash can leave. AOF loaded anyway because aof-load-truncated is"
                            + " enabled, and the file is cut there", file.toAbsolutePath(), cutAt, reader.size() - cutAt);
                    cut(file, cutAt);
                    return new Replayed(commands, reader.size() - cutAt);
                }
                throw new IOException("Bad file format reading the append only file " + file.toAbsolutePath() + " at offset "
                        + at + " (byte " + reader.offset() + "): " + e.getMessage() + " (redis-check-aof --fix can cut the file before it, losing what follows)", e);
            }
        }
    }

    private static void run(CommandReplay replay, byte[][] argv, Path file, long at) throws IOException {
        try {
            replay.run(argv);
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage() + " reading the append only file " + file.toAbsolutePath() + " at offset " + at, e);
        }
    }

    private static boolean is(byte[][] argv, byte[] name) {
        return argv.length == 1 && AsciiCase.equalsIgnoreCase(argv[0], name);
    }
}
