package io.percore.demo.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * Who {@code enable-debug-command local} lets run DEBUG: a client whose address is exactly 127.0.0.1 or ::1, as
 * Redis's {@code islocalClient} (the rest of 127/8 and IPv4-mapped addresses are not), read from the address text
 * CLIENT LIST shows, without a name lookup.
 */
class ClientAddressesTest {

    @Test
    void onlyTheTwoLoopbackAddressesAreLocal() {
        assertThat(ClientAddresses.localClient("127.0.0.1:50000")).isTrue();
        assertThat(ClientAddresses.localClient(ClientAddresses.text(new InetSocketAddress("::1", 6379)))).isTrue();
        assertThat(ClientAddresses.localClient("0:0:0:0:0:0:0:1:6379")).isTrue();
        assertThat(ClientAddresses.localClient("[::1]:6379")).isTrue();
        assertThat(ClientAddresses.localClient("127.0.0.2:50000")).isFalse();
        assertThat(ClientAddresses.localClient("10.0.0.1:50000")).isFalse();
        assertThat(ClientAddresses.localClient("::ffff:127.0.0.1:50000")).isFalse();
        assertThat(ClientAddresses.localClient("fe80::1%lo:50000")).isFalse();
        assertThat(ClientAddresses.localClient("localhost:50000")).isFalse();
        assertThat(ClientAddresses.localClient("127.0.0.1")).isFalse();
        assertThat(ClientAddresses.localClient("")).isFalse();
        assertThat(ClientAddresses.localClient(null)).isFalse();
    }
}
