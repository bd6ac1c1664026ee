package io.percore.benchmarks.grpc;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The client side of benchmarks/run-grpc.sh: {@code connections} channels (one connection each) on
 * one Netty event loop with calls completing on it (pin the process with taskset), keeping
 * {@code concurrency} unary echo calls of {@code size} bytes in flight until {@code calls} are done.
 * With {@code --wait} it connects, prints {@code ready}, and waits for a line on its input before
 * the measured calls (the script counts the server's CPU from there). Prints {@code calls p50_us
 * p99_us max_us errors}.
 */
public final class GrpcLoadClient {

    private GrpcLoadClient() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        int concurrency = Integer.parseInt(args[3]);
        int calls = Integer.parseInt(args[4]);
        int size = Integer.parseInt(args[5]);
        boolean wait = args.length > 6 && args[6].equals("--wait");
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<ManagedChannel> channels = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                channels.add(NettyChannelBuilder.forAddress(host, port).usePlaintext().eventLoopGroup(loop)
                        .channelType(NioSocketChannel.class).directExecutor().build());
            }
            byte[] payload = new byte[size];
            for (ManagedChannel ch : channels) {
                ClientCalls.blockingUnaryCall(ch, EchoService.ECHO, CallOptions.DEFAULT, payload); // connect each
            }
            if (wait) {
                System.out.println("ready");
                System.out.flush();
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            }
            long[] latencies = new long[calls];
            AtomicInteger issued = new AtomicInteger();
            AtomicInteger done = new AtomicInteger();
            AtomicLong errors = new AtomicLong();
            CountDownLatch finished = new CountDownLatch(1);
            // each in-flight slot issues its next call from the previous one's completion, on the event loop
            for (int slot = 0; slot < concurrency; slot++) {
                next(channels, slot, payload, latencies, issued, done, errors, finished, calls);
            }
            if (!finished.await(600, TimeUnit.SECONDS)) {
                throw new IllegalStateException("calls did not finish: " + done.get() + " of " + calls);
            }
            Arrays.sort(latencies);
            System.out.printf("%d %.0f %.0f %.0f %d%n", calls, latencies[calls / 2] / 1e3,
                    latencies[Math.min(calls - 1, (int) Math.ceil(calls * 0.99) - 1)] / 1e3, latencies[calls - 1] / 1e3, errors.get());
        } finally {
            for (ManagedChannel ch : channels) {
                ch.shutdownNow();
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static void next(List<ManagedChannel> channels, int slot, byte[] payload, long[] latencies, AtomicInteger issued,
                             AtomicInteger done, AtomicLong errors, CountDownLatch finished, int calls) {
        int n = issued.getAndIncrement();
        if (n >= calls) {
            return;
        }
        ManagedChannel channel = channels.get(n % channels.size());
        long start = System.nanoTime();
        ClientCalls.asyncUnaryCall(channel.newCall(EchoService.ECHO, CallOptions.DEFAULT), payload, new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
            }

            @Override
            public void onError(Throwable t) {
                errors.incrementAndGet();
                complete();
            }

            @Override
            public void onCompleted() {
                complete();
            }

            private void complete() {
                latencies[n] = System.nanoTime() - start;
                if (done.incrementAndGet() == calls) {
                    finished.countDown();
                } else {
                    next(channels, slot, payload, latencies, issued, done, errors, finished, calls);
                }
            }
        });
    }
}
