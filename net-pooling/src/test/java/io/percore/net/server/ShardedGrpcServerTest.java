package io.percore.net.server;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.net.TestSupport;
import io.percore.net.testing.GrpcEcho;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * gRPC services served on the shards, called by grpc-java's own Netty client: unary and streaming
 * calls on the connection's shard, deadlines and cancellation reaching the service, the calls
 * counted per shard by service and status, and a graceful shutdown that finishes the calls in flight
 * while refusing new ones.
 */
class ShardedGrpcServerTest {

    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = TestSupport.engine(2);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static ShardedGrpcServer server() {
        return ShardedGrpcServer.start(engine, ServerOptions.builder("grpc").port(0).build(), List.of(GrpcEcho.echo()));
    }

    private static ManagedChannel channel(int port) {
        return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    }

    @Test
    void unaryAndStreamingCallsRunOnTheConnectionsShard() throws Exception {
        ShardedGrpcServer server = server();
        try {
            Set<String> shards = new TreeSet<>();
            for (int c = 0; c < 16; c++) {
                ManagedChannel channel = channel(server.port());
                try {
                    String a = ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT, "hi");
                    assertThat(a).matches("hi shard=([01]) thread=percore-shard-\\1");
                    String shard = a.replaceAll(".*shard=(\\d).*", "$1");
                    Iterator<String> counted = ClientCalls.blockingServerStreamingCall(channel, GrpcEcho.COUNT, CallOptions.DEFAULT, "3");
                    List<String> got = new ArrayList<>();
                    counted.forEachRemaining(got::add);
                    assertThat(got).containsExactly("0 shard=" + shard + " thread=percore-shard-" + shard,
                            "1 shard=" + shard + " thread=percore-shard-" + shard, "2 shard=" + shard + " thread=percore-shard-" + shard);
                    assertThat(chat(channel, List.of("x", "y"))).containsExactly("x shard=" + shard + " thread=percore-shard-" + shard,
                            "y shard=" + shard + " thread=percore-shard-" + shard);
                    shards.add(shard);
                } finally {
                    channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
                }
            }
            assertThat(shards).as("16 connections spread over both shards (SO_REUSEPORT)").containsExactly("0", "1");
            long ok = 0;
            for (int s = 0; s < 2; s++) {
                ok += server.metrics(s).requests().requests(server.requestKinds().kind("percore.test.Echo"), Status.Code.OK.ordinal());
            }
            assertThat(ok).as("every call counted on its shard with its status").isEqualTo(16 * 3);
            assertThat(server.metrics(0).connectionsAccepted() + server.metrics(1).connectionsAccepted()).isEqualTo(16);
            eventually("every closed connection counted as closed", Duration.ofSeconds(10),
                    () -> server.metrics(0).connectionsOpen() + server.metrics(1).connectionsOpen() == 0);
        } finally {
            server.close();
        }
    }

    private static List<String> chat(ManagedChannel channel, List<String> lines) throws Exception {
        List<String> replies = new ArrayList<>();
        CompletableFuture<Void> done = new CompletableFuture<>();
        StreamObserver<String> requests = io.grpc.stub.ClientCalls.asyncBidiStreamingCall(channel.newCall(GrpcEcho.CHAT, CallOptions.DEFAULT),
                new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        synchronized (replies) {
                            replies.add(value);
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                        done.complete(null);
                    }
                });
        lines.forEach(requests::onNext);
        requests.onCompleted();
        done.get(30, TimeUnit.SECONDS);
        return replies;
    }

    @Test
    void aDeadlineEndsTheCallAndACancelledStreamStopsOnTheServer() throws Exception {
        ShardedGrpcServer server = server();
        ManagedChannel channel = channel(server.port());
        try {
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(channel, GrpcEcho.SLOW, CallOptions.DEFAULT.withDeadlineAfter(200, TimeUnit.MILLISECONDS), "3000"))
                    .isInstanceOf(StatusRuntimeException.class)
                    .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            // The client's deadline ends the call with a cancellation (RST_STREAM) that usually reaches the server before the
            // server's own copy of the deadline (counted from the headers' arrival) has passed: either way it ends early.
            eventually("the server counted the call as ended early", Duration.ofSeconds(10),
                    () -> count(server, Status.Code.DEADLINE_EXCEEDED) + count(server, Status.Code.CANCELLED) == 1);
            long cancelledBefore = count(server, Status.Code.CANCELLED);

            int before = GrpcEcho.CANCELLED_STREAMS.get();
            ClientCall<String, String> call = channel.newCall(GrpcEcho.COUNT, CallOptions.DEFAULT);
            AtomicInteger received = new AtomicInteger();
            call.start(new ClientCall.Listener<>() {
                @Override
                public void onMessage(String message) {
                    received.incrementAndGet();
                    call.request(1);
                }
            }, new Metadata());
            call.sendMessage("100000");
            call.halfClose();
            call.request(1);
            eventually("some messages received", Duration.ofSeconds(10), () -> received.get() >= 5);
            call.cancel("enough", null);
            eventually("the service saw the cancellation", Duration.ofSeconds(10), () -> GrpcEcho.CANCELLED_STREAMS.get() == before + 1);
            eventually("the server counted the call as cancelled", Duration.ofSeconds(10),
                    () -> count(server, Status.Code.CANCELLED) == cancelledBefore + 1);
            assertThat(received.get()).isLessThan(1000);
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.close();
        }
    }

    @Test
    void aGracefulShutdownFinishesTheCallsInFlightAndRefusesNewOnes() throws Exception {
        ShardedGrpcServer server = server();
        ManagedChannel channel = channel(server.port());
        try {
            int started = GrpcEcho.SLOW_CALLS_STARTED.get();
            CompletableFuture<String> inFlight = CompletableFuture.supplyAsync(() -> ClientCalls.blockingUnaryCall(channel, GrpcEcho.SLOW, CallOptions.DEFAULT, "800"));
            eventually("the slow call arrived", Duration.ofSeconds(10), () -> GrpcEcho.SLOW_CALLS_STARTED.get() > started);
            CompletableFuture<Void> terminated = server.shutdownGracefully(Duration.ofSeconds(20));
            // the listeners close on their shards' loops right after: from then on every new call is refused
            eventually("a new call refused", Duration.ofSeconds(10), () -> {
                try {
                    ClientCalls.blockingUnaryCall(channel, GrpcEcho.SAY, CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS), "late");
                    return false;
                } catch (StatusRuntimeException e) {
                    return e.getStatus().getCode() == Status.Code.UNAVAILABLE;
                }
            });
            assertThat(inFlight.get(30, TimeUnit.SECONDS)).as("the call in flight finished").isEqualTo("slept 800");
            assertThat(inFlight).isDone();
            terminated.get(30, TimeUnit.SECONDS);
            assertThat(count(server, Status.Code.OK)).isGreaterThanOrEqualTo(1);
        } finally {
            channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            server.close();
        }
    }

    private static long count(ShardedGrpcServer server, Status.Code code) {
        long n = 0;
        for (int s = 0; s < server.shardCount(); s++) {
            n += server.metrics(s).requests().requests(server.requestKinds().kind("percore.test.Echo"), code.ordinal());
        }
        return n;
    }
}
