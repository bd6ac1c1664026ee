package io.percore.demo.resp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads commands out of a stream of bytes: RESP arrays of bulk strings, one whole command at a time
 * (never half of one), each with its exact place in the bytes, as Redis's {@code processMultibulkBuffer}
 * for the master client and its {@code loadSingleAppendOnlyFile}. Its two readers: a replica's link
 * to its primary (which counts the offset and keeps the bytes verbatim, and reads the handshake's
 * lines and the snapshot's raw bytes out of the same buffer) and the append-only file's reader
 * (which tells a file torn by a crash from a corrupt one by what is left of the file). An empty line
 * ({@code \n} or {@code \r\n}, a keep-alive) and an empty array ({@code *0}, {@code *-1}) are
 * returned as nothing to run, with their length (the stream counts them in its offset; the file calls
 * them corrupt); anything else that is not an array of bulk strings is {@link Corrupt} (no inline
 * commands); bounds: {@code maxArgs} elements, {@code maxBulk} bytes per element, 64 KB for a line,
 * a whole command within one buffer (2 GB).
 *
 * <p>The parse is resumable: what was read of a command stays parsed while its last bytes are
 * awaited, so a command arriving in many small reads is not read again from its start each time.
 * One thread.
 */
public final class CommandStreamParser {

    /** What the bytes held that is not a command. */
    public static final class Corrupt extends java.io.IOException {
        public Corrupt(String message) {
            super(message);
        }
    }

    /** One whole command (or keep-alive: {@code argv} null), at {@code buffer()[from, from + length)} until the next {@link #fill}. */
    public record Parsed(byte[][] argv, int from, int length) {
    }

    public static final int MAX_LINE = 64 * 1024;
    private static final int INITIAL = 64 * 1024;
    private static final int SHRINK_ABOVE = 1 << 20;

    private final int maxArgs;
    private final long maxBulk;
    private byte[] buf = new byte[INITIAL];
    private int start;
    private int end;
    // the command being read: its element count (-1: its header is not read), its elements so far, where the next begins
    private int argc = -1;
    private byte[][] argv;
    private int argi;
    private int scan;
    /** Bytes the command being read needs in the buffer at least (from {@link #start}): never more than it takes. */
    private long need;

    public CommandStreamParser(int maxArgs, long maxBulk) {
        this.maxArgs = maxArgs;
        this.maxBulk = maxBulk;
    }

    public byte[] buffer() {
        return buf;
    }

    /** Bytes received and not yet returned as whole commands. */
    public int buffered() {
        return end - start;
    }

    /** Adds bytes received (the handshake's reader hands over what followed the snapshot). */
    public void add(byte[] bytes, int off, int len) {
        makeRoom(len);
        System.arraycopy(bytes, off, buf, end, len);
        end += len;
    }

    /**
     * Reads more from {@code in} into the buffer (at most what fits, growing it for a command that
     * needs more). @return the bytes read, -1 at the end of the stream
     */
    public int fill(java.io.InputStream in) throws java.io.IOException {
        makeRoom((int) Math.max(4096, Math.min(Integer.MAX_VALUE - 16, need - (end - start))));
        int n = in.read(buf, end, buf.length - end);
        if (n > 0) {
            end += n;
        }
        return n;
    }

    private void makeRoom(int more) {
        if (start == end && argc < 0 && buf.length > SHRINK_ABOVE) {
            buf = new byte[INITIAL];
            start = end = 0;
        }
        if (buf.length - end >= more) {
            return;
        }
        int live = end - start;
        long wanted = (long) live + more;
        if (wanted > Integer.MAX_VALUE - 16) {
            wanted = Integer.MAX_VALUE - 16;
        }
        if (wanted <= buf.length && start > 0) {
            System.arraycopy(buf, start, buf, 0, live);
        } else {
            byte[] bigger = new byte[(int) Math.min(Integer.MAX_VALUE - 16, Math.max(wanted, Math.min((long) buf.length * 2, Integer.MAX_VALUE - 16)))];
            System.arraycopy(buf, start, bigger, 0, live);
            buf = bigger;
        }
        start = 0;
        end = live;
    }

    /** The handshake's next reply line without its {@code \r\n} (or {@code \n}), or null when it has not all come. */
    public String line() throws Corrupt {
        for (int i = start; i < end; i++) {
            if (buf[i] == '\n') {
                int to = i > start && buf[i - 1] == '\r' ? i - 1 : i;
                String s = new String(buf, start, to - start, StandardCharsets.ISO_8859_1);
                start = i + 1;
                return s;
            }
        }
        if (end - start > MAX_LINE) {
            throw new Corrupt("a reply line longer than " + MAX_LINE + " bytes");
        }
        return null;
    }

    /** Takes up to {@code max} raw bytes of what was received (a snapshot's), writing them to {@code out}. @return how many */
    public int take(long max, RawSink out) throws java.io.IOException {
        int n = (int) Math.min(max, end - start);
        if (n > 0) {
            out.write(buf, start, n);
            start += n;
        }
        return n;
    }

    /** Where the received bytes not yet taken begin in {@link #buffer()}. */
    public int start() {
        return start;
    }

    /** Where they end. */
    public int end() {
        return end;
    }

    /** Drops the first {@code n} bytes received (taken by the caller from {@link #buffer()}). */
    public void skip(int n) {
        start += n;
        if (start == end) {
            start = end = 0;
        }
    }

    /** Where {@link #take} writes. */
    public interface RawSink {
        void write(byte[] bytes, int off, int len) throws java.io.IOException;
    }

    /** The next whole command, or null when its bytes have not all come. @throws Corrupt for bytes that are not a command */
    public Parsed next() throws Corrupt {
        if (argc < 0) {
            if (end - start < 1) {
                return null;
            }
            byte first = buf[start];
            if (first == '\n') {
                return consume(null, 1);
            }
            if (first == '\r') {
                if (end - start < 2) {
                    return null;
                }
                if (buf[start + 1] == '\n') {
                    return consume(null, 2);
                }
                throw new Corrupt("a bare carriage return in the stream");
            }
            if (first != '*') {
                throw new Corrupt("expected '*' (a command), got " + printable(first));
            }
            int lineEnd = crlf(start + 1);
            if (lineEnd < 0) {
                if (end - start > MAX_LINE) {
                    throw new Corrupt("too big mbulk count string");
                }
                need = end - start + 1;
                return null;
            }
            long n = number(start + 1, lineEnd, "invalid multibulk length");
            if (n <= 0) {
                return consume(null, lineEnd + 2 - start); // Redis skips an empty array
            }
            if (n > maxArgs) {
                throw new Corrupt("invalid multibulk length " + n + " (more than " + maxArgs + " arguments)");
            }
            argc = (int) n;
            argv = new byte[Math.min(argc, 1024)][];
            argi = 0;
            scan = lineEnd + 2 - start;
        }
        while (argi < argc) {
            int pos = start + scan;
            if (pos >= end) {
                need = scan + 1;
                return null;
            }
            if (buf[pos] != '$') {
                throw new Corrupt("expected '$', got " + printable(buf[pos]));
            }
            int lineEnd = crlf(pos + 1);
            if (lineEnd < 0) {
                if (end - pos > 32) {
                    throw new Corrupt("too big bulk count string");
                }
                need = end - start + 1L; // its length line has not all come: one byte more at least
                return null;
            }
            long len = number(pos + 1, lineEnd, "invalid bulk length");
            if (len < 0 || len > maxBulk) {
                throw new Corrupt("invalid bulk length " + len);
            }
            long after = (long) lineEnd + 2 + len + 2;
            if (after > end) {
                need = after - start;
                if (need > Integer.MAX_VALUE - 16) {
                    throw new Corrupt("a command of " + need + " bytes (more than a buffer holds)");
                }
                return null;
            }
            int data = lineEnd + 2;
            if (buf[data + (int) len] != '\r' || buf[data + (int) len + 1] != '\n') {
                throw new Corrupt("a bulk string of " + len + " bytes not followed by CRLF");
            }
            if (argi == argv.length) {
                argv = Arrays.copyOf(argv, (int) Math.min(argc, (long) argv.length * 2));
            }
            argv[argi++] = Arrays.copyOfRange(buf, data, data + (int) len);
            scan = (int) (after - start);
        }
        byte[][] done = argv;
        int length = scan;
        argc = -1;
        argv = null;
        argi = 0;
        scan = 0;
        return consume(done, length);
    }

    /**
     * Bytes the command being read needs from its first, at least (never more than it takes): more than
     * what is left of a file means the file ends inside it.
     */
    public long needed() {
        return need;
    }

    private Parsed consume(byte[][] done, int length) {
        Parsed p = new Parsed(done, start, length);
        start += length;
        need = 0;
        if (start == end) {
            start = end = 0; // the slice stays valid: nothing is written before the next fill
        }
        return p;
    }

    /** The position of the {@code \r} of the next CRLF from {@code from}, or -1 when it has not come (a lone {@code \r} is corrupt). */
    private int crlf(int from) throws Corrupt {
        for (int i = from; i < end; i++) {
            if (buf[i] == '\r') {
                if (i + 1 >= end) {
                    return -1;
                }
                if (buf[i + 1] != '\n') {
                    throw new Corrupt("a length line with a bare carriage return");
                }
                return i;
            }
            if (i - from > 20) {
                throw new Corrupt("a length line longer than a number");
            }
        }
        return -1;
    }

    private long number(int from, int to, String what) throws Corrupt {
        if (to <= from || to - from > 20) {
            throw new Corrupt(what);
        }
        int i = from;
        boolean negative = buf[i] == '-';
        if (negative) {
            i++;
            if (i == to) {
                throw new Corrupt(what);
            }
        }
        long n = 0;
        for (; i < to; i++) {
            byte b = buf[i];
            if (b < '0' || b > '9' || n > (Long.MAX_VALUE - 9) / 10) {
                throw new Corrupt(what + ": " + new String(buf, from, to - from, StandardCharsets.ISO_8859_1));
            }
            n = n * 10 + (b - '0');
        }
        return negative ? -n : n;
    }

    private static String printable(byte b) {
        return b >= 32 && b < 127 ? "'" + (char) b + "'" : String.format("0x%02x", b & 0xff);
    }
}
