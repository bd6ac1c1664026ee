package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.stub.ClientCalls;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.percore.engine.Engine;
import io.percore.net.TestSupport;
import io.percore.net.testing.GrpcEcho;
import io.percore.net.testing.GrpcTlsClient;
import io.percore.net.testing.TestPki;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gRPC on the shards over TLS, called by grpc-java's Netty client trusting the test authority:
 * unary and streaming calls on both shards, a plain-text client refused, a replaced context served
 * to new connections while an open one keeps its certificate, and a context without ALPN h2 refused
 * at start.
 */
class ShardedGrpcServerTlsTest {

    private static Engine engine;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        engine = TestSupport.engine(2);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static SslContext grpcServerContext(TestPki.Issued issued) throws IOException {
        return GrpcSslContexts.configure(SslContextBuilder.forServer(issued.key(), issued.certificate())).build();
    }

    private static ShardedGrpcServer server(ServerTls tls) {
        return ShardedGrpcServer.start(engine, ServerOptions.builder("grpc").port(0).tls(tls).build(), List.of(GrpcEcho.echo()));
    }

    @Test
    void unaryAndStreamingCallsOverTlsOnBothShardsAndAPlainClientIsRefused() throws Exception {
        TestPki pki = TestPki.create(dir);
        ShardedGrpcServer server = server(ServerTls.of(grpcServerContext(pki.server("grpc"))));
        try {
            Set<String> shards = new TreeSet<>();
            int calls = 0;
            for (int c = 0; c < 16 && shards.size() < 2; c++) {
                ManagedChannel channel = GrpcTlsClient.channel(pki, server.port());
                try {
                    String said = ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT, "hi");
                    assertThat(said).matches("hi shard=([01]) thread=percore-shard-\\1");
                    shards.add(said.substring(said.indexOf("shard=") + 6, said.indexOf("shard=") + 7));
                    List<String> counted = new ArrayList<>();
                    Iterator<String> stream = ClientCalls.blockingServerStreamingCall(channel, GrpcEcho.COUNT, CallOptions.DEFAULT, "3");
                    stream.forEachRemaining(counted::add);
                    assertThat(counted).hasSize(3);
                    String shard = said.substring(said.indexOf("shard="), said.indexOf(" thread"));
                    assertThat(counted).allSatisfy(m -> assertThat(m).contains(shard));
                    calls += 2;
                } finally {
                    channel.shutdownNow();
                }
            }
            assertThat(shards).as("TLS connections served by both shards").containsExactly("0", "1");

            assertThat(GrpcTlsClient.plainTextCallStatus(server.port())).as("a plain-text client on the TLS port").isEqualTo(Status.Code.UNAVAILABLE);
            long ok = 0;
            for (int s = 0; s < server.shardCount(); s++) {
                ok += server.metrics(s).requests().requests(server.requestKinds().kind(GrpcEcho.SERVICE), Status.Code.OK.ordinal());
            }
            assertThat(ok).as("the TLS calls were served and counted, the plain one never reached a service").isEqualTo(calls);
        } finally {
            server.close();
        }
    }

    @Test
    void aReplacedContextIsServedToNewConnectionsWhileAnOpenOneKeepsItsCertificate() throws Exception {
        TestPki pki = TestPki.create(dir);
        TestPki.Issued first = pki.server("first");
        TestPki.Issued second = pki.server("second");
        ServerTls tls = ServerTls.of(grpcServerContext(first));
        ShardedGrpcServer server = server(tls);
        ManagedChannel open = GrpcTlsClient.channel(pki, server.port());
        try {
            assertThat(GrpcTlsClient.peerSerial(open)).isEqualTo(first.serial());
            tls.replace(grpcServerContext(second));
            for (int c = 0; c < 4; c++) { // new connections, on either shard
                ManagedChannel fresh = GrpcTlsClient.channel(pki, server.port());
                try {
                    assertThat(GrpcTlsClient.peerSerial(fresh)).isEqualTo(second.serial());
                } finally {
                    fresh.shutdownNow();
                }
            }
            assertThat(GrpcTlsClient.peerSerial(open)).as("the open connection keeps its handshake").isEqualTo(first.serial());
        } finally {
            open.shutdownNow();
            server.close();
        }
    }

    @Test
    void aContextWithoutAlpnH2IsRefusedAtStart() {
        TestPki pki = TestPki.create(dir);
        ServerTls plainTls = ServerTls.of(pki.server("no-alpn").serverContext());
        assertThatThrownBy(() -> server(plainTls)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("h2 by ALPN").hasMessageContaining("GrpcSslContexts.configure");
    }
}
