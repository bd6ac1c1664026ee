package io.percore.spring.boot.autoconfigure.net;

import io.netty.handler.ssl.SslContextBuilder;

/**
 * What the protocol of one server of {@code percore.servers} needs of its TLS context beyond its
 * SSL bundle, e.g. gRPC's ALPN with h2. A bean of this type is applied to the server's context at
 * start and at every reload of its bundle.
 */
public interface ServerSslContextCustomizer {

    /** The server (its name under {@code percore.servers}) whose context this customizes. */
    String server();

    /**
     * Called on a builder that has the bundle's key and chain, before the bundle's protocols,
     * ciphers and client certificate checks are set: the bundle's own settings win.
     */
    void customize(SslContextBuilder builder);
}
