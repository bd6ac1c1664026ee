package io.percore.demo.rdb;

/**
 * A DUMP payload that cannot be loaded: truncated, inconsistent, or of a type this server does not
 * keep. RESTORE answers it with Redis's {@code ERR Bad data format}; the reason is for logs and tests.
 */
public final class BadPayloadException extends RuntimeException {

    public BadPayloadException(String reason) {
        super(reason, null, false, false);
    }
}
