package io.percore.demo.resp;

/** A malformed or oversized frame: answered with {@code -ERR Protocol error: ...}, then the connection closes. */
public final class RespProtocolError extends RuntimeException {

    public RespProtocolError(String detail) {
        super("ERR Protocol error: " + detail, null, false, false);
    }

    /** The error reply text, e.g. {@code ERR Protocol error: invalid bulk length}. */
    public String replyText() {
        return getMessage();
    }
}
