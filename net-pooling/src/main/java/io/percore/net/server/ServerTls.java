package io.percore.net.server;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The TLS context of one server: one {@link SslContext} shared by every shard, replaceable while
 * the server runs. Each accepted connection takes the context current at its accept, so after
 * {@link #replace} new connections present the new certificate while open ones keep the one they
 * shook hands with (a certificate rotated by cert-manager, a Spring Boot SSL bundle reloaded).
 *
 * <p>The handshake runs on the connection's shard, inside its loop: Netty's {@code SslHandler}
 * runs the engine's delegated tasks in place, as every other handler of the connection.
 */
public final class ServerTls {

    private volatile SslContext context;
    private final AtomicLong replacements = new AtomicLong();

    private ServerTls(SslContext context) {
        this.context = requireServer(context);
    }

    /** TLS with {@code context} (a server context, e.g. {@code SslContextBuilder.forServer(key, chain).build()}). */
    public static ServerTls of(SslContext context) {
        return new ServerTls(context);
    }

    /** The context new connections get now. */
    public SslContext context() {
        return context;
    }

    /** From now on new connections get {@code next}; open connections keep theirs. Any thread. */
    public void replace(SslContext next) {
        context = requireServer(next);
        replacements.incrementAndGet();
    }

    /** How many times the context was replaced since start. */
    public long replacements() {
        return replacements.get();
    }

    private static SslContext requireServer(SslContext context) {
        Objects.requireNonNull(context, "context");
        if (!context.isServer()) {
            throw new IllegalArgumentException("A server needs a server SslContext (SslContextBuilder.forServer), not a client one");
        }
        return context;
    }
}
