package io.percore.demo.persistence;

import io.percore.demo.resp.CommandStreamParser;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the commands of an append-only file (RESP arrays of bulk strings, as Redis's
 * {@code loadSingleAppendOnlyFile} does) through the {@link CommandStreamParser} a replica reads its
 * primary's stream with, one at a time, knowing the offset of each. A file that ends in the middle
 * of a command is {@link Truncated} (a crash tore the last write); anything else that is not a
 * command (an empty line or an empty array too) is {@link Corrupt}. What a command needs is checked
 * against what is left of the file before the buffer grows for it.
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
    private final CommandStreamParser parser = new CommandStreamParser(Integer.MAX_VALUE, MAX_ARGUMENT);
    private long offset;
    /** The annotation {@link #next} last returned {@link #ANNOTATION} for, without its line end. */
    private String annotation;

    /** What {@link #next} returns for an annotation line ({@code #...}, Redis 7's {@code #TS:} and this server's {@link ReplicationAnnotation}). */
    static final byte[][] ANNOTATION = new byte[0][];

    AofReader(Path file) throws IOException {
        this(Files.newInputStream(file), Files.size(file));
    }

    /** The commands of {@code size} bytes of {@code in}. */
    AofReader(InputStream in, long size) {
        this.size = size;
        this.in = upTo(in, size);
    }

    /**
     * The file's bytes up to the size it had when opened: what a device would go on giving (a log
     * linked to {@code /dev/full} reads as endless zeros) or a file still growing is not read.
     */
    private static InputStream upTo(InputStream in, long size) {
        return new FilterInputStream(in) {
            private long left = size;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            }
        };
    }

    /** Where the next command begins (the end of the last one read). */
    long offset() {
        return offset;
    }

    long size() {
        return size;
    }

    /** The last annotation read, without its {@code #}-line's end. */
    String annotation() {
        return annotation;
    }

    /** The next command, {@link #ANNOTATION} for an annotation line (as Redis's loader, which skips them), or null at the end of the file. */
    byte[][] next() throws IOException {
        while (true) {
            if (parser.buffered() > 0 && parser.buffer()[parser.start()] == '#') {
                int before = parser.buffered();
                String line;
                try {
                    line = parser.line();
                } catch (CommandStreamParser.Corrupt e) {
                    throw new Corrupt("an annotation line longer than " + CommandStreamParser.MAX_LINE + " bytes");
                }
                if (line != null) {
                    offset += before - parser.buffered();
                    annotation = line;
                    return ANNOTATION;
                }
                if (parser.fill(in) < 0) {
                    throw new Truncated("the file ends inside an annotation line");
                }
                continue;
            }
            CommandStreamParser.Parsed command;
            try {
                command = parser.next();
            } catch (CommandStreamParser.Corrupt e) {
                throw new Corrupt(e.getMessage());
            }
            if (command != null) {
                offset += command.length();
                if (command.argv() == null) {
                    throw new Corrupt("an empty line or an empty array, not a command");
                }
                return command.argv();
            }
            if (parser.needed() > size - offset) {
                throw new Truncated("a command of at least " + parser.needed() + " bytes, " + (size - offset) + " left in the file");
            }
            if (parser.fill(in) < 0) {
                if (parser.buffered() == 0) {
                    return null;
                }
                throw new Truncated("the file ends inside a command");
            }
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
