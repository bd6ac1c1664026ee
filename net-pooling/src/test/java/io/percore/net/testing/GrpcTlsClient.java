package io.percore.net.testing;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/** grpc-java's Netty client over TLS to a {@link GrpcEcho} server, trusting a {@link TestPki}'s authority. */
public final class GrpcTlsClient {

    private GrpcTlsClient() {
    }

    /** A channel to localhost:{@code port} that checks the server's certificate against {@code pki}'s authority (and its name). */
    public static ManagedChannel channel(TestPki pki, int port) throws IOException {
        return NettyChannelBuilder.forAddress("localhost", port)
                .sslContext(GrpcSslContexts.forClient().trustManager(pki.caFile().toFile()).build()).build();
    }

    /** The serial of the certificate the server showed on {@code channel}'s connection, read from a {@link GrpcEcho#SAY} call's TLS session. */
    public static BigInteger peerSerial(ManagedChannel channel) throws Exception {
        ClientCall<String, String> call = channel.newCall(GrpcEcho.SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS));
        CompletableFuture<BigInteger> serial = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onHeaders(Metadata headers) {
                try {
                    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                    serial.complete(((X509Certificate) session.getPeerCertificates()[0]).getSerialNumber());
                } catch (Exception e) {
                    serial.completeExceptionally(e);
                }
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                if (!status.isOk()) {
                    serial.completeExceptionally(status.asRuntimeException());
                }
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage("who");
        call.halfClose();
        return serial.get(10, TimeUnit.SECONDS);
    }

    /** The status of a {@link GrpcEcho#SAY} call in plain text (h2c) to localhost:{@code port}: OK, or what a TLS-only server gives it. */
    public static Status.Code plainTextCallStatus(int port) {
        ManagedChannel plain = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
        try {
            ClientCalls.blockingUnaryCall(plain, GrpcEcho.SAY, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "plain");
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        } finally {
            plain.shutdownNow();
        }
    }
}
