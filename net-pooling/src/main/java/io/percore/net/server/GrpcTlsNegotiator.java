package io.percore.net.server;

import io.grpc.netty.GrpcHttp2ConnectionHandler;
import io.grpc.netty.InternalProtocolNegotiator;
import io.grpc.netty.InternalProtocolNegotiators;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AsciiString;

/**
 * grpc-netty's server TLS negotiation, with the context of {@link ServerTls} current at each
 * connection: grpc-java's own {@code sslContext(...)} fixes one context for the server's life, so a
 * rotated certificate would need a restart. Each new connection takes the context of its accept,
 * open ones keep theirs, as on every other server of {@code percore.servers}.
 *
 * <p>The negotiation itself (the SslHandler, the ALPN check that the peer speaks h2) is grpc-java's:
 * this class only picks the context. It uses grpc-netty's {@code Internal*} API, the one seam grpc-java
 * has for a server's negotiator; it is checked at each grpc-java upgrade by {@code ShardedGrpcServerTlsTest}.
 */
final class GrpcTlsNegotiator implements InternalProtocolNegotiator.ProtocolNegotiator {

    private static final AsciiString HTTPS = AsciiString.of("https");

    private final ServerTls tls;
    /** grpc-java's negotiator of the context last seen; replaced with the context. Each shard's loop reads and writes it. */
    private volatile Current current;

    private record Current(SslContext context, InternalProtocolNegotiator.ProtocolNegotiator negotiator) {
    }

    GrpcTlsNegotiator(ServerTls tls) {
        requireH2(tls.context());
        this.tls = tls;
        this.current = new Current(tls.context(), InternalProtocolNegotiators.serverTls(tls.context()));
    }

    /** gRPC runs on HTTP/2 only, chosen by ALPN: a context without h2 would fail every handshake, so the start refuses it. */
    static void requireH2(SslContext context) {
        if (context.applicationProtocolNegotiator() == null || !context.applicationProtocolNegotiator().protocols().contains("h2")) {
            throw new IllegalArgumentException("A gRPC server's SslContext must offer h2 by ALPN: build it with "
                    + "io.grpc.netty.GrpcSslContexts.configure(SslContextBuilder.forServer(...))");
        }
    }

    /** Which engine {@code context} handshakes with: BoringSSL/OpenSSL (netty-tcnative) or the JDK's, for the start's log. */
    static String engine(SslContext context) {
        return context instanceof JdkSslContext ? "JDK engine" : "OpenSSL engine, " + OpenSsl.versionString();
    }

    @Override
    public AsciiString scheme() {
        return HTTPS;
    }

    @Override
    public ChannelHandler newHandler(GrpcHttp2ConnectionHandler grpcHandler) {
        Current now = current;
        SslContext context = tls.context();
        if (now.context() != context) {
            now = new Current(context, InternalProtocolNegotiators.serverTls(context));
            current = now;
        }
        return now.negotiator().newHandler(grpcHandler);
    }

    @Override
    public void close() {
        // grpc-java's server TLS negotiator holds no executor here: nothing to release
    }
}
