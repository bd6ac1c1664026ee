package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** requirepass: nothing but AUTH/HELLO/QUIT before authenticating, and Redis 7's pre-auth frame limits. */
@SuppressWarnings("unchecked")
class RespAuthTest {

    private static TestServices services;

    @BeforeAll
    static void start() {
        services = TestServices.start(2, DemoSettings.forTests().withConfig("requirepass", "s3cret"));
    }

    @AfterAll
    static void stop() {
        services.close();
    }

    @Test
    void commandsNeedAuthFirst() throws Exception {
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat(c.cmd("GET", "k")).isEqualTo(new Err("NOAUTH Authentication required."));
            assertThat(c.cmd("PING")).isEqualTo(new Err("NOAUTH Authentication required."));
            assertThat(c.cmd("nosuch")).isEqualTo(new Err("ERR unknown command 'nosuch', with args beginning with: "));
            assertThat(c.cmd("HELLO", "2")).isEqualTo(new Err("NOAUTH HELLO must be called with the client already authenticated, "
                    + "otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the "
                    + "RESP protocol version at the same time"));
            assertThat(c.cmd("AUTH", "wrong")).isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
            assertThat(c.cmd("AUTH", "other", "s3cret")).isEqualTo(new Err("WRONGPASS invalid username-password pair or user is disabled."));
            assertThat(c.cmd("SET", "k", "v")).isEqualTo(new Err("NOAUTH Authentication required."));
            assertThat(c.cmd("AUTH", "s3cret")).isEqualTo("OK");
            assertThat(c.cmd("SET", "k", "v")).isEqualTo("OK");
            assertThat(c.cmd("GET", "k")).isEqualTo("v");
        }
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat((List<Object>) c.cmd("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "app")).contains("proto");
            assertThat(c.cmd("CLIENT", "GETNAME")).isEqualTo("app");
            assertThat(c.cmd("GET", "k")).isEqualTo("v");
        }
    }

    @Test
    void unauthenticatedClientsGetTightFrameLimits() throws Exception {
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            c.send("*11\r\n");
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: unauthenticated multibulk length"));
            assertThat(c.closedByServer()).isTrue();
        }
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            c.send("*2\r\n$4\r\nAUTH\r\n$16385\r\n");
            assertThat(c.read()).isEqualTo(new Err("ERR Protocol error: unauthenticated bulk length"));
            assertThat(c.closedByServer()).isTrue();
        }
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat(c.cmd("AUTH", "default", "s3cret")).isEqualTo("OK");
            assertThat(c.cmd("MSET", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5", "f", "6")).isEqualTo("OK");
        }
    }
}
