package io.percore.net.resp;

/**
 * A malformed or oversized frame, emitted by {@link RespCommandDecoder}: the server answers with
 * {@code -ERR Protocol error: ...} and closes the connection.
 */
public final class RespProtocolError extends RuntimeException {

    public RespProtocolError(String detail) {
        super("ERR Protocol error: " + singleLine(detail), null, false, false);
    }

    /** An error reply is one line: Redis replaces CR and LF by spaces (the detail may quote a client's byte). */
    private static String singleLine(String s) {
        return s.indexOf('\r') < 0 && s.indexOf('\n') < 0 ? s : s.replace('\r', ' ').replace('\n', ' ');
    }

    /** The error reply text, e.g. {@code ERR Protocol error: invalid bulk length}. */
    public String replyText() {
        return getMessage();
    }
}
