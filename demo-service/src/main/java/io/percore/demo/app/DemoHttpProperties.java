package io.percore.demo.app;

import io.percore.demo.http.HttpSettings;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;

/** The per-core HTTP server ({@code percore.servers.http} says where it listens). */
public class DemoHttpProperties {
    /** Largest PUT /kv/{key} body in bytes, declared or chunked; larger gets 413. */
    @Min(1)
    private int maxBodySize = HttpSettings.DEFAULT_MAX_BODY_SIZE;
    /** From a request's first byte to the end of its headers (slow-header clients get 408); at most 1h. */
    @DurationMin(millis = 1)
    @DurationMax(hours = 1)
    private Duration requestHeaderTimeout = HttpSettings.DEFAULT_REQUEST_HEADER_TIMEOUT;
    /** From the end of a request's headers to the end of its body (slow-body clients get 408); at most 1h. */
    @DurationMin(millis = 1)
    @DurationMax(hours = 1)
    private Duration bodyReadTimeout = HttpSettings.DEFAULT_BODY_READ_TIMEOUT;

    public Duration getRequestHeaderTimeout() {
        return requestHeaderTimeout;
    }

    public void setRequestHeaderTimeout(Duration requestHeaderTimeout) {
        this.requestHeaderTimeout = requestHeaderTimeout;
    }

    public Duration getBodyReadTimeout() {
        return bodyReadTimeout;
    }

    public void setBodyReadTimeout(Duration bodyReadTimeout) {
        this.bodyReadTimeout = bodyReadTimeout;
    }

    public int getMaxBodySize() {
        return maxBodySize;
    }

    public void setMaxBodySize(int maxBodySize) {
        this.maxBodySize = maxBodySize;
    }
}
