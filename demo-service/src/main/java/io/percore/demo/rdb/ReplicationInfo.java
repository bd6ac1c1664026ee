package io.percore.demo.rdb;

/**
 * Where a snapshot stands in a replication stream (Redis's {@code rdbSaveInfo}): saved as the file's
 * {@code repl-id} and {@code repl-offset} auxiliary fields, so a server restarted from the file can
 * ask its primary to continue after {@code offset} instead of sending everything again.
 *
 * @param replid the stream's replication id (40 hex digits)
 * @param offset the offset of the stream's last byte whose effects the snapshot holds, and none after
 */
public record ReplicationInfo(String replid, long offset, int streamDb) {

    /** Where a stream stands that selects its database again before its next command (a primary's after a full sync's point). */
    public ReplicationInfo(String replid, long offset) {
        this(replid, offset, 0);
    }

    public ReplicationInfo {
        if (replid == null || replid.length() != 40) {
            throw new IllegalArgumentException("a replication id has 40 characters: " + replid);
        }
    }
}
