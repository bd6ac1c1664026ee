package io.percore.sample.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What {@code /counters/{key}} must do on either setup (the shards, Spring Boot's own server): many
 * clients incrementing a few keys at once lose no increment and answer every count exactly once.
 */
abstract class CountersContract {

    static final int CLIENTS = 16;
    static final int INCREMENTS_PER_CLIENT = 200;
    static final List<String> KEYS = List.of("a", "b", "c", "d", "e", "f", "g", "h", "hot:1", "user_42");

    abstract int port();

    /** Answers, per key, of every increment: each count 1..n must come back once. */
    final Map<String, ConcurrentLinkedQueue<Long>> answers = new ConcurrentHashMap<>();

    @Test
    void concurrentIncrementsAreCountedOnceEach() throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                running.add(clients.submit(() -> {
                    // one client, one connection pool: the connections spread over the shards
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    for (int i = 0; i < INCREMENTS_PER_CLIENT; i++) {
                        String key = KEYS.get((client + i) % KEYS.size());
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/counters/" + key))
                                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
                        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
                        answers.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).add(Long.parseLong(r.body()));
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            clients.shutdownNow();
        }
        int perKey = CLIENTS * INCREMENTS_PER_CLIENT / KEYS.size();
        HttpClient http = HttpClient.newHttpClient();
        for (String key : KEYS) {
            assertThat(get(http, "/counters/" + key)).as("count of %s", key).isEqualTo(String.valueOf(perKey));
            assertThat(answers.get(key)).as("each count of %s answered once", key)
                    .containsExactlyInAnyOrderElementsOf(java.util.stream.LongStream.rangeClosed(1, perKey).boxed().toList());
        }
        assertThat(get(http, "/counters/never-incremented")).isEqualTo("0");
    }

    @Test
    void keysOutsideTheAllowedShapeAreNotFound() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String tooLong = "k".repeat(65);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri("/counters/" + tooLong)).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        r = http.send(HttpRequest.newBuilder(uri("/counters/a%20b")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
    }

    String get(HttpClient http, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }
}
