package io.percore.demo.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A stopping primary's last service, once demoted and closed: on its own RESP port, every connection is relayed byte
 * for byte to the new primary, for as long as the relay is open. A Kubernetes Service routes to the old pod until
 * kube-proxy applies the primary Service's change (it applies at most two changes a second, and the deleted pod's own
 * changes come first); a client reconnecting meanwhile reaches the new primary through here instead of finding nothing
 * listening. Nothing is interpreted: AUTH, TLS-less RESP and every reply go through as they are, and the relay's end
 * closes both sides (the client then reconnects, and the Service routes it straight to the new primary).
 *
 * <p>Bounded: at most {@link #MAX_CONNECTIONS} relayed at once (beyond, a connection is closed at once, as a refused one
 * would be), each two daemon threads, every socket closed by {@link #close()}; connecting to the new primary is bounded by
 * {@link #CONNECT_TIMEOUT_MILLIS}. Off the shards: plain sockets, since the servers and their event loops are stopping.
 */
public final class HandoverRelay implements AutoCloseable {

    static final int MAX_CONNECTIONS = 512;
    static final int CONNECT_TIMEOUT_MILLIS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(HandoverRelay.class);

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger pairs = new AtomicInteger();
    private final AtomicInteger relayed = new AtomicInteger();
    private final int maxConnections;
    private volatile boolean closed;
    /** When a connection last arrived or a byte last went through, either way, at first its opening ({@link System#nanoTime()}). */
    private volatile long lastUsedNanos = System.nanoTime();

    private HandoverRelay(ServerSocket server, InetSocketAddress target, int maxConnections) {
        this.server = server;
        this.target = target;
        this.maxConnections = maxConnections;
    }

    /**
     * Listens on {@code port} (every address, as the RESP server did) and relays to {@code host}:{@code targetPort}.
     *
     * @throws IOException when the port cannot be taken (the caller goes without a relay)
     */
    public static HandoverRelay open(int port, String host, int targetPort) throws IOException {
        return open(port, host, targetPort, MAX_CONNECTIONS);
    }

    static HandoverRelay open(int port, String host, int targetPort, int maxConnections) throws IOException {
        ServerSocket server = new ServerSocket();
        try {
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(port), 128);
        } catch (IOException e) {
            server.close();
            throw e;
        }
        HandoverRelay relay = new HandoverRelay(server, InetSocketAddress.createUnresolved(host, targetPort), maxConnections);
        Thread accept = new Thread(relay::accept, "handover-relay-" + port);
        accept.setDaemon(true);
        accept.start();
        return relay;
    }

    /** How many connections it relayed so far. */
    public int relayed() {
        return relayed.get();
    }

    /**
     * Waits until nobody has used the relay for {@code quiet} (no connection arrived, no byte went through either way),
     * or until {@code deadlineNanos} ({@link System#nanoTime()}), whichever comes first. A client still relayed, or one
     * that the Service still sends here, keeps it open: kube-proxy's turn is not known here, only that clients still come.
     *
     * @return whether it went unused for {@code quiet}
     */
    public boolean awaitUnused(java.time.Duration quiet, long deadlineNanos) throws InterruptedException {
        while (true) {
            long now = System.nanoTime();
            long idle = now - lastUsedNanos;
            if (idle >= quiet.toNanos()) {
                return true;
            }
            if (now >= deadlineNanos) {
                return false;
            }
            Thread.sleep(Math.max(1, java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(Math.min(quiet.toNanos() - idle, deadlineNanos - now))));
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            lastUsedNanos = System.nanoTime();
            if (pairs.incrementAndGet() > maxConnections) {
                pairs.decrementAndGet();
                closeQuietly(client);
                continue;
            }
            Thread t = new Thread(() -> relay(client), "handover-relay-connection");
            t.setDaemon(true);
            t.start();
        }
    }

    private void relay(Socket client) {
        open.add(client);
        Socket upstream = new Socket();
        open.add(upstream);
        try {
            if (closed) {
                return;
            }
            upstream.connect(new InetSocketAddress(target.getHostString(), target.getPort()), CONNECT_TIMEOUT_MILLIS);
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            relayed.incrementAndGet();
            Thread back = new Thread(() -> pump(upstream, client, this), "handover-relay-reply");
            back.setDaemon(true);
            back.start();
            pump(client, upstream, this);
            back.join(CONNECT_TIMEOUT_MILLIS);
        } catch (IOException e) {
            LOG.debug("Relaying to the new primary {} failed: {}", target, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(client);
            closeQuietly(upstream);
            open.remove(client);
            open.remove(upstream);
            pairs.decrementAndGet();
        }
    }

    /** Copies until either side ends, then closes both (the other direction's pump ends with them). */
    private static void pump(Socket from, Socket to, HandoverRelay relay) {
        byte[] buffer = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buffer)) >= 0) {
                out.write(buffer, 0, n);
                relay.lastUsedNanos = System.nanoTime();
            }
        } catch (IOException e) {
            // one side closed or reset
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    /** Stops listening and closes every relayed connection on both sides. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing anyway
        }
    }
}
