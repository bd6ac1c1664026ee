package io.percore.demo.persistence;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the commands of an append-only file (RESP arrays of bulk strings, as Redis's
 * {@code loadSingleAppendOnlyFile} does), one at a time, knowing the offset of each. A file that
 * ends in the middle of a command is {@link Truncated} (a crash tore the last write); anything
 * else that is not a command is {@link Corrupt}. Every length is checked against what is left of
 * the file before anything is allocated for it.
 */
final class AofReader implements AutoCloseable {

    /** The file ends inside a command. */
    static final class Truncated extends IOException {
        Truncated(String message) {
            super(message);
        }
    }

    /** The bytes are not a command. */
    static final class Corrupt extends IOException {
        Corrupt(String message) {
            super(message);
        }
    }

    /** The largest argument a byte array holds (a length past it is no argument this server wrote or can load). */
    private static final long MAX_ARGUMENT = Integer.MAX_VALUE - 8;

    private final InputStream in;
    private final long size;
    private long offset;

    AofReader(Path file) throws IOException {
        this.size = Files.size(file);
        this.in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /** Where the next command begins (the end of the last one read). */
    long offset() {
        return offset;
    }

    long size() {
        return size;
    }

    /** The next command, or null at the end of the file. */
    byte[][] next() throws IOException {
        if (offset == size) {
            return null;
        }
        int first = read();
        if (first != '*') {
            throw new Corrupt("expected '*' (a command), found " + describe(first));
        }
        long argc = number();
        if (argc < 1) {
            throw new Corrupt("a command of " + argc + " arguments");
        }
        if (argc > (size - offset) / 4) {
            // every argument takes at least "$0\r\n\r\n": the file cannot hold them
            throw new Truncated("a command of " + argc + " arguments past the end of the file");
        }
        byte[][] argv = new byte[(int) argc][];
        for (int i = 0; i < argc; i++) {
            int dollar = read();
            if (dollar != '$') {
                throw new Corrupt("expected '$' (an argument), found " + describe(dollar));
            }
            long len = number();
            if (len < 0 || len > MAX_ARGUMENT) {
                throw new Corrupt("an argument of " + len + " bytes");
            }
            if (len + 2 > size - offset) {
                throw new Truncated("an argument of " + len + " bytes past the end of the file");
            }
            byte[] arg = in.readNBytes((int) len);
            offset += arg.length;
            if (arg.length != len) {
                throw new Truncated("the file ends inside an argument");
            }
            if (read() != '\r' || read() != '\n') {
                throw new Corrupt("an argument not followed by CRLF");
            }
            argv[i] = arg;
        }
        return argv;
    }

    private int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new Truncated("the file ends inside a command");
        }
        offset++;
        return b;
    }

    /** Digits up to CRLF. */
    private long number() throws IOException {
        long n = 0;
        boolean negative = false;
        int digits = 0;
        while (true) {
            int b = read();
            if (b == '\r') {
                if (read() != '\n') {
                    throw new Corrupt("a length not ended by CRLF");
                }
                if (digits == 0) {
                    throw new Corrupt("an empty length");
                }
                return negative ? -n : n;
            }
            if (b == '-' && digits == 0 && !negative) {
                negative = true;
                continue;
            }
            if (b < '0' || b > '9' || digits >= 18) {
                throw new Corrupt("a length with " + describe(b) + " in it");
            }
            n = n * 10 + (b - '0');
            digits++;
        }
    }

    private static String describe(int b) {
        return b >= 32 && b < 127 ? "'" + (char) b + "'" : String.format("byte 0x%02x", b);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
