package io.percore.demo.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;

/**
 * A relay between a replica and its primary that a test partitions and heals one direction at a time, as a network
 * does: while a direction is held, what its sender writes is read and kept (the bytes a socket's buffers and TCP's
 * retransmissions keep for the peer) and delivered, late, when it is let through. So a test can hand a primary the
 * acknowledgements its replica sent seconds ago, while the replica hears nothing more from the primary, the way a
 * primary thawed after a freeze reads them. One connection at a time (a replica's link).
 */
public final class PartitionedLink implements AutoCloseable {

    private final TcpRelay relay;
    private final Direction toPrimary = new Direction();
    private final Direction toReplica = new Direction();

    private PartitionedLink(int port, int primary) {
        this.relay = new TcpRelay("partitioned-link", port, () -> primary, toPrimary::pump, toReplica::pump);
    }

    /** A relay on a free port of {@link TestPorts} to the primary listening on {@code primary}. */
    public static PartitionedLink to(int primary) throws IOException {
        PartitionedLink link = new PartitionedLink(TestPorts.free(), primary);
        link.relay.listen();
        return link;
    }

    /** The port the replica is pointed at (its primary, as the replica sees it). */
    public int port() {
        return relay.port();
    }

    /** Both directions keep what they read from now on. */
    public void partition() {
        toPrimary.hold();
        toReplica.hold();
    }

    /** What the replica wrote while held reaches the primary now, and what it writes later too. */
    public void healToPrimary() throws IOException {
        toPrimary.letThrough();
    }

    /** Both directions deliver what they held, and copy as it comes from now on. */
    public void heal() throws IOException {
        toPrimary.letThrough();
        toReplica.letThrough();
    }

    /** Bytes the replica wrote while held, not yet delivered. */
    public int heldToPrimary() {
        return toPrimary.held();
    }

    @Override
    public void close() throws IOException {
        relay.closeAll();
    }

    /** One direction: copies as it comes, or keeps what it reads while held. */
    private static final class Direction {
        private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        private boolean holding;
        private OutputStream out;

        synchronized void hold() {
            holding = true;
        }

        synchronized int held() {
            return kept.size();
        }

        synchronized void letThrough() throws IOException {
            holding = false;
            if (out != null && kept.size() > 0) {
                kept.writeTo(out);
                out.flush();
            }
            kept.reset();
        }

        void pump(Socket from, Socket to) throws IOException {
            byte[] buffer = new byte[16 * 1024];
            InputStream in = from.getInputStream();
            synchronized (this) {
                out = to.getOutputStream();
            }
            for (int n; (n = in.read(buffer)) >= 0; ) {
                synchronized (this) {
                    if (holding) {
                        kept.write(buffer, 0, n);
                    } else {
                        out.write(buffer, 0, n);
                    }
                }
            }
        }
    }
}
