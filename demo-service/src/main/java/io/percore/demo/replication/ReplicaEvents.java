package io.percore.demo.replication;

/**
 * What a connection that became a replica's link (PSYNC, SYNC) tells it, on the connection's
 * shard: the connection reads on but runs nothing and answers nothing from then on.
 */
public interface ReplicaEvents {

    /** A command the replica sent (REPLCONF ACK). */
    void received(byte[][] argv);

    /** The socket took what was written: more can go. */
    void writable();

    /** The connection closed. */
    void closed();

    /**
     * The server began to stop (its servers' drain): the replica had {@code shutdown-timeout} to take the stream, and a
     * replica that reads no more would hold the drain until {@code repl-timeout}. On the connection's thread.
     */
    void serverStopping();
}
