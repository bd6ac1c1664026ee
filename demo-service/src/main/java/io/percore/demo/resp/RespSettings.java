package io.percore.demo.resp;

import io.percore.net.resp.RespDecoderLimits;

/**
 * Limits and security of the RESP server.
 *
 * @param requirePass      password every connection must AUTH with before other commands, or null for none
 * @param maxBulkLength    largest bulk string a client may send (Redis's proto-max-bulk-len, default 512 MB)
 * @param maxArrayLength   most elements in one command (Redis accepts up to 2^31; we default to 1M to bound the
 *                         memory a header alone makes us reserve)
 * @param maxInlineLength  longest inline command line (Redis: 64 KB)
 */
public record RespSettings(String requirePass, int maxBulkLength, int maxArrayLength, int maxInlineLength) {

    public static final int REDIS_MAX_BULK_LENGTH = RespDecoderLimits.REDIS_MAX_BULK_LENGTH;

    public RespSettings {
        if (requirePass != null && requirePass.isEmpty()) {
            requirePass = null;
        }
        if (maxBulkLength < 1 || maxBulkLength > REDIS_MAX_BULK_LENGTH) {
            throw new IllegalArgumentException("percore.demo.resp.max-bulk-length must be between 1 and " + REDIS_MAX_BULK_LENGTH + ", got " + maxBulkLength);
        }
        if (maxArrayLength < 1) {
            throw new IllegalArgumentException("percore.demo.resp.max-array-length must be positive, got " + maxArrayLength);
        }
        if (maxInlineLength < 16 || maxInlineLength > REDIS_MAX_BULK_LENGTH) {
            throw new IllegalArgumentException("percore.demo.resp.max-inline-length must be between 16 and " + REDIS_MAX_BULK_LENGTH + ", got " + maxInlineLength);
        }
    }

    /** The limits the request decoder enforces. */
    public RespDecoderLimits decoderLimits() {
        return new RespDecoderLimits(maxBulkLength, maxArrayLength, maxInlineLength);
    }

    public static RespSettings defaults() {
        return new RespSettings(null, REDIS_MAX_BULK_LENGTH, 1024 * 1024, 64 * 1024);
    }

    public RespSettings withRequirePass(String password) {
        return new RespSettings(password, maxBulkLength, maxArrayLength, maxInlineLength);
    }
}
