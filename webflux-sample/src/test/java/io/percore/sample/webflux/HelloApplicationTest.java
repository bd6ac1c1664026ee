package io.percore.sample.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import io.percore.engine.Sharded;

/** The sample as a user runs it: every endpoint answers, served on the shards ({@code /hits} counts on the serving shard's own instance). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"percore.engine.shards=2", "percore.engine.mode=overprovisioned"})
class HelloApplicationTest {

    @LocalServerPort
    int port;

    @Autowired
    Sharded<HelloApplication.Counter> counters;

    @Test
    void helloAndJsonAreServedOnTheShards() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> hello = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hello.body()).isEqualTo("Hello, World!");
        HttpResponse<String> json = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(json.body()).isEqualTo("{\"message\":\"Hello, World!\"}");
        HttpResponse<String> hits = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hits")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(hits.body()).matches("shard [01]: 1 hits");
        long total = counters.fromOutside().mapReduce(c -> c.hits().get(), 0L, Long::sum).get();
        assertThat(total).as("the handler counted on its shard's own instance").isEqualTo(1);
    }

    @Test
    void aBroadcastReachesEveryWebSocketOfTheFeed() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        java.util.List<java.util.concurrent.BlockingQueue<String>> inboxes = new java.util.ArrayList<>();
        java.util.List<java.net.http.WebSocket> sockets = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            java.util.concurrent.BlockingQueue<String> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
            inboxes.add(inbox);
            sockets.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws/feed"), new java.net.http.WebSocket.Listener() {
                @Override
                public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket ws, CharSequence data, boolean last) {
                    inbox.add(data.toString());
                    ws.request(1);
                    return null;
                }
            }).get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        String sent = "";
        for (long deadline = System.nanoTime() + 30_000_000_000L; !sent.equals("sent to 8") && System.nanoTime() < deadline; ) {
            sent = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/broadcast"))
                    .POST(HttpRequest.BodyPublishers.ofString("probe")).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
        assertThat(sent).as("every session joined").isEqualTo("sent to 8");
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/broadcast"))
                .POST(HttpRequest.BodyPublishers.ofString("hello everyone")).build(), HttpResponse.BodyHandlers.ofString());
        for (java.util.concurrent.BlockingQueue<String> inbox : inboxes) {
            String got;
            do {
                got = inbox.poll(30, java.util.concurrent.TimeUnit.SECONDS);
            } while ("probe".equals(got));
            assertThat(got).isEqualTo("hello everyone");
        }
        sockets.forEach(ws -> ws.sendClose(java.net.http.WebSocket.NORMAL_CLOSURE, "bye").join());
    }
}
