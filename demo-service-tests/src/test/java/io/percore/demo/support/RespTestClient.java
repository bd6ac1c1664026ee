package io.percore.demo.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A raw-socket RESP2 client for asserting exact replies: no client library in between. */
public final class RespTestClient implements AutoCloseable {

    /** An error reply, e.g. {@code ERR syntax error}. */
    /** RESP3's {@code _}. */
    public record Null3() {
    }

    /** RESP3's {@code %}: keys and values alternating. */
    public record Map3(List<Object> keysAndValues) {
    }

    /** RESP3's {@code ~}. */
    public record Set3(List<Object> members) {
    }

    /** RESP3's {@code =}. */
    public record Verbatim(String format, String text) {
    }

    /** RESP3's {@code ,} (as sent), {@code #} and {@code (} (as sent). */
    public record Double3(String text) {
    }

    public record Big3(String text) {
    }

    /** A RESP3 push ({@code >}): pub/sub messages and confirmations. */
    public record Push3(List<Object> items) {
    }

    public record Err(String text) {
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** How long a read waits for the server before the test fails as hung. */
    public static final int READ_TIMEOUT_MILLIS = 60_000;

    public RespTestClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        // A guard against a hang, not a timing: at a load of 50 on two cores a cold server took more
        // than 15 s over a 20,000-command pipeline (KeyspaceNotificationsFloodTest) and a CLIENT LIST
        // queued behind large ranges (ClientMemoryTest), both answered in the end.
        socket.setSoTimeout(READ_TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    public static byte[] encode(String... args) {
        return encode(StandardCharsets.UTF_8, args);
    }

    /** A command with its arguments in {@code charset}. */
    public static byte[] encode(java.nio.charset.Charset charset, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(charset);
            out.writeBytes(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(b);
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        return out.toByteArray();
    }

    /** How bulk strings map to Java strings both ways: UTF-8, or ISO-8859-1 after {@link #binary()}. */
    private java.nio.charset.Charset charset = StandardCharsets.UTF_8;

    /**
     * Bulk strings as ISO-8859-1 from now on, arguments and replies: each char 0..255 is one byte,
     * so binary values (bitmaps) travel and compare exactly.
     */
    public RespTestClient binary() {
        charset = StandardCharsets.ISO_8859_1;
        return this;
    }

    /** Sends one command and returns its reply. */
    public Object cmd(String... args) throws IOException {
        send(encode(charset, args));
        return read();
    }

    /**
     * Sends one command, and again while it is answered {@code -LOADING} (a server loading its files or a sync's snapshot,
     * as Redis's; its clients retry too), for up to 30 s; returns the first other reply.
     */
    public Object cmdOnceLoaded(String... args) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        Object reply;
        while ((reply = cmd(args)) instanceof Err err && err.text().startsWith("LOADING")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still answered " + err.text() + " after 30 s: " + String.join(" ", args));
            }
            Thread.sleep(20);
        }
        return reply;
    }

    public void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void send(String raw) throws IOException {
        send(raw.getBytes(StandardCharsets.UTF_8));
    }

    /** Bytes that can be read now without waiting (what the server has written and the socket holds). */
    public int available() throws IOException {
        return in.available();
    }

    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /**
     * Reads one reply: String (simple or bulk), null (RESP2 nil), Long, Err, List; in RESP3 also
     * Null3, Map3, Set3, Verbatim, Double3, Boolean, Big3.
     */
    public Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                return new Err(line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int len = Integer.parseInt(line);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len);
                if (data.length < len || in.read() != '\r' || in.read() != '\n') {
                    throw new IOException("bad bulk string");
                }
                return new String(data, charset);
            }
            case '*': {
                int n = Integer.parseInt(line);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            case '_':
                return new Null3();
            case '%': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(2 * n);
                for (int i = 0; i < 2 * n; i++) {
                    items.add(read());
                }
                return new Map3(items);
            }
            case '~': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return new Set3(items);
            }
            case '=': {
                int len = Integer.parseInt(line);
                byte[] data = in.readNBytes(len);
                if (data.length < len || in.read() != '\r' || in.read() != '\n') {
                    throw new IOException("bad verbatim string");
                }
                String text = new String(data, StandardCharsets.UTF_8);
                return new Verbatim(text.substring(0, 3), text.substring(4));
            }
            case '>': {
                int n = Integer.parseInt(line);
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return new Push3(items);
            }
            case ',':
                return new Double3(line);
            case '#':
                return line.equals("t");
            case '(':
                return new Big3(line);
            default:
                throw new IOException("bad reply type byte " + type + " ('" + (char) type + "')");
        }
    }

    /**
     * Reads one reply's first line as sent, type byte included ({@code *-1}, {@code $-1}, {@code _}):
     * for the replies whose decoded forms look alike (a null array and a null bulk both read null).
     */
    public String readRawLine() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        return (char) type + readLine();
    }

    /**
     * Reads one whole reply as sent (nested ones included), for comparing two servers' bytes where
     * decoded forms look alike (a null array and a null bulk inside an EXEC reply).
     */
    public String readRawReply() throws IOException {
        StringBuilder raw = new StringBuilder();
        readRawInto(raw);
        return raw.toString();
    }

    private void readRawInto(StringBuilder raw) throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new EOFException("connection closed");
        }
        String line = readLine();
        raw.append((char) type).append(line).append("\r\n");
        switch (type) {
            case '$', '=' -> {
                int len = Integer.parseInt(line);
                if (len >= 0) {
                    raw.append(new String(in.readNBytes(len + 2), StandardCharsets.ISO_8859_1));
                }
            }
            case '*', '~', '>' -> {
                for (int i = Integer.parseInt(line); i > 0; i--) {
                    readRawInto(raw);
                }
            }
            case '%' -> {
                for (int i = 2 * Integer.parseInt(line); i > 0; i--) {
                    readRawInto(raw);
                }
            }
            default -> {
            }
        }
    }

    /** True if the server closed the connection (EOF) within the socket timeout. */
    public boolean closedByServer() {
        try {
            return in.read() < 0;
        } catch (IOException e) {
            return true; // reset also counts as closed
        }
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new EOFException("connection closed mid-line");
            }
            line.write(c);
        }
        if (in.read() != '\n') {
            throw new IOException("CR without LF");
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
