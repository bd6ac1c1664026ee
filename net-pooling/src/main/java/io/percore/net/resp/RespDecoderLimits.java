package io.percore.net.resp;

/**
 * What {@link RespCommandDecoder} accepts from a client before it fails the connection with a
 * protocol error, as Redis 7 bounds it.
 *
 * @param maxBulkLength   largest bulk string (Redis's {@code proto-max-bulk-len}, 512 MB)
 * @param maxArrayLength  most arguments in one command (Redis accepts up to 2^31; a smaller bound
 *                        limits the memory a header alone makes the server reserve)
 * @param maxInlineLength longest inline command line, and longest length line (Redis: 64 KB)
 */
public record RespDecoderLimits(int maxBulkLength, int maxArrayLength, int maxInlineLength) {

    public static final int REDIS_MAX_BULK_LENGTH = 512 * 1024 * 1024;
    /** Redis 7's limits before a connection has authenticated. */
    public static final int UNAUTHENTICATED_MAX_ARRAY_LENGTH = 10;
    public static final int UNAUTHENTICATED_MAX_BULK_LENGTH = 16384;

    public RespDecoderLimits {
        // Configuration errors are reported by the application under its own keys; these only
        // keep a programmatic caller from building a decoder that cannot work.
        if (maxBulkLength < 1 || maxArrayLength < 1 || maxInlineLength < 1) {
            throw new IllegalArgumentException("RESP decoder limits must be positive: " + this);
        }
    }

    /** Redis's own limits, with at most 1M arguments per command. */
    public static RespDecoderLimits redisDefaults() {
        return new RespDecoderLimits(REDIS_MAX_BULK_LENGTH, 1024 * 1024, 64 * 1024);
    }
}
