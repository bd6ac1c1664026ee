package io.percore.demo.server;

import io.percore.net.resp.RespDecoderLimits;

/**
 * The RESP server's bounds that are no CONFIG parameter: how large a request's header may make the decoder reserve.
 * The largest bulk string, the password and the output limits are the CONFIG table's rows ({@code proto-max-bulk-len},
 * {@code requirepass}, {@code client-output-buffer-limit}), read from the shard's values where they act.
 *
 * @param maxArrayLength   most elements in one command (Redis accepts up to 2^31; we default to 1M to bound the
 *                         memory a header alone makes us reserve)
 * @param maxInlineLength  longest inline command line (Redis: 64 KB)
 */
public record RespSettings(int maxArrayLength, int maxInlineLength) {

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

    public RespSettings {
        if (maxArrayLength < 1) {
            throw new IllegalArgumentException("percore.demo.resp.max-array-length must be positive, got " + maxArrayLength);
        }
        if (maxInlineLength < 16 || maxInlineLength > REDIS_MAX_BULK_LENGTH) {
            throw new IllegalArgumentException("percore.demo.resp.max-inline-length must be between 16 and " + REDIS_MAX_BULK_LENGTH + ", got " + maxInlineLength);
        }
    }

    public static RespSettings defaults() {
        return new RespSettings(1024 * 1024, 64 * 1024);
    }
}
