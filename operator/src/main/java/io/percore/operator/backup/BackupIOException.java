package io.percore.operator.backup;

import java.io.IOException;

/**
 * A classified failure passing through code that only speaks {@link IOException} (the RDB check reads the source and
 * writes the upload or the file: each side says which failure is its own).
 */
final class BackupIOException extends IOException {

    private final BackupException failure;

    BackupIOException(BackupException failure) {
        super(failure.getMessage(), failure);
        this.failure = failure;
    }

    BackupIOException(Failure failure, String message, Throwable cause) {
        this(new BackupException(failure, message, cause));
    }

    BackupException failure() {
        return failure;
    }
}
