package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One request on its own connection ({@code Connection: close}), so the kernel places each one anew. */
final class RawHttp {

    private RawHttp() {
    }

    /** The last line of the body of {@code GET path}, which must answer 200. */
    static String get(int port, String path) throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            String line;
            String last = null;
            while ((line = in.readLine()) != null) {
                last = line;
            }
            return last;
        }
    }
}
