package io.percore.operator.backup;

/**
 * Why a backup or a restore failed: the {@code reason} of its termination message (a Kubernetes condition's reason
 * as it stands), and the process's exit code.
 */
public enum Failure {
    /** A setting is missing or wrong: nothing was tried. */
    INVALID_SETTINGS("InvalidSettings"),
    /** No source answered a connection (refused, unresolved, timed out). */
    SOURCE_UNREACHABLE("SourceUnreachable"),
    /** A source answered with an error: AUTH refused, PSYNC refused, {@code -LOADING} ... */
    SOURCE_REFUSED("SourceRefused"),
    /** A source sent what the replication protocol does not allow (not RESP, a malformed length, a line too long). */
    SOURCE_PROTOCOL("SourceProtocolError"),
    /** A source closed the connection before the snapshot's end. */
    SOURCE_CLOSED("SourceClosed"),
    /** A source sent nothing for longer than the stall timeout, or no snapshot within the start timeout. */
    SOURCE_STALLED("SourceStalled"),
    /** Among several sources none is a primary or a replica in sync. */
    NO_SOURCE_IN_SYNC("NoSourceInSync"),
    /** The snapshot is larger than the size allowed. */
    SNAPSHOT_TOO_LARGE("SnapshotTooLarge"),
    /** The snapshot's bytes are not a valid RDB (structure, CRC-64, version). */
    CORRUPT_SNAPSHOT("CorruptSnapshot"),
    /** The snapshot ends before its RDB does. */
    TRUNCATED_SNAPSHOT("TruncatedSnapshot"),
    /** The object's SHA-256 is not the one its manifest recorded. */
    CHECKSUM_MISMATCH("ChecksumMismatch"),
    /** The object's size or key count is not the one its manifest recorded. */
    SIZE_MISMATCH("SizeMismatch"),
    /** The object store did not answer (refused, unresolved, timed out). */
    STORAGE_UNREACHABLE("StorageUnreachable"),
    /** The object store refused the credentials or the request (403). */
    ACCESS_DENIED("AccessDenied"),
    /** The bucket does not exist. */
    NO_SUCH_BUCKET("NoSuchBucket"),
    /** The object named does not exist. */
    NO_SUCH_OBJECT("NoSuchObject"),
    /** The backup's shape does not fit the service restored into: a cluster's groups and its primaries differ in number. */
    LAYOUT_MISMATCH("LayoutMismatch"),
    /** No complete backup exists under the destination. */
    NO_BACKUP("NoBackup"),
    /** The object store answered with another error. */
    STORAGE_ERROR("StorageError"),
    /** The data directory cannot be written (full, read-only, a file size limit). */
    DATA_DIRECTORY("DataDirectoryError"),
    /** Anything else: a defect. */
    INTERNAL("InternalError");

    private final String reason;

    Failure(String reason) {
        this.reason = reason;
    }

    /** The reason as the termination message gives it. */
    public String reason() {
        return reason;
    }

    /** 2 for settings (nothing was tried: retrying the same Job cannot help), 1 for everything else. */
    public int exitCode() {
        return this == INVALID_SETTINGS ? 2 : 1;
    }
}
