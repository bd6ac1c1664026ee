package io.percore.operator.backup;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

/**
 * A snapshot fetched through the replication protocol, as {@code redis-cli --rdb} fetches it (its {@code getRDB} and
 * {@code sendSync}): {@code AUTH}, {@code REPLCONF capa eof}, {@code REPLCONF rdb-only 1}, {@code PSYNC ? -1}, the
 * {@code +FULLRESYNC <replid> <offset>} that says where in the source's stream the snapshot stands, then the RDB as
 * {@code $<length>} and that many bytes, or (diskless) {@code $EOF:<40-byte mark>} and bytes up to the same mark.
 * Newlines before the reply and the payload are the source's keep-alives while its snapshot starts. The connection
 * is closed after the payload, before the command stream that would follow. The source serves it as it serves any
 * replica's full sync: its clients keep being served.
 *
 * <p>Every input the source controls is bounded: a line ({@link RespConnection#MAX_LINE}), the payload's length
 * ({@code maxBytes}), a silence ({@code stall}: the socket's read timeout), and the wait for the payload to begin
 * ({@code startTimeout}, however many keep-alives come meanwhile).
 */
final class ReplicationSnapshot implements Closeable {

    private static final int MARK = 40;

    /** How to talk to a source. */
    record Options(String username, String password, Duration connectTimeout, Duration stall, Duration startTimeout, long maxBytes) {
    }

    private final RespConnection connection;
    private final String replid;
    private final long offset;
    private final long declaredLength;
    private final InputStream payload;

    private ReplicationSnapshot(RespConnection connection, String replid, long offset, long declaredLength, InputStream payload) {
        this.connection = connection;
        this.replid = replid;
        this.offset = offset;
        this.declaredLength = declaredLength;
        this.payload = payload;
    }

    /** Connects, asks for a full sync and returns once the payload begins. */
    static ReplicationSnapshot open(SourceAddress source, Options options) throws BackupException {
        RespConnection c = RespConnection.open(source, options.connectTimeout(), options.stall());
        try {
            return handshake(c, source, options);
        } catch (BackupException e) {
            c.close();
            throw e;
        } catch (IOException e) {
            c.close();
            throw classify(e, source, "during the replication handshake", options.stall());
        }
    }

    private static ReplicationSnapshot handshake(RespConnection c, SourceAddress source, Options options) throws IOException, BackupException {
        if (options.password() != null && !options.password().isEmpty()) {
            if (options.username() != null && !options.username().isEmpty()) {
                c.send("AUTH", options.username(), options.password());
            } else {
                c.send("AUTH", options.password());
            }
            String auth = c.reply();
            if (!"+OK".equals(auth)) {
                throw new BackupException(Failure.SOURCE_REFUSED, "the source " + source + " refused AUTH: " + RespConnection.shorten(String.valueOf(auth)));
            }
        }
        // A server without them answers an error and sends a sized payload, as to redis-cli: not fatal.
        c.send("REPLCONF", "capa", "eof");
        String capa = String.valueOf(c.reply());
        c.send("REPLCONF", "rdb-only", "1");
        String rdbOnly = String.valueOf(c.reply());
        if (capa.startsWith("-NOAUTH") || rdbOnly.startsWith("-NOAUTH")) {
            throw new BackupException(Failure.SOURCE_REFUSED, "the source " + source + " needs a password: " + RespConnection.shorten(capa));
        }
        c.send("PSYNC", "?", "-1");
        long deadline = System.nanoTime() + options.startTimeout().toNanos();
        String reply = nextLine(c, deadline, options.startTimeout(), source);
        if (reply.startsWith("-")) {
            throw new BackupException(Failure.SOURCE_REFUSED, "the source " + source + " refused PSYNC: " + RespConnection.shorten(reply));
        }
        String[] full = reply.split(" ");
        if (!full[0].equals("+FULLRESYNC") || full.length != 3) {
            throw new BackupException(Failure.SOURCE_PROTOCOL, "the source " + source + " answered PSYNC with '"
                    + RespConnection.shorten(reply) + "', not +FULLRESYNC <replid> <offset>");
        }
        long offset;
        try {
            offset = Long.parseLong(full[2]);
        } catch (NumberFormatException e) {
            throw new BackupException(Failure.SOURCE_PROTOCOL, "the source " + source + " gave an offset that is not a number: "
                    + RespConnection.shorten(reply));
        }
        String header = nextLine(c, deadline, options.startTimeout(), source);
        if (header.startsWith("-")) {
            throw new BackupException(Failure.SOURCE_REFUSED, "the source " + source + " could not make its snapshot: " + RespConnection.shorten(header));
        }
        if (header.startsWith("$EOF:") && header.length() == 5 + MARK) {
            byte[] mark = header.substring(5).getBytes(StandardCharsets.ISO_8859_1);
            return new ReplicationSnapshot(c, full[1], offset, -1, new MarkedPayload(c.input(), mark, source, options.stall()));
        }
        long length;
        try {
            length = header.startsWith("$") ? Long.parseLong(header.substring(1)) : -1;
        } catch (NumberFormatException e) {
            length = -1;
        }
        if (length < 0) {
            throw new BackupException(Failure.SOURCE_PROTOCOL, "the source " + source + " sent '" + RespConnection.shorten(header)
                    + "' where the snapshot's $<length> or $EOF:<mark> belongs");
        }
        if (length > options.maxBytes()) {
            throw new BackupException(Failure.SNAPSHOT_TOO_LARGE, "the source " + source + " announced a snapshot of " + length
                    + " bytes, more than the " + options.maxBytes() + " allowed");
        }
        return new ReplicationSnapshot(c, full[1], offset, length, new SizedPayload(c.input(), length, source, options.stall()));
    }

    /** The next line that is not a keep-alive newline, before the deadline. */
    private static String nextLine(RespConnection c, long deadline, Duration startTimeout, SourceAddress source) throws IOException, BackupException {
        while (true) {
            String line = c.line();
            if (!line.isEmpty()) {
                return line;
            }
            if (System.nanoTime() > deadline) {
                throw new BackupException(Failure.SOURCE_STALLED, "the source " + source + " sent keep-alives but no snapshot for "
                        + startTimeout.toSeconds() + " s");
            }
        }
    }

    /** The source's replication id at the snapshot's point. */
    String replid() {
        return replid;
    }

    /** The offset of the source's stream the snapshot stands at. */
    long offset() {
        return offset;
    }

    /** The payload's length when the source announced one, -1 for a diskless (end-marked) one. */
    long declaredLength() {
        return declaredLength;
    }

    /** The RDB's bytes and nothing else: it ends where the payload ends. */
    InputStream payload() {
        return payload;
    }

    @Override
    public void close() {
        connection.close();
    }

    static BackupException classify(IOException e, SourceAddress source, String where, Duration stall) {
        if (e instanceof BackupIOException b) {
            return b.failure();
        }
        if (e instanceof SocketTimeoutException) {
            return new BackupException(Failure.SOURCE_STALLED, "the source " + source + " sent nothing for " + stall.toSeconds() + " s " + where, e);
        }
        if (e instanceof RespConnection.ProtocolException) {
            return new BackupException(Failure.SOURCE_PROTOCOL, "the source " + source + " broke the protocol " + where + ": " + e.getMessage(), e);
        }
        if (e instanceof RespConnection.ClosedException) {
            return new BackupException(Failure.SOURCE_CLOSED, "the source " + source + " closed the connection " + where, e);
        }
        return new BackupException(Failure.SOURCE_CLOSED, "the connection to the source " + source + " failed " + where + ": " + e, e);
    }

    /** Reads from the socket; a silence, a close or a reset becomes the source's failure. */
    private abstract static class SourceStream extends InputStream {
        final InputStream in;
        final SourceAddress source;
        final Duration stall;
        long delivered;
        /** Bytes taken from the socket (a marked payload holds the last 39 back until more come). */
        long received;

        SourceStream(InputStream in, SourceAddress source, Duration stall) {
            this.in = in;
            this.source = source;
            this.stall = stall;
        }

        int readSocket(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new BackupIOException(classify(e, source, "after " + received + " bytes of the snapshot", stall));
            }
            if (n < 0) {
                throw new BackupIOException(Failure.SOURCE_CLOSED, "the source " + source + " closed the connection after "
                        + received + " bytes of the snapshot, before its end", null);
            }
            received += n;
            return n;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** {@code $<length>}: exactly that many bytes. */
    private static final class SizedPayload extends SourceStream {
        private final long length;

        SizedPayload(InputStream in, long length, SourceAddress source, Duration stall) {
            super(in, source, stall);
            this.length = length;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (delivered == length) {
                return -1;
            }
            int n = readSocket(b, off, (int) Math.min(len, length - delivered));
            delivered += n;
            return n;
        }
    }

    /**
     * {@code $EOF:<mark>}: the bytes up to the 40-byte mark. The last 39 bytes received are held back until more come
     * (they could be the mark's beginning); the mark is looked for across every boundary, wherever it lands.
     */
    private static final class MarkedPayload extends SourceStream {
        private final byte[] mark;
        private final byte[] buf = new byte[(1 << 16) + MARK];
        private int start;
        private int end;
        /** Where the next search for the mark begins (before it, the mark was looked for). */
        private int searched;
        /** The mark's place in {@code buf}, once found. */
        private int markAt = -1;

        MarkedPayload(InputStream in, byte[] mark, SourceAddress source, Duration stall) {
            super(in, source, stall);
            this.mark = mark;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (markAt >= 0) {
                    if (start == markAt) {
                        return -1;
                    }
                    return release(b, off, Math.min(len, markAt - start));
                }
                int found = find();
                if (found >= 0) {
                    markAt = found;
                    continue;
                }
                int releasable = end - start - (MARK - 1);
                if (releasable > 0) {
                    return release(b, off, Math.min(len, releasable));
                }
                if (start > 0) {
                    System.arraycopy(buf, start, buf, 0, end - start);
                    searched -= start;
                    end -= start;
                    start = 0;
                }
                end += readSocket(buf, end, buf.length - end);
            }
        }

        private int release(byte[] b, int off, int n) {
            System.arraycopy(buf, start, b, off, n);
            start += n;
            delivered += n;
            return n;
        }

        private int find() {
            int from = Math.max(start, searched);
            byte first = mark[0];
            for (int i = from; i + MARK <= end; i++) {
                if (buf[i] == first && Arrays.equals(buf, i, i + MARK, mark, 0, MARK)) {
                    return i;
                }
            }
            searched = Math.max(from, end - (MARK - 1));
            return -1;
        }
    }
}
