package io.percore.demo.replication;

import io.percore.demo.resp.CommandStreamParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * A replica's socket to its primary, read through one {@link CommandStreamParser} from the handshake on (what
 * follows the snapshot stays in it). A read waits one tick at most ({@link PrimaryLink#TICK_MILLIS}), so
 * the link's thread sends its ack, sees that it was closed and keeps {@code repl-timeout}'s clock.
 */
final class PrimaryWire {

    final CommandStreamParser parser = new CommandStreamParser(PrimaryLink.MAX_ARGS, PrimaryLink.MAX_BULK);
    private final InputStream in;
    private final OutputStream out;
    private final long timeoutMillis;
    private final BooleanSupplier closed;
    /** When the primary was last heard (or the link last came up): repl-timeout counts from it, INFO shows it. */
    private volatile long lastIoMillis;

    /** {@code timeoutMillis}: repl-timeout; {@code closed}: whether the link was closed (the next read fails). */
    PrimaryWire(Socket s, long timeoutMillis, BooleanSupplier closed) throws IOException {
        this.in = s.getInputStream();
        this.out = s.getOutputStream();
        this.timeoutMillis = timeoutMillis;
        this.closed = closed;
        lastIoMillis = System.currentTimeMillis();
    }

    long lastIoMillis() {
        return lastIoMillis;
    }

    /** The silence so far ends here: a loaded snapshot took as long as it took, and the stream's timeout starts now. */
    void touch() {
        lastIoMillis = System.currentTimeMillis();
    }

    void send(String... args) throws IOException {
        StringBuilder sb = new StringBuilder().append('*').append(args.length).append("\r\n");
        for (String a : args) {
            byte[] b = a.getBytes(StandardCharsets.UTF_8);
            sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
        }
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** The next reply line of the handshake. */
    String line() throws IOException {
        while (true) {
            String l = parser.line();
            if (l != null) {
                return l;
            }
            fill(false);
        }
    }

    /**
     * Reads what came, or waits one tick; fails when closed, at the end of the stream, or after
     * repl-timeout of silence ({@code snapshot}: while the snapshot is received, which Redis's message names).
     */
    void fill(boolean snapshot) throws IOException {
        if (closed.getAsBoolean()) {
            throw new IOException("the link is closed");
        }
        int n;
        try {
            n = parser.fill(in);
        } catch (SocketTimeoutException e) {
            n = 0;
        }
        long now = System.currentTimeMillis();
        if (n < 0) {
            throw new LinkFailure("the primary closed the connection" + (parser.buffered() > 0
                    ? " in the middle of a command (" + parser.buffered() + " bytes of it dropped)" : ""),
                    snapshot ? "the primary closed the connection during the full sync" : "the primary closed the connection");
        }
        if (n > 0) {
            lastIoMillis = now;
            return;
        }
        if (now - lastIoMillis > timeoutMillis) {
            long seconds = timeoutMillis / 1000;
            throw snapshot ? new LinkFailure("Timeout receiving bulk data from MASTER... If the problem persists try to set"
                    + " the 'repl-timeout' parameter in redis.conf to a larger value.",
                    "the full sync stalled: nothing received from the primary for " + seconds + " s (repl-timeout)")
                    : new LinkFailure("MASTER timeout: no data nor PING received for " + (now - lastIoMillis) / 1000 + " s",
                    "nothing received from the primary for " + seconds + " s (repl-timeout)");
        }
    }
}
