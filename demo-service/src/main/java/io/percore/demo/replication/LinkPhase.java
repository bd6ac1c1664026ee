package io.percore.demo.replication;

/**
 * Where a replica's link to its primary stands, as ROLE names it (Redis's {@code repl_state}): not connected (trying
 * again soon), connecting, in the handshake, receiving or loading a full sync, streaming.
 */
public enum LinkPhase {
    CONNECT("connect"), CONNECTING("connecting"), HANDSHAKE("handshake"), SYNC("sync"), CONNECTED("connected");

    private final String text;

    LinkPhase(String text) {
        this.text = text;
    }

    /** ROLE's word for it. */
    public String text() {
        return text;
    }
}
