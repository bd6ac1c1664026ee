package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import io.percore.net.server.ShardServerMetrics;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, row 4: a client over the connection limit is told so in its protocol before the
 * close (as redis-server does over maxclients), and INFO's rejected_connections is the same figure
 * as the server's rejection metric.
 */
class MaxClientsTest {

    private TestServices services;

    @BeforeEach
    void start() {
        services = TestServices.start(1, DemoSettings.forTests().withMaxConnectionsPerShard(2));
    }

    @AfterEach
    void stop() {
        services.close();
    }

    private static String readAll(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void respOverTheLimitReadsRedisesErrorThenEofAndInfoCountsIt() throws Exception {
        try (RespTestClient first = new RespTestClient(services.respPort());
                RespTestClient second = new RespTestClient(services.respPort())) {
            assertThat(first.cmd("PING")).isEqualTo("PONG");
            assertThat(second.cmd("PING")).isEqualTo("PONG");
            List<String> refused = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                try (Socket third = new Socket("127.0.0.1", services.respPort())) {
                    refused.add(readAll(third));
                }
            }
            assertThat(refused).containsOnly("-ERR max number of clients reached\r\n");
            long metric = services.service.respServer().metrics().stream().mapToLong(ShardServerMetrics::connectionsRejected).sum();
            assertThat(metric).isEqualTo(3);
            String info = (String) first.cmd("INFO", "stats");
            assertThat(info).contains("rejected_connections:" + metric + "\r\n");
        }
    }

    /**
     * maxclients starts at what the listeners take (max-connections-per-shard x shards), a lower one configured is kept,
     * and a higher one is lowered to it, as Redis lowers it to what its file descriptors allow.
     */
    @Test
    void maxclientsStartsAtWhatTheListenersTakeAndAHigherOneIsLoweredToIt() throws Exception {
        try (RespTestClient c = new RespTestClient(services.respPort())) {
            assertThat(c.cmd("CONFIG", "GET", "maxclients")).isEqualTo(List.of("maxclients", "2"));
        }
        DemoSettings three = DemoSettings.forTests().withMaxConnectionsPerShard(3);
        for (String[] configured : new String[][] {{"100", "6"}, {"4", "4"}}) {
            try (TestServices two = TestServices.start(2, three.withConfig("maxclients", configured[0]));
                 RespTestClient c = new RespTestClient(two.respPort())) {
                assertThat(c.cmd("CONFIG", "GET", "maxclients")).as("maxclients %s on two shards of 3", configured[0])
                        .isEqualTo(List.of("maxclients", configured[1]));
                assertThat(String.valueOf(c.cmd("CONFIG", "SET", "maxclients", "7"))).contains("this server's listeners take at most 6");
            }
        }
    }

    @Test
    void httpOverTheLimitGets503ThenEof() throws Exception {
        try (Socket a = new Socket("127.0.0.1", services.httpPort()); Socket b = new Socket("127.0.0.1", services.httpPort())) {
            for (Socket s : List.of(a, b)) {
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] buf = new byte[256];
                assertThat(new String(buf, 0, s.getInputStream().read(buf), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            }
            try (Socket c = new Socket("127.0.0.1", services.httpPort())) {
                String reply = readAll(c);
                assertThat(reply).startsWith("HTTP/1.1 503 Service Unavailable\r\n").contains("Connection: close\r\n")
                        .endsWith("\r\n\r\nserver at its connection limit; retry");
            }
        }
    }
}
