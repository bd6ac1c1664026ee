package io.percore.demo.feed;

import java.util.Arrays;
import java.util.List;

/** A growable byte buffer that encodes commands as RESP arrays of bulk strings, as an append-only file holds them. */
public final class RespArgv {

    private static final byte[][] MULTI = {"MULTI".getBytes(java.nio.charset.StandardCharsets.US_ASCII)};
    private static final byte[][] EXEC = {"EXEC".getBytes(java.nio.charset.StandardCharsets.US_ASCII)};
    private static final byte[] SELECT = "SELECT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static final int SHRINK_ABOVE = 1 << 20;

    private byte[] bytes;
    private int length;

    public RespArgv(int capacity) {
        bytes = new byte[capacity];
    }

    public int length() {
        return length;
    }

    public byte[] array() {
        return bytes;
    }

    /** The bytes so far, copied; the buffer is emptied. */
    public byte[] take() {
        byte[] out = Arrays.copyOf(bytes, length);
        length = 0;
        if (bytes.length > SHRINK_ABOVE) {
            bytes = new byte[4096]; // one huge write does not keep its buffer for ever
        }
        return out;
    }

    public void clear() {
        length = 0;
    }

    /**
     * A block of commands in their databases ({@code dbs}: per command, null for all in database 0), the
     * stream having selected {@code current} before it (-1: none yet): {@code SELECT} before the first
     * command when it runs in another database, and between two commands of different databases (inside
     * MULTI ... EXEC for several, as Redis's feed selects inside a transaction). Returns the database
     * selected after it. Database 0 after database 0 costs one compare.
     */
    public int block(List<byte[][]> commands, int[] dbs, int current) {
        int first = dbs == null ? 0 : dbs[0];
        if (first != current) {
            select(first);
        }
        if (dbs == null) {
            block(commands);
            return 0;
        }
        if (commands.size() == 1) {
            command(commands.get(0));
            return first;
        }
        command(MULTI);
        int selected = first;
        for (int i = 0; i < commands.size(); i++) {
            if (dbs[i] != selected) {
                selected = dbs[i];
                select(selected);
            }
            command(commands.get(i));
        }
        command(EXEC);
        return selected;
    }

    /** {@code SELECT db}, as Redis writes it before the commands of another database. */
    public void select(int db) {
        command(new byte[][] {SELECT, Integer.toString(db).getBytes(java.nio.charset.StandardCharsets.US_ASCII)});
    }

    /** A block of commands that replay together: one as it is, several inside MULTI ... EXEC. */
    public void block(List<byte[][]> commands) {
        if (commands.size() == 1) {
            command(commands.get(0));
            return;
        }
        command(MULTI);
        for (byte[][] argv : commands) {
            command(argv);
        }
        command(EXEC);
    }

    public void command(byte[][] argv) {
        int size = 16;
        for (byte[] a : argv) {
            size += a.length + 16;
        }
        ensure(size);
        bytes[length++] = '*';
        number(argv.length);
        for (byte[] a : argv) {
            bytes[length++] = '$';
            number(a.length);
            System.arraycopy(a, 0, bytes, length, a.length);
            length += a.length;
            bytes[length++] = '\r';
            bytes[length++] = '\n';
        }
    }

    public void append(byte[] b) {
        ensure(b.length);
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
    }

    private void number(int n) {
        // lengths and counts are almost always below 1000: written without a loop
        if (n < 10) {
            bytes[length++] = (byte) ('0' + n);
        } else if (n < 100) {
            bytes[length++] = (byte) ('0' + n / 10);
            bytes[length++] = (byte) ('0' + n % 10);
        } else if (n < 1000) {
            bytes[length++] = (byte) ('0' + n / 100);
            bytes[length++] = (byte) ('0' + n / 10 % 10);
            bytes[length++] = (byte) ('0' + n % 10);
        } else {
            byte[] digits = Integer.toString(n).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, bytes, length, digits.length);
            length += digits.length;
        }
        bytes[length++] = '\r';
        bytes[length++] = '\n';
    }

    private void ensure(int more) {
        if (length + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
        }
    }
}
