package io.percore.net.client;

/** A request failed at an endpoint (connection lost, timeout, write failure); the message names the endpoint. */
public class UpstreamException extends java.io.IOException {
    public UpstreamException(String message, Throwable cause) {
        super(message, cause);
    }
}
