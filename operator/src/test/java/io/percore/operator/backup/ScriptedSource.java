package io.percore.operator.backup;

import java.io.BufferedInputStream;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A source that plays what a test tells it after {@code PSYNC}: a hostile or broken peer that no real server plays
 * (a length of a petabyte, an endless line, silence, a close in the middle of the snapshot). Before it: AUTH and
 * REPLCONF answered {@code +OK}, INFO with the text given. Every command is recorded.
 */
final class ScriptedSource implements AutoCloseable {

    /** What the source does once PSYNC arrived: writes to the replica and returns (the connection is then closed). */
    @FunctionalInterface
    interface Script {
        void play(OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final String info;
    private final Script script;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();

    ScriptedSource(String info, Script script) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.info = info;
        this.script = script;
        Thread t = new Thread(this::accept, "scripted-source");
        t.setDaemon(true);
        t.start();
    }

    static final String PRIMARY_INFO = "# Server\r\nredis_version:7.0.15\r\n# Replication\r\nrole:master\r\nmaster_repl_offset:100\r\n";

    SourceAddress address() {
        return new SourceAddress("127.0.0.1", server.getLocalPort());
    }

    List<String> commands() {
        return commands;
    }

    int connections() {
        return connections.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "scripted-source-connection");
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
                String name = command.get(0).toUpperCase();
                commands.add(String.join(" ", command));
                switch (name) {
                    case "INFO" -> out.write(bulk(info));
                    case "PSYNC", "SYNC" -> {
                        script.play(out);
                        out.flush();
                        return;
                    }
                    default -> out.write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
                }
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the replica hung up
        }
    }

    static byte[] bulk(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("$" + b.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + b.length + 2];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(b, 0, all, head.length, b.length);
        all[all.length - 2] = '\r';
        all[all.length - 1] = '\n';
        return all;
    }

    private static List<String> readCommand(InputStream in) throws IOException {
        String head = line(in);
        if (head == null) {
            return null;
        }
        int n = Integer.parseInt(head.substring(1));
        List<String> args = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = Integer.parseInt(line(in).substring(1));
            byte[] b = in.readNBytes(len + 2);
            args.add(new String(b, 0, len, StandardCharsets.UTF_8));
        }
        return args;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == '\n') {
                return b.toString().stripTrailing();
            }
            b.append((char) c);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
