package io.percore.net.testing;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.percore.engine.Shard;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A gRPC service for tests, without generated code: text messages, a unary {@code Say} that answers
 * which shard and thread served it, {@code Slow} (answers after the milliseconds it is sent, from a
 * shard timer), a server-streaming {@code Count} (one message per 5 ms) that stops when cancelled,
 * and a bidirectional {@code Chat}. Clients call it with grpc-java's {@code ClientCalls} and these
 * method descriptors.
 */
public final class GrpcEcho {

    public static final String SERVICE = "percore.test.Echo";
    /** Streams of {@code Count} the service saw cancelled. */
    public static final AtomicInteger CANCELLED_STREAMS = new AtomicInteger();
    /** {@code Slow} calls the service began (a test waits for its call to be in flight on this). */
    public static final AtomicInteger SLOW_CALLS_STARTED = new AtomicInteger();

    private GrpcEcho() {
    }

    public static final MethodDescriptor.Marshaller<String> TEXT = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    public static final MethodDescriptor<String, String> SAY = method("Say", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> SLOW = method("Slow", MethodDescriptor.MethodType.UNARY);
    public static final MethodDescriptor<String, String> COUNT = method("Count", MethodDescriptor.MethodType.SERVER_STREAMING);
    public static final MethodDescriptor<String, String> CHAT = method("Chat", MethodDescriptor.MethodType.BIDI_STREAMING);

    public static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder().setType(type)
                .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
                .setRequestMarshaller(TEXT).setResponseMarshaller(TEXT).build();
    }


    /** The service: every answer says which shard and thread served it. */
    public static ServerServiceDefinition echo() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(SAY, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    out.onNext(request + " " + where());
                    out.onCompleted();
                }))
                .addMethod(SLOW, ServerCalls.asyncUnaryCall((String request, StreamObserver<String> out) -> {
                    SLOW_CALLS_STARTED.incrementAndGet();
                    Shard.current().schedule(Duration.ofMillis(Long.parseLong(request)), () -> {
                        out.onNext("slept " + request);
                        out.onCompleted();
                    });
                }))
                .addMethod(COUNT, ServerCalls.asyncServerStreamingCall((String request, StreamObserver<String> out) -> {
                    ServerCallStreamObserver<String> stream = (ServerCallStreamObserver<String>) out;
                    stream.setOnCancelHandler(CANCELLED_STREAMS::incrementAndGet);
                    int n = Integer.parseInt(request);
                    AtomicInteger i = new AtomicInteger();
                    // one message per 5 ms from the shard's timer, until done or cancelled
                    io.percore.engine.Cancellable[] timer = new io.percore.engine.Cancellable[1];
                    timer[0] = Shard.current().scheduleAtFixedRate(Duration.ZERO, Duration.ofMillis(5), () -> {
                        int next = i.getAndIncrement();
                        if (stream.isCancelled() || next > n) {
                            timer[0].cancel();
                        } else if (next < n) {
                            stream.onNext(next + " " + where());
                        } else {
                            stream.onCompleted();
                        }
                    });
                }))
                .addMethod(CHAT, ServerCalls.asyncBidiStreamingCall(out -> new StreamObserver<String>() {
                    @Override
                    public void onNext(String value) {
                        out.onNext(value + " " + where());
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        out.onCompleted();
                    }
                }))
                .build();
    }

    public static String where() {
        return "shard=" + Shard.current().id() + " thread=" + Thread.currentThread().getName();
    }

}
