package io.percore.demo.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * A loopback TCP relay for the tests' stand-ins of what lies between a client and its server (a Service, a link held in
 * the middle): it listens on a port, connects each accepted connection to the target of the moment, and runs one pump
 * per direction until either side closes, then closes both. What a relay does to the bytes is its pumps'.
 */
final class TcpRelay {

    /** Copies one direction of a connection pair until {@code from} ends or a socket fails. */
    interface Pump {
        void run(Socket from, Socket to) throws IOException, InterruptedException;
    }

    private final String name;
    private final int port;
    private final IntSupplier target;
    private final Pump up;
    private final Pump down;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    /**
     * @param up   the client's side to the server
     * @param down the server's side to the client
     */
    TcpRelay(String name, int port, IntSupplier target, Pump up, Pump down) {
        this.name = name;
        this.port = port;
        this.target = target;
        this.up = up;
        this.down = down;
    }

    int port() {
        return port;
    }

    /** Listens on its port (again). */
    void listen() throws IOException {
        ServerSocket next = new ServerSocket();
        next.setReuseAddress(true);
        next.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        listener = next;
        start(() -> acceptLoop(next), "accept");
    }

    /** Stops listening (a connect is refused) and closes every connection through it. */
    void closeAll() throws IOException {
        ServerSocket current = listener;
        if (current != null) {
            current.close();
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    private void acceptLoop(ServerSocket on) {
        while (true) {
            Socket client;
            try {
                client = on.accept();
            } catch (IOException closed) {
                return;
            }
            Socket server = new Socket();
            sockets.add(client);
            sockets.add(server);
            try {
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target.getAsInt()), 10_000);
            } catch (IOException unreachable) {
                closePair(client, server);
                continue;
            }
            start(() -> pump(up, client, server), "up");
            start(() -> pump(down, server, client), "down");
        }
    }

    private void pump(Pump pump, Socket from, Socket to) {
        try {
            pump.run(from, to);
        } catch (IOException | InterruptedException closed) {
            // either side gone: close the pair
        } finally {
            closePair(from, to);
        }
    }

    /** The plain pump: {@code from} to {@code to} as it comes (a half-close is not forwarded). */
    static void copy(Socket from, Socket to) throws IOException {
        byte[] buffer = new byte[16 * 1024];
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
        }
    }

    private void start(Runnable r, String what) {
        Thread t = new Thread(r, name + "-" + what + "-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void closePair(Socket a, Socket b) {
        closeQuietly(a);
        closeQuietly(b);
        sockets.remove(a);
        sockets.remove(b);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
