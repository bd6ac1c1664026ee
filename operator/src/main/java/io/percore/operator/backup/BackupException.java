package io.percore.operator.backup;

/** A backup or restore that cannot go on: the {@link Failure} and a one-line message naming what and where. */
public final class BackupException extends Exception {

    private final Failure failure;

    public BackupException(Failure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public BackupException(Failure failure, String message, Throwable cause) {
        super(message, cause);
        this.failure = failure;
    }

    public Failure failure() {
        return failure;
    }
}
