package io.percore.operator.backup;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests' pipelining RESP client: commands are queued, then sent together and their replies read in order, so
 * 100,000 keys are written or read in a few round trips. Replies: String (status, bulk), Long, List, null, and an
 * error as {@link RespError} (not thrown: a pipeline's replies are all read).
 */
final class RespPipe implements AutoCloseable {

    record RespError(String text) {
    }

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private int queued;

    RespPipe(int port, String password) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        socket.setSoTimeout(60_000);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        if (password != null) {
            Object ok = call("AUTH", password);
            if (!"OK".equals(ok)) {
                throw new IOException("AUTH: " + ok);
            }
        }
    }

    /** Queues a command. */
    RespPipe queue(String... args) throws IOException {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            out.write(("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
        queued++;
        return this;
    }

    /** Sends what is queued and reads every reply. */
    List<Object> sync() throws IOException {
        out.flush();
        List<Object> replies = new ArrayList<>(queued);
        for (int i = 0; i < queued; i++) {
            replies.add(read());
        }
        queued = 0;
        return replies;
    }

    /** One command, its reply; an error reply is thrown. */
    Object call(String... args) throws IOException {
        queue(args);
        Object reply = sync().get(0);
        if (reply instanceof RespError e) {
            throw new IOException(e.text());
        }
        return reply;
    }

    private Object read() throws IOException {
        String line = line();
        String rest = line.substring(1);
        switch (line.charAt(0)) {
            case '+':
                return rest;
            case '-':
                return new RespError(rest);
            case ':':
                return Long.parseLong(rest);
            case '$': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return null;
                }
                byte[] body = in.readNBytes(n + 2);
                return new String(body, 0, n, StandardCharsets.UTF_8);
            }
            case '*': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return null;
                }
                List<Object> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("not RESP: " + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
