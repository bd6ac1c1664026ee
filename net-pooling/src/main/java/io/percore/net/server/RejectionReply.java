package io.percore.net.server;

/**
 * Implemented by a server's initializer to tell a refused client why, in the server's own
 * protocol, before the connection closes: a connection over {@code max-connections-per-shard} or
 * over the process's file-descriptor budget gets these bytes (RESP: {@code -ERR max number of
 * clients reached}, HTTP: a 503), then the close. Without it the client sees a bare close.
 */
public interface RejectionReply {

    /** The bytes written to a refused connection; the same array every time (not modified). */
    byte[] rejectionReply();
}
