package io.percore.net.client;

/** No endpoint of an upstream can take a request right now: all unhealthy, ejected, or none discovered. */
public class NoHealthyEndpointException extends RuntimeException {
    public NoHealthyEndpointException(String message, Throwable lastFailure) {
        super(message, lastFailure);
    }
}
