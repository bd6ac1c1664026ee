package io.percore.demo.rdb;

/**
 * A DUMP payload or RDB file that cannot be loaded: truncated, inconsistent, or of a type this server
 * does not keep. RESTORE answers it with Redis's {@code ERR Bad data format}; a file's names the file
 * and the offset ({@link RdbFileReader}); the reason is for logs and tests.
 */
public final class BadPayloadException extends RuntimeException {

    /** Whether the payload holds a string longer than proto-max-bulk-len (well-formed, but refused). */
    private final boolean stringTooLong;

    public BadPayloadException(String reason) {
        this(reason, false);
    }

    BadPayloadException(String reason, boolean stringTooLong) {
        super(reason, null, false, false);
        this.stringTooLong = stringTooLong;
    }

    /** A string in the payload is longer than proto-max-bulk-len: RESTORE says so rather than "Bad data format". */
    public boolean stringTooLong() {
        return stringTooLong;
    }
}
