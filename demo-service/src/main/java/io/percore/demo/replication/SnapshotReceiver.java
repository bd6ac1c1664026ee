package io.percore.demo.replication;

import io.percore.demo.resp.CommandStreamParser;
import io.percore.demo.persistence.InfoLines;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot of a full sync as a primary sends it after {@code +FULLRESYNC} (Redis's
 * {@code readSyncBulkPayload}): {@code $<len>} and that many bytes, or {@code $EOF:<40-byte mark>} and
 * bytes up to the same mark (diskless); newlines before it are the primary's keep-alives while it makes
 * the snapshot. Written to a temporary file, loaded, then the file is deleted. What it received so far
 * is INFO's {@code master_sync_*}, read from other threads.
 */
final class SnapshotReceiver {

    private static final Logger LOG = LoggerFactory.getLogger(SnapshotReceiver.class);
    private static final int MARK = 40;
    private static final String BAD_LENGTH = "bad protocol from the primary: the length of its full sync cannot be read";

    /** Loads the received snapshot (blocks until loaded). */
    @FunctionalInterface
    interface Loader {
        void load(Path rdb) throws IOException;
    }

    private final PrimaryWire wire;
    private volatile long size = -1;
    private volatile long read;
    private volatile long lastIoMillis = System.currentTimeMillis();

    SnapshotReceiver(PrimaryWire wire) {
        this.wire = wire;
    }

    /** Receives the snapshot into {@code dir} ({@code temp-<...>.rdb}) and hands it to {@code loader}; the file is deleted after. */
    void receive(Path dir, Loader loader) throws IOException {
        String header;
        while (true) {
            header = wire.line();
            lastIoMillis = System.currentTimeMillis();
            if (!header.isEmpty()) {
                break;
            }
        }
        if (header.startsWith("-")) {
            // e.g. -ERR BGSAVE failed, replication can't continue
            throw new LinkFailure("MASTER aborted replication with an error: " + header, "the primary aborted the full sync: " + header);
        }
        if (!header.startsWith("$")) {
            throw new LinkFailure("Bad protocol from MASTER, the first byte is not '$' (we received '" + header
                    + "'), are you sure the host and port are right?", "bad protocol from the primary: its full sync does not begin with '$'");
        }
        byte[] mark = null;
        long length = -1;
        if (header.startsWith("$EOF:") && header.length() >= 5 + MARK) {
            mark = header.substring(5, 5 + MARK).getBytes(StandardCharsets.ISO_8859_1);
            size = 0; // unknown, as Redis reports it
            LOG.info("MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF to disk");
        } else {
            try {
                length = Long.parseLong(header.substring(1));
            } catch (NumberFormatException e) {
                throw new LinkFailure("Bad protocol from MASTER: '" + header + "'", BAD_LENGTH);
            }
            if (length < 0) {
                throw new LinkFailure("Bad protocol from MASTER: '" + header + "'", BAD_LENGTH);
            }
            size = length;
            LOG.info("MASTER <-> REPLICA sync: receiving {} bytes from master to disk", length);
        }
        Files.createDirectories(dir);
        Path file = dir.resolve("temp-" + System.currentTimeMillis() + "." + ProcessHandle.current().pid() + "."
                + Integer.toHexString(System.identityHashCode(this)) + ".rdb");
        try {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
                if (mark == null) {
                    receiveSized(out, length);
                } else {
                    receiveMarked(out, mark);
                }
            }
            LOG.info("MASTER <-> REPLICA sync: Loading DB in memory ({} bytes)", Files.size(file));
            try {
                loader.load(file);
            } catch (IOException | RuntimeException e) {
                String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                throw new LinkFailure("Failed trying to load the MASTER synchronization DB from disk: " + m,
                        "the primary's snapshot cannot be loaded here: " + withoutFile(m, file), e);
            }
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("Could not delete {}", file, e);
            }
        }
    }

    /**
     * A load's reason without the temporary file's name and the offset in it ({@code <file> at offset <n>: }), which
     * change from one try to the next while the reason does not.
     */
    static String withoutFile(String message, Path file) {
        String name = file.toString();
        if (!message.startsWith(name)) {
            return message;
        }
        return message.substring(name.length()).replaceFirst("^ at offset [0-9]+", "").replaceFirst("^: ", "");
    }

    /** INFO's {@code master_sync_*} lines while the snapshot is received (Redis 7.0's). */
    void info(InfoLines out, long now) {
        long s = size;
        long r = read;
        out.line("master_sync_total_bytes", s);
        out.line("master_sync_read_bytes", r);
        out.line("master_sync_left_bytes", s - r);
        out.line("master_sync_perc", String.format(Locale.ROOT, "%.2f", s > 0 ? r * 100.0 / s : 0.0));
        out.line("master_sync_last_io_seconds_ago", (now - lastIoMillis) / 1000);
    }

    private void fill() throws IOException {
        wire.fill(true);
        lastIoMillis = wire.lastIoMillis();
    }

    private void receiveSized(OutputStream out, long length) throws IOException {
        long left = length;
        while (left > 0) {
            int n = wire.parser.take(left, out::write);
            if (n == 0) {
                fill();
                continue;
            }
            left -= n;
            read += n;
        }
    }

    /** A diskless snapshot: everything up to the 40-byte mark; the last 40 bytes received are held back until more came. */
    private void receiveMarked(OutputStream out, byte[] mark) throws IOException {
        byte[] held = new byte[0];
        CommandStreamParser p = wire.parser;
        while (true) {
            int from = p.start();
            int to = p.end();
            if (to == from) {
                fill();
                continue;
            }
            byte[] joined = new byte[held.length + (to - from)];
            System.arraycopy(held, 0, joined, 0, held.length);
            System.arraycopy(p.buffer(), from, joined, held.length, to - from);
            int at = indexOf(joined, mark);
            if (at >= 0) {
                out.write(joined, 0, at);
                read += to - from - (joined.length - at - MARK);
                p.skip(at + MARK - held.length);
                return;
            }
            int keep = Math.min(MARK - 1, joined.length);
            out.write(joined, 0, joined.length - keep);
            held = Arrays.copyOfRange(joined, joined.length - keep, joined.length);
            read += to - from;
            p.skip(to - from);
        }
    }

    private static int indexOf(byte[] data, byte[] mark) {
        outer:
        for (int i = 0; i + mark.length <= data.length; i++) {
            for (int j = 0; j < mark.length; j++) {
                if (data[i + j] != mark[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
