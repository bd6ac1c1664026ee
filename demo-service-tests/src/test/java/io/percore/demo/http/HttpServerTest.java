package io.percore.demo.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The per-core HTTP server on a 2-shard engine: JDK HttpClient and a raw pipelining socket. */
class HttpServerTest {

    private static TestServices services;
    private static HttpClient client;

    @BeforeAll
    static void start() {
        services = TestServices.start(2, DemoSettings.forTests().withHttp(HttpSettings.defaults().withMaxBodySize(1000)));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        services.close();
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + services.httpPort() + path);
    }

    @Test
    void helloAndJson() throws Exception {
        HttpResponse<String> hello = client.send(HttpRequest.newBuilder(uri("/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("Hello, World!");
        assertThat(hello.headers().firstValue("content-type")).contains("text/plain");
        assertThat(hello.headers().firstValue("date")).isPresent();
        HttpResponse<String> json = client.send(HttpRequest.newBuilder(uri("/json")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(json.body()).isEqualTo("{\"message\":\"Hello, World!\"}");
        assertThat(json.headers().firstValue("content-type")).contains("application/json");
        assertThat(client.send(HttpRequest.newBuilder(uri("/nope")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        assertThat(client.send(HttpRequest.newBuilder(uri("/")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(405);
    }

    @Test
    void keyValueOnBothShards() throws Exception {
        for (int shard = 0; shard < 2; shard++) {
            String key = services.keyOn(shard, "http-key-");
            HttpResponse<String> put = client.send(HttpRequest.newBuilder(uri("/kv/" + key))
                    .PUT(HttpRequest.BodyPublishers.ofString("value-" + shard)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(204);
            HttpResponse<String> get = client.send(HttpRequest.newBuilder(uri("/kv/" + key)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo("value-" + shard);
            assertThat(client.send(HttpRequest.newBuilder(uri("/kv/" + key)).DELETE().build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(204);
            assertThat(client.send(HttpRequest.newBuilder(uri("/kv/" + key)).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(404);
        }
        assertThat(client.send(HttpRequest.newBuilder(uri("/kv/")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(400);
        // percent-encoded keys are decoded
        client.send(HttpRequest.newBuilder(uri("/kv/a%20b")).PUT(HttpRequest.BodyPublishers.ofString("sp")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(services.service.keyspace().shardOf("a b".getBytes())).isBetween(0, 1);
        assertThat(client.send(HttpRequest.newBuilder(uri("/kv/a%20b")).build(), HttpResponse.BodyHandlers.ofString()).body()).isEqualTo("sp");
    }

    @Test
    void bodiesOverTheLimitGet413() throws Exception {
        HttpResponse<String> declared = client.send(HttpRequest.newBuilder(uri("/kv/big"))
                .PUT(HttpRequest.BodyPublishers.ofString("x".repeat(1001))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("1001", "1000");
        // chunked, no Content-Length: detected while receiving
        try (Socket s = new Socket("127.0.0.1", services.httpPort())) {
            s.setSoTimeout(10_000);
            String chunk = "x".repeat(600);
            String req = "PUT /kv/big HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(600) + "\r\n" + chunk + "\r\n" + Integer.toHexString(600) + "\r\n" + chunk + "\r\n0\r\n\r\n";
            s.getOutputStream().write(req.getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertThat(response).startsWith("HTTP/1.1 413 ").contains("Connection: close");
        }
        assertThat(client.send(HttpRequest.newBuilder(uri("/kv/big")).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrderAcrossShards() throws Exception {
        String k0 = services.keyOn(0, "pipe-");
        String k1 = services.keyOn(1, "pipe-");
        client.send(HttpRequest.newBuilder(uri("/kv/" + k0)).PUT(HttpRequest.BodyPublishers.ofString("zero")).build(), HttpResponse.BodyHandlers.ofString());
        client.send(HttpRequest.newBuilder(uri("/kv/" + k1)).PUT(HttpRequest.BodyPublishers.ofString("one")).build(), HttpResponse.BodyHandlers.ofString());
        StringBuilder batch = new StringBuilder();
        List<String> expectedBodies = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            switch (i % 4) {
                case 0 -> { batch.append("GET / HTTP/1.1\r\nHost: x\r\n\r\n"); expectedBodies.add("Hello, World!"); }
                case 1 -> { batch.append("GET /kv/").append(k1).append(" HTTP/1.1\r\nHost: x\r\n\r\n"); expectedBodies.add("one"); }
                case 2 -> { batch.append("GET /json HTTP/1.1\r\nHost: x\r\n\r\n"); expectedBodies.add("{\"message\":\"Hello, World!\"}"); }
                default -> { batch.append("GET /kv/").append(k0).append(" HTTP/1.1\r\nHost: x\r\n\r\n"); expectedBodies.add("zero"); }
            }
        }
        batch.append("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        expectedBodies.add("Hello, World!");
        try (Socket s = new Socket("127.0.0.1", services.httpPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String all = new String(readAll(s.getInputStream()), StandardCharsets.US_ASCII);
            Matcher m = Pattern.compile("HTTP/1\\.1 200 OK\r\n(?:[^\r\n]+\r\n)*?Content-Length: (\\d+)\r\n(?:[^\r\n]+\r\n)*\r\n").matcher(all);
            List<String> bodies = new ArrayList<>();
            int pos = 0;
            while (m.find(pos)) {
                int len = Integer.parseInt(m.group(1));
                bodies.add(all.substring(m.end(), m.end() + len));
                pos = m.end() + len;
            }
            assertThat(bodies).isEqualTo(expectedBodies);
        }
    }

    private static byte[] readAll(InputStream in) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }
}
