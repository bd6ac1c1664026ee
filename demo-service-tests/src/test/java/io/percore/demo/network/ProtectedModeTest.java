package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 24, row 6: with no password, a server bound beyond loopback refuses clients that come from
 * another address with Redis's {@code -DENIED} (and the HTTP {@code /kv} API with 403), serves
 * loopback clients as before, and {@code protected-mode no} or a password lifts it.
 */
class ProtectedModeTest {

    @Test
    void clientsFromAnotherAddressAreDeniedUntilProtectedModeIsOffOrAPasswordIsSet() throws Exception {
        InetAddress external = nonLoopbackAddress().orElse(null);
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to connect from");
        DemoSettings everywhere = DemoSettings.forTests().withBindAddress("0.0.0.0");
        HttpClient http = HttpClient.newHttpClient();
        try (TestServices demo = TestServices.start(2, everywhere); RespTestClient local = new RespTestClient(demo.respPort())) {
            assertThat(local.cmd("SET", "pm:k", "v")).isEqualTo("OK");

            String denied = firstReply(external, demo.respPort());
            assertThat(denied).startsWith("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set");
            assertThat(kvStatus(http, external, demo.httpPort())).isEqualTo(403);
            assertThat(kvStatus(http, InetAddress.getLoopbackAddress(), demo.httpPort())).isEqualTo(200);
            assertThat(ClientMemoryTest.infoLong(local, "stats", "rejected_connections", -1)).isGreaterThanOrEqualTo(1);

            assertThat(local.cmd("CONFIG", "SET", "protected-mode", "no")).isEqualTo("OK");
            assertThat(firstReply(external, demo.respPort())).isEqualTo("$1");
            assertThat(kvStatus(http, external, demo.httpPort())).isEqualTo(200);

            assertThat(local.cmd("CONFIG", "SET", "protected-mode", "yes", "requirepass", "s3cret")).isEqualTo("OK");
            assertThat(firstReply(external, demo.respPort())).startsWith("-NOAUTH"); // the password decides now, not the address
        }
    }

    @Test
    void aLoopbackOnlyServerServesItsClientsWhateverTheSetting() throws Exception {
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests()); RespTestClient local = new RespTestClient(demo.respPort())) {
            assertThat(local.cmd("CONFIG", "GET", "protected-mode")).isEqualTo(java.util.List.of("protected-mode", "yes"));
            assertThat(local.cmd("PING")).isEqualTo("PONG");
        }
    }

    /** The first line a client connecting from {@code from} reads after sending {@code GET pm:k}. */
    private static String firstReply(InetAddress from, int port) throws IOException {
        try (Socket s = new Socket(from, port)) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(RespTestClient.encode("GET", "pm:k"));
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\r') {
                line.append((char) c);
            }
            return line.toString();
        }
    }

    private static int kvStatus(HttpClient http, InetAddress host, int port) throws Exception {
        URI uri = URI.create("http://" + host.getHostAddress() + ":" + port + "/kv/pm:k");
        return http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).statusCode();
    }

    /** An address of this machine that is not loopback: connecting to it comes from it, as another host's client would. */
    private static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (address instanceof Inet4Address && !address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    return Optional.of(address);
                }
            }
        }
        return Optional.empty();
    }
}
