package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.WebSocketHandler;

/**
 * Spring WebFlux {@code WebSocketHandler}s on the shards, driven by the JDK's WebSocket client: a
 * connection is served by one shard for its whole life, a broadcast reaches every session in order,
 * and a consumer that stops reading is closed once it is too far behind while the others get
 * everything.
 */
class WebSocketOnShardsTest {

    private static ConfigurableApplicationContext app;
    private static int port;
    private static WebSocketBroadcast feed;

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class WebSocketApp {

        @Bean
        WebSocketBroadcast feed(Engine engine) {
            return new WebSocketBroadcast(engine, 64);
        }

        @Bean
        HandlerMapping webSockets(WebSocketBroadcast feed) {
            WebSocketHandler where = session -> session.send(session.receive().map(m -> session.textMessage(
                    m.getPayloadAsText() + " shard=" + (Shard.currentOrNull() == null ? "none" : Shard.current().id())
                            + " thread=" + Thread.currentThread().getName())));
            WebSocketHandler subscribe = feed::join;
            return new SimpleUrlHandlerMapping(Map.of("/ws/where", where, "/ws/feed", subscribe), -1);
        }
    }

    @BeforeAll
    static void start() {
        app = new SpringApplicationBuilder(WebSocketApp.class).properties(Map.of("spring.main.web-application-type", "reactive",
                "server.port", "0", "percore.engine.shards", "2", "percore.engine.mode", "overprovisioned")).run();
        port = ((WebServerApplicationContext) app).getWebServer().getPort();
        feed = app.getBean(WebSocketBroadcast.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** A JDK WebSocket client collecting the text it receives. */
    static final class Received implements WebSocket.Listener {
        final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                texts.add(partial.toString());
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }

        String next() throws InterruptedException {
            String text = texts.poll(30, TimeUnit.SECONDS);
            if (text == null) {
                throw new AssertionError("no message within 30 s");
            }
            return text;
        }
    }

    private static WebSocket connect(String path, Received listener) {
        return HttpClient.newHttpClient().newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + path), listener)
                .orTimeout(30, TimeUnit.SECONDS).join();
    }

    @Test
    void eachConnectionIsServedByOneShardForItsLife() throws Exception {
        Set<String> shards = new TreeSet<>();
        for (int c = 0; c < 24; c++) {
            Received in = new Received();
            WebSocket ws = connect("/ws/where", in);
            Set<String> seen = new TreeSet<>();
            for (int i = 0; i < 5; i++) {
                ws.sendText("m" + i, true).join();
                String reply = in.next();
                assertThat(reply).matches("m" + i + " shard=[01] thread=percore-shard-[01]");
                seen.add(reply.replaceAll(".* shard=(\\d) thread=percore-shard-(\\d)", "$1/$2"));
            }
            assertThat(seen).as("one shard, on its own thread, for every message of the connection").hasSize(1)
                    .allMatch(s -> s.charAt(0) == s.charAt(2));
            shards.addAll(seen);
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
        assertThat(shards).as("connections spread over both shards").hasSize(2);
    }

    @Test
    void aBroadcastReachesEverySessionInOrderAndASlowConsumerIsClosed() throws Exception {
        List<Received> readers = new ArrayList<>();
        List<WebSocket> sockets = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
            Received in = new Received();
            readers.add(in);
            sockets.add(connect("/ws/feed", in));
        }
        long slowBefore = feed.slowConsumersClosed();
        try (Socket slow = rawWebSocket("/ws/feed")) {
            awaitSessions(11);
            String big = "x".repeat(8192);
            int messages = 1500;
            // in batches the readers take before the next: a reader starved of CPU on a loaded machine is never
            // 64 messages behind, while the one that reads nothing falls further behind with every batch
            for (int batch = 0; batch < messages; batch += 50) {
                for (int i = batch; i < batch + 50; i++) {
                    feed.publish(i + ":" + big);
                }
                for (Received in : readers) {
                    for (int i = batch; i < batch + 50; i++) {
                        assertThat(in.next()).startsWith(i + ":");
                    }
                }
            }
            assertThat(feed.slowConsumersClosed() - slowBefore).as("the reader that never reads is closed").isEqualTo(1);
            slow.setSoTimeout(30_000);
            assertThat(readsToTheEnd(slow.getInputStream())).as("its connection ends").isTrue();
        }
        for (WebSocket ws : sockets) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
        awaitSessions(0);
    }

    private static void awaitSessions(int n) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (feed.sessions() != n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + n + " sessions, have " + feed.sessions());
            }
            Thread.sleep(20);
        }
    }

    /** A WebSocket handshake by hand on a socket with a small receive buffer, which then reads nothing. */
    private static Socket rawWebSocket(String path) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        byte[] head = new byte[129];
        int n = socket.getInputStream().read(head); // the 101 only; nothing more is read until the end
        assertThat(new String(head, 0, Math.max(n, 0), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 101");
        return socket;
    }

    /** Reads until the peer ends the connection (true), or 30 s pass without it (false). */
    private static boolean readsToTheEnd(InputStream in) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try {
            while (in.read(buffer) >= 0) {
                // drain what was sent before the close
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
