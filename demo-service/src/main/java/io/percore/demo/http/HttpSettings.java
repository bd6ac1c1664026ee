package io.percore.demo.http;

import java.time.Duration;

/**
 * The HTTP server's limits ({@code percore.demo.http.*}). Its password is the CONFIG values' (the RESP server's
 * {@code requirepass} sets it, so one secret guards both ports).
 *
 * @param maxBodySize          largest {@code PUT /kv/{key}} body, declared or chunked; larger gets 413
 * @param requestHeaderTimeout from a request's first byte to the end of its header block; then 408 and close
 * @param bodyReadTimeout      from the end of the headers to the end of the body; then 408 and close
 */
public record HttpSettings(int maxBodySize, Duration requestHeaderTimeout, Duration bodyReadTimeout) {

    /** Largest {@code PUT /kv/{key}} body unless configured otherwise: 1 MiB. */
    public static final int DEFAULT_MAX_BODY_SIZE = 1024 * 1024;
    /** As Apache's {@code RequestReadTimeout header=10-20} and nginx's {@code client_header_timeout} order of magnitude. */
    public static final Duration DEFAULT_REQUEST_HEADER_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_BODY_READ_TIMEOUT = Duration.ofSeconds(30);
    /** Upper bound of both timeouts: a read timeout longer than this protects nothing. */
    public static final Duration MAX_READ_TIMEOUT = Duration.ofHours(1);

    public HttpSettings {
        if (maxBodySize < 1) {
            throw new IllegalArgumentException("percore.demo.http.max-body-size must be at least 1, got " + maxBodySize);
        }
        checkTimeout("percore.demo.http.request-header-timeout", requestHeaderTimeout);
        checkTimeout("percore.demo.http.body-read-timeout", bodyReadTimeout);
    }

    private static void checkTimeout(String key, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(MAX_READ_TIMEOUT) > 0) {
            throw new IllegalArgumentException(key + " must be more than 0 and at most " + MAX_READ_TIMEOUT.toHours()
                    + "h, got " + timeout);
        }
    }

    public static HttpSettings defaults() {
        return new HttpSettings(DEFAULT_MAX_BODY_SIZE, DEFAULT_REQUEST_HEADER_TIMEOUT, DEFAULT_BODY_READ_TIMEOUT);
    }

    public HttpSettings withMaxBodySize(int size) {
        return new HttpSettings(size, requestHeaderTimeout, bodyReadTimeout);
    }

    public HttpSettings withTimeouts(Duration requestHeader, Duration bodyRead) {
        return new HttpSettings(maxBodySize, requestHeader, bodyRead);
    }
}
