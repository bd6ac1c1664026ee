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

/**
 * A Kubernetes Service between a client and the server it selects, for the tests of what a client sees in a failover:
 * it forwards each connection to the target it had when the connection was made (as kube-proxy's connection tracking
 * does), and a test can move the target (the primary label moved), stall (a server that stops answering: the kernel
 * still takes the bytes, nothing closes, nothing comes back), and refuse (no endpoint: every connection closed, new ones
 * refused) and take connections again, on the same port.
 */
public final class ServiceProxy implements AutoCloseable {

    private final int port;
    private volatile int target;
    private volatile ServerSocket listener;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private boolean stalled; // guarded by gate

    private ServiceProxy(int port, int target) {
        this.port = port;
        this.target = target;
    }

    /** A proxy on a free port of {@link TestPorts} to the server on {@code target}. */
    public static ServiceProxy to(int target) throws IOException {
        ServiceProxy proxy = new ServiceProxy(TestPorts.free(), target);
        proxy.accept();
        return proxy;
    }

    public int port() {
        return port;
    }

    /** New connections go to {@code target}; those made before stay with theirs. */
    public void retarget(int target) {
        this.target = target;
    }

    /** Stops forwarding in both directions, closing nothing: bytes sent meanwhile are held. */
    public void stall() {
        synchronized (gate) {
            stalled = true;
        }
    }

    /** Forwards again, the held bytes first. */
    public void resume() {
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    /** Closes every connection and stops listening: a connect is refused until {@link #accept()}. */
    public void refuse() throws IOException {
        ServerSocket current = listener;
        if (current != null) {
            current.close();
        }
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }

    /** Listens on its port (again). */
    public void accept() throws IOException {
        ServerSocket next = new ServerSocket();
        next.setReuseAddress(true);
        next.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
        listener = next;
        Thread acceptor = new Thread(() -> acceptLoop(next), "service-proxy-accept-" + port);
        acceptor.setDaemon(true);
        acceptor.start();
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
                server.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 10_000);
            } catch (IOException unreachable) {
                closePair(client, server);
                continue;
            }
            start(client, server, "up");
            start(server, client, "down");
        }
    }

    private void start(Socket from, Socket to, String direction) {
        Thread pump = new Thread(() -> pump(from, to), "service-proxy-" + direction + "-" + port);
        pump.setDaemon(true);
        pump.start();
    }

    /** Copies {@code from} to {@code to} until either closes, then closes both (a half-close is not forwarded). */
    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (gate) {
                    while (stalled) {
                        gate.wait();
                    }
                }
                out.write(buffer, 0, n);
            }
        } catch (IOException | InterruptedException closed) {
            // either side gone: close the pair
        } finally {
            closePair(from, to);
        }
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

    @Override
    public void close() throws IOException {
        refuse();
        resume();
    }
}
