package io.percore.benchmarks.websocket;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The client side of benchmarks/run-websocket.sh: opens {@code connections} WebSocket connections to
 * {@code ws://host:port/ws/feed} on one Netty event loop (pin it with taskset), then, {@code messages}
 * times, POSTs one message to {@code /broadcast} and waits until every connection got it. Prints
 * one line: {@code connections messages deliveries p50_us p99_us max_us} of the fan-out time (from
 * the POST to the last connection's receipt). Every connection must get every message, in order, or
 * it exits 1. With a fifth argument {@code --wait} it prints {@code ready} once connected and waits for
 * a line on its input before it broadcasts.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.percore.benchmarks.websocket.FanOutClient 127.0.0.1 8090 1000 200</pre>
 */
public final class FanOutClient {

    private FanOutClient() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        int connections = Integer.parseInt(args[2]);
        int messages = Integer.parseInt(args[3]);
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicInteger failures = new AtomicInteger();
        int[] nextExpected = new int[connections];
        java.util.concurrent.atomic.AtomicReference<CountDownLatch> arrived = new java.util.concurrent.atomic.AtomicReference<>();
        CountDownLatch handshakes = new CountDownLatch(connections);
        List<Channel> channels = new ArrayList<>();
        try {
            for (int c = 0; c < connections; c++) {
                int id = c;
                Bootstrap b = new Bootstrap().group(loop).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                        .handler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                        new WebSocketClientProtocolHandler(URI.create("ws://" + host + ":" + port + "/ws/feed"),
                                                WebSocketVersion.V13, null, false, new DefaultHttpHeaders(), 1 << 16),
                                        new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                                            @Override
                                            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                                if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                    handshakes.countDown();
                                                }
                                            }

                                            @Override
                                            protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                                String text = frame.text();
                                                int n = Integer.parseInt(text.substring(0, text.indexOf(':')));
                                                if (n != nextExpected[id]) {
                                                    failures.incrementAndGet();
                                                }
                                                nextExpected[id] = n + 1;
                                                arrived.get().countDown();
                                            }
                                        });
                            }
                        });
                channels.add(b.connect(host, port).sync().channel());
            }
            if (!handshakes.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException(handshakes.getCount() + " handshakes did not complete");
            }
            Thread.sleep(500); // every session joined on its shard
            HttpClient http = HttpClient.newHttpClient();
            if (args.length > 4 && args[4].equals("--wait")) {
                // the script counts the server's CPU from here: connections are not part of the figure
                System.out.println("ready");
                System.out.flush();
                new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.US_ASCII)).readLine();
            }
            String padding = "x".repeat(48);
            long[] fanOut = new long[messages];
            for (int m = 0; m < messages; m++) {
                arrived.set(new CountDownLatch(connections));
                long start = System.nanoTime();
                HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/broadcast"))
                        .POST(HttpRequest.BodyPublishers.ofString(m + ":" + padding)).build(), HttpResponse.BodyHandlers.ofString());
                if (posted.statusCode() != 200 || !arrived.get().await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("message " + m + ": POST " + posted.statusCode() + ", " + arrived.get().getCount()
                            + " connections still waiting");
                }
                fanOut[m] = System.nanoTime() - start;
            }
            Arrays.sort(fanOut);
            System.out.printf("%d %d %d %.0f %.0f %.0f%n", connections, messages, (long) connections * messages,
                    fanOut[messages / 2] / 1e3, fanOut[Math.min(messages - 1, (int) Math.ceil(messages * 0.99) - 1)] / 1e3,
                    fanOut[messages - 1] / 1e3);
            if (failures.get() > 0) {
                System.err.println(failures.get() + " messages arrived out of order or were lost");
                System.exit(1);
            }
        } finally {
            for (Channel ch : channels) {
                ch.close();
            }
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
