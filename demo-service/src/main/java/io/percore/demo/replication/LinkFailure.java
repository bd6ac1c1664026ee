package io.percore.demo.replication;

import io.percore.demo.resp.CommandStreamParser;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

/**
 * Why one try of a replica's link failed, as INFO replication's {@code master_link_last_error} says it: a stable text
 * per cause (the same cause twice gives the same text, so whoever reads it, the operator first, can tell a new cause
 * from a retry), naming what failed and, where the primary said why, its words. What varies between tries (a temporary
 * file, an offset, the seconds of a timeout) is left to the log line, which keeps the whole message.
 *
 * <p>The link's own failures are thrown as this exception with their reason; the rest (the system's connect errors, a
 * stream this server cannot apply) are given one by {@link #reasonOf}.
 */
final class LinkFailure extends IOException {

    /** Longest reason kept: the primary's words are its own, of any length. */
    static final int MAX_REASON = 300;

    private final String reason;

    /** {@code message}: the log's; {@code reason}: INFO's (see the class). */
    LinkFailure(String message, String reason) {
        super(message);
        this.reason = reason;
    }

    LinkFailure(String message, String reason, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    String reason() {
        return reason;
    }

    /**
     * The reason of a failed try: {@code e}'s own when the link said it, the system's words for a connection that could
     * not be made, and for a stream that cannot be applied what is wrong with it.
     *
     * @param streaming whether the link had reached the stream (a corrupt reply before it is the handshake's)
     */
    static String reasonOf(Throwable e, String host, int port, boolean streaming) {
        String text;
        if (e instanceof LinkFailure f) {
            text = f.reason();
        } else if (e instanceof UnknownHostException) {
            text = "cannot resolve " + host;
        } else if (e instanceof ConnectException || e instanceof NoRouteToHostException || e instanceof SocketTimeoutException) {
            // only the connect throws these: every read waits one tick and counts repl-timeout itself (PrimaryWire)
            text = "cannot connect to " + host + ":" + port + ": " + message(e);
        } else if (e instanceof SocketException) {
            text = "the connection to the primary failed: " + message(e); // reset, broken pipe ...
        } else if (e instanceof CommandStreamParser.Corrupt) {
            text = (streaming ? "the replication stream cannot be applied here: " : "the primary's reply cannot be read: ") + message(e);
        } else {
            text = message(e);
        }
        return clean(text);
    }

    /**
     * One INFO value: control characters (a primary's reply could hold any byte) made spaces, at most
     * {@link #MAX_REASON} characters; and no value holding both ',' and '=', which INFO parsers (redis-py's) read as
     * {@code k=v,k=v} pairs, the way Redis writes {@code db0:keys=1,expires=0}: its commas become semicolons.
     */
    static String clean(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_REASON));
        for (int i = 0; i < text.length() && sb.length() < MAX_REASON; i++) {
            char c = text.charAt(i);
            sb.append(c < ' ' || c == 127 ? ' ' : c);
        }
        String out = sb.toString().strip();
        return out.indexOf('=') >= 0 ? out.replace(',', ';') : out;
    }

    private static String message(Throwable e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
