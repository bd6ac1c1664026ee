package io.percore.operator.replication;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The tests' own RESP client (the clients' side: SET, WAIT, GET, INFO), separate from the operator's probe. */
public final class TestResp implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    public TestResp(int port, String password) throws IOException {
        this(port, null, password);
    }

    /** Authenticated as the ACL {@code user} ({@code AUTH user password}) when one is given. */
    public TestResp(int port, String user, String password) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        socket.setSoTimeout(15_000);
        out = socket.getOutputStream();
        in = new BufferedInputStream(socket.getInputStream());
        if (password != null) {
            Object ok = user == null ? call("AUTH", password) : call("AUTH", user, password);
            if (!"OK".equals(ok)) {
                throw new IOException("AUTH: " + ok);
            }
        }
    }

    /** How long a reply may take before the call throws {@link java.net.SocketTimeoutException}. */
    public TestResp timeout(java.time.Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        return this;
    }

    /** @return String (simple or bulk), Long, List, null; an error reply is thrown */
    public Object call(String... args) throws IOException {
        return call(toBytes(args));
    }

    public Object call(byte[]... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(b.toByteArray());
        out.flush();
        return read();
    }

    public String info() throws IOException {
        return (String) call("INFO", "replication");
    }

    public static String field(String info, String name) {
        for (String line : info.split("\r\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1);
            }
        }
        return null;
    }

    private Object read() throws IOException {
        String line = line();
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+':
                return rest;
            case '-':
                throw new IOException("error reply: " + rest);
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
                List<Object> items = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    items.add(read());
                }
                return items;
            }
            default:
                throw new IOException("unexpected: " + line);
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            if (prev == '\r' && c == '\n') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
            prev = c;
        }
    }

    private static byte[][] toBytes(String[] args) {
        byte[][] bytes = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            bytes[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return bytes;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
