package io.percore.operator.replication;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A RESP server on 127.0.0.1 that answers what a test tells it to, and records every command it was sent: a Redis
 * that a real one cannot play (an old version, a replica that never catches up). {@code AUTH} is always {@code +OK}.
 * The answer function returns the reply as written on the wire ({@link #bulk}, {@code "+OK\r\n"}, {@code "-ERR ...\r\n"}).
 */
public final class FakeRedis implements AutoCloseable {

    private final ServerSocket server;
    private final Function<List<String>, String> answer;
    private final List<List<String>> received = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    public FakeRedis(Function<List<String>, String> answer) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.answer = answer;
        this.acceptor = new Thread(this::accept, "fake-redis-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Every command received but AUTH, in order, as upper-cased words joined by spaces. */
    public List<String> commands() {
        return received.stream().filter(c -> !c.get(0).equalsIgnoreCase("AUTH")).map(c -> String.join(" ", c).toUpperCase()).toList();
    }

    public static String bulk(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return "$" + bytes.length + "\r\n" + text + "\r\n";
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                Thread t = new Thread(() -> serve(s), "fake-redis-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            while (true) {
                List<String> command = readCommand(in);
                if (command == null) {
                    return;
                }
                received.add(command);
                String reply = command.get(0).equalsIgnoreCase("AUTH") ? "+OK\r\n" : answer.apply(command);
                out.write(reply.getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            // the client hung up
        }
    }

    private static List<String> readCommand(InputStream in) throws IOException {
        String header = line(in);
        if (header == null) {
            return null;
        }
        if (!header.startsWith("*")) {
            throw new IOException("not an array: " + header);
        }
        int n = Integer.parseInt(header.substring(1));
        List<String> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = Integer.parseInt(line(in).substring(1));
            byte[] body = in.readNBytes(len + 2);
            args.add(new String(body, 0, len, StandardCharsets.UTF_8));
        }
        return args;
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (prev == '\r' && c == '\n') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            b.write(c);
            prev = c;
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
