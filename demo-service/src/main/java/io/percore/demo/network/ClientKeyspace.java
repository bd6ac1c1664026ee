package io.percore.demo.network;

import io.percore.demo.shard.Keyspace;

/**
 * The keyspace a client's commands see: the database it selected (SELECT; database 0 at first), or, for the command
 * running now of a client with tracking on, its tracking's view of that database (which remembers the keys it reads).
 */
final class ClientKeyspace {

    private final Keyspace databases;
    private Keyspace selected;
    private Keyspace seen;

    /** {@code databases}: the shard's keyspace of database 0, which gives the others. */
    ClientKeyspace(Keyspace databases) {
        this.databases = databases;
        this.selected = databases;
        this.seen = databases;
    }

    /** What the command running now reads and writes. */
    Keyspace seen() {
        return seen;
    }

    /** SELECT {@code db}: a tracking client's next command makes its view of it. */
    void select(int db) {
        selected = databases.database(db);
        seen = selected;
    }

    /** The next command of a tracking client sees the selected database through its tracking. */
    void seenThrough(ConnectionTracking tracking, int id, byte[][] argv) {
        seen = tracking.keyspaceFor(selected, id, argv);
    }

    /** Tracking went off: the selected database itself. */
    void untracked() {
        seen = selected;
    }
}
