package io.percore.demo.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, rows 3, 7, 8 and 12: what a hostile HTTP client could do to the per-core server. Each
 * exchange is on a raw socket, so the test sees exactly what the server sends and whether it closes.
 */
class HttpHardeningTest {

    private static final String PASSWORD = "s3cret:with colon";
    private static TestServices open;
    private static TestServices guarded;

    @BeforeAll
    static void start() {
        HttpSettings fastTimeouts = HttpSettings.defaults().withMaxBodySize(1000)
                .withTimeouts(Duration.ofMillis(600), Duration.ofMillis(600));
        open = TestServices.start(1, DemoSettings.forTests().withHttp(fastTimeouts));
        guarded = TestServices.start(1, DemoSettings.forTests().withHttpPassword(PASSWORD));
    }

    @AfterAll
    static void stop() {
        open.close();
        guarded.close();
    }

    /** Sends {@code request}, then reads until the server closes (or 10 s pass: then the test fails on the text). */
    private static String exchange(TestServices services, String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", services.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return readUntilClose(socket.getInputStream());
        }
    }

    private static String readUntilClose(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            out.write("<no close within 10 s>".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String status(String response) {
        int eol = response.indexOf("\r\n");
        return eol < 0 ? response : response.substring(0, eol);
    }

    // ------------------------------------------------------------------ row 12: Host

    @Test
    void http11WithoutHostOrWithTwoHostsIs400() throws IOException {
        assertThat(exchange(open, "GET / HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ").contains("Host").doesNotContain("<no close");
        assertThat(exchange(open, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(exchange(open, "GET / HTTP/1.0\r\n\r\n")).as("HTTP/1.0 needs no Host").startsWith("HTTP/1.1 200 ");
        assertThat(exchange(open, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 200 ");
    }

    // ------------------------------------------------------------------ row 7: chunked framing

    @Test
    void malformedChunksAre400AndStoreNothing() throws IOException {
        String head = "PUT /kv/chunky HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
        assertThat(status(exchange(open, head + "5\r\nhello\r\nzz\r\nmore\r\n0\r\n\r\n"))).startsWith("HTTP/1.1 400 ");
        assertThat(status(exchange(open, head + "ffffffffffffffff\r\nhello\r\n0\r\n\r\n"))).startsWith("HTTP/1.1 400 ");
        assertThat(status(exchange(open, head + "5\r\nhelloXX0\r\n\r\n"))).as("no CRLF after the chunk data")
                .startsWith("HTTP/1.1 400 ");
        assertThat(status(exchange(open, "GET /kv/chunky HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                .as("nothing stored").isEqualTo("HTTP/1.1 404 Not Found");
        // A well-formed chunked body is still accepted.
        assertThat(status(exchange(open, head.replace("Host: x", "Host: x\r\nConnection: close") + "5\r\nhello\r\n0\r\n\r\n")))
                .isEqualTo("HTTP/1.1 204 No Content");
        assertThat(exchange(open, "GET /kv/chunky HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")).endsWith("\r\n\r\nhello");
    }

    // ------------------------------------------------------------------ row 3: the password guards /kv

    @Test
    void withAPasswordTheKeyValueApiNeedsIt() throws IOException {
        String put = "PUT /kv/guarded HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 5\r\n";
        String get = "GET /kv/guarded HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
        String bearer = "Authorization: Bearer " + PASSWORD + "\r\n";
        String basic = "Authorization: Basic " + Base64.getEncoder().encodeToString(("default:" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\r\n";
        String wrong = "Authorization: Bearer nope\r\n";

        String refused = exchange(guarded, put + "\r\nhello");
        assertThat(status(refused)).isEqualTo("HTTP/1.1 401 Unauthorized");
        assertThat(refused).contains("WWW-Authenticate: Basic realm=\"percore\"");
        assertThat(status(exchange(guarded, put + wrong + "\r\nhello"))).isEqualTo("HTTP/1.1 401 Unauthorized");
        assertThat(status(exchange(guarded, get + bearer + "\r\n"))).as("the refused PUTs stored nothing").isEqualTo("HTTP/1.1 404 Not Found");
        assertThat(status(exchange(guarded, get + "\r\n"))).isEqualTo("HTTP/1.1 401 Unauthorized");
        assertThat(status(exchange(guarded, "DELETE /kv/guarded HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                .isEqualTo("HTTP/1.1 401 Unauthorized");

        assertThat(status(exchange(guarded, put + bearer + "\r\nhello"))).isEqualTo("HTTP/1.1 204 No Content");
        assertThat(exchange(guarded, get + basic + "\r\n")).startsWith("HTTP/1.1 200 ").endsWith("hello");
        assertThat(status(exchange(guarded, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                .as("the hello endpoint carries no data and stays public").isEqualTo("HTTP/1.1 200 OK");
    }

    // ------------------------------------------------------------------ row 8: slow clients

    @Test
    void aClientTricklingHeadersGets408WhileOthersAreServed() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", open.httpPort())) {
            slow.setSoTimeout(10_000);
            OutputStream out = slow.getOutputStream();
            out.write("GET / HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            byte[] trickle = "X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".getBytes(StandardCharsets.US_ASCII);
            // One byte every 100 ms, never finishing the headers: each byte would re-arm an idle timeout.
            boolean closed = false;
            for (int i = 0; i < trickle.length && !closed; i++) {
                try {
                    out.write(trickle[i]);
                    out.flush();
                } catch (IOException e) {
                    closed = true;
                }
                if (i == 2) {
                    assertThat(status(exchange(open, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                            .as("a fast client meanwhile").isEqualTo("HTTP/1.1 200 OK");
                }
                Thread.sleep(100);
                closed |= slow.getInputStream().available() > 0;
            }
            String response = readUntilClose(slow.getInputStream());
            assertThat(status(response)).isEqualTo("HTTP/1.1 408 Request Timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("600 ms timeout, checked every 75 ms")
                    .isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aClientTricklingItsBodyGets408AndNothingIsStored() throws Exception {
        try (Socket slow = new Socket("127.0.0.1", open.httpPort())) {
            slow.setSoTimeout(10_000);
            slow.getOutputStream().write("PUT /kv/slowbody HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nab"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(status(readUntilClose(slow.getInputStream()))).isEqualTo("HTTP/1.1 408 Request Timeout");
        }
        assertThat(status(exchange(open, "GET /kv/slowbody HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")))
                .isEqualTo("HTTP/1.1 404 Not Found");
    }

    @Test
    void keepAliveConnectionsWaitingBetweenRequestsAreNotTimedOut() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", open.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            for (int i = 0; i < 2; i++) {
                out.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] response = new byte[4096];
                int n = in.read(response);
                assertThat(new String(response, 0, n, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200 OK");
                // Longer than the 600 ms read timeouts: waiting between requests is the idle timeout's business.
                Thread.sleep(1_000);
            }
        }
    }
}
