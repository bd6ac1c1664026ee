package io.percore.demo.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;

/**
 * A relay between a replica and its (real) primary that holds the full sync in the middle until the test releases it:
 * the handshake passes, and so does the primary's {@code +FULLRESYNC} line, which puts the replica into its full sync;
 * after that line nothing more of the primary reaches the replica until {@link #release()}. So a test sees the replica
 * loading a full sync for as long as it needs to look, caused by the test and not by a snapshot made slow enough for
 * the machine's load of the day (a replica app slow to start under load once missed the whole sync). Connections made
 * after the release, and partial resyncs ({@code +CONTINUE}), pass through. {@link #close()} is the address going
 * away: every connection closed, a connect refused.
 */
public final class FullSyncHold implements AutoCloseable {

    /** The longest line the primary sends before its PSYNC reply (+PONG, +OK, errors); past it the relay just copies. */
    private static final int HANDSHAKE_LINE_BOUND = 4096;

    private final TcpRelay relay;
    private final CountDownLatch released = new CountDownLatch(1);
    private final CountDownLatch held = new CountDownLatch(1);

    private FullSyncHold(int port, int primary) {
        this.relay = new TcpRelay("full-sync-hold", port, () -> primary, TcpRelay::copy, this::holdingTheSnapshot);
    }

    /** A relay on a free port of {@link TestPorts} to the primary listening on {@code primary}. */
    public static FullSyncHold to(int primary) throws IOException {
        FullSyncHold hold = new FullSyncHold(TestPorts.free(), primary);
        hold.relay.listen();
        return hold;
    }

    /** The port the replica is pointed at (its primary, as the replica sees it). */
    public int port() {
        return relay.port();
    }

    /** Whether a full sync has reached the hold (its {@code +FULLRESYNC} passed, the snapshot not). */
    public boolean holding() {
        return held.getCount() == 0 && released.getCount() > 0;
    }

    /** Lets the held snapshots through, and everything after them. */
    public void release() {
        released.countDown();
    }

    /** The primary's side to the replica: its lines up to and including {@code +FULLRESYNC}, then, once released, the rest. */
    private void holdingTheSnapshot(Socket from, Socket to) throws IOException, InterruptedException {
        byte[] buffer = new byte[16 * 1024];
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        boolean passing = released.getCount() == 0;
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
            int rest = 0;
            for (int i = 0; i < n && !passing; i++) {
                line.write(buffer[i]);
                if (buffer[i] != '\n' && line.size() < HANDSHAKE_LINE_BOUND) {
                    continue;
                }
                String text = line.toString(StandardCharsets.US_ASCII);
                line.reset();
                if (text.startsWith("+FULLRESYNC")) {
                    held.countDown(); // before the replica can read it: whoever sees the replica in its full sync sees it held
                    out.write(buffer, 0, i + 1);
                    out.flush();
                    released.await();
                    rest = i + 1;
                    passing = true;
                } else if (text.startsWith("+CONTINUE") || !text.endsWith("\n")) {
                    passing = true; // a partial resync, or not a handshake: nothing to hold
                }
            }
            out.write(buffer, rest, n - rest);
        }
    }

    /** The address goes away: a connect is refused, and the connections through it are closed. */
    @Override
    public void close() throws IOException {
        relay.closeAll();
        released.countDown(); // a pump still holding ends on its closed socket
    }
}
