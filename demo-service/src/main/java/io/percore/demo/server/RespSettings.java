package io.percore.demo.server;

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
public record RespSettings(String requirePass, int maxBulkLength, int maxArrayLength, int maxInlineLength,
                           OutputBufferLimit pubsubLimit) {

    public static final int REDIS_MAX_BULK_LENGTH = RespDecoderLimits.REDIS_MAX_BULK_LENGTH;

    /**
     * Redis's {@code client-output-buffer-limit} for one class of clients: a subscriber whose
     * unsent output exceeds {@code hardBytes}, or stays above {@code softBytes} for
     * {@code softSeconds}, is disconnected (0 disables a limit).
     */
    public record OutputBufferLimit(long hardBytes, long softBytes, int softSeconds) {

        /** Redis's default for pub/sub clients: {@code pubsub 32mb 8mb 60}. */
        public static final OutputBufferLimit PUBSUB_DEFAULT = new OutputBufferLimit(32L << 20, 8L << 20, 60);

        public OutputBufferLimit {
            if (hardBytes < 0 || softBytes < 0 || softSeconds < 0) {
                throw new IllegalArgumentException("client-output-buffer-limit values must not be negative");
            }
        }
    }

    public RespSettings(String requirePass, int maxBulkLength, int maxArrayLength, int maxInlineLength) {
        this(requirePass, maxBulkLength, maxArrayLength, maxInlineLength, OutputBufferLimit.PUBSUB_DEFAULT);
    }

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
        return new RespSettings(password, maxBulkLength, maxArrayLength, maxInlineLength, pubsubLimit);
    }

    public RespSettings withPubsubLimit(OutputBufferLimit limit) {
        return new RespSettings(requirePass, maxBulkLength, maxArrayLength, maxInlineLength, limit);
    }
}
