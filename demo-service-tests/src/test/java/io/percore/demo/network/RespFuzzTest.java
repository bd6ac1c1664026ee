package io.percore.demo.network;

import io.percore.demo.server.ServerShard;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the RESP input path over real sockets: random bytes, truncated and mutated
 * frames, huge declared lengths. Every connection must get only well-formed replies and then be
 * closed (or stay usable); no unexpected exception; a bystander connection keeps working.
 */
class RespFuzzTest {

    private static final String[] SEEDS = {
            "*3\r\n$3\r\nSET\r\n$3\r\nfz1\r\n$5\r\nvalue\r\n",
            "*2\r\n$3\r\nGET\r\n$3\r\nfz1\r\n",
            "*4\r\n$4\r\nMGET\r\n$3\r\nfz1\r\n$3\r\nfz2\r\n$3\r\nfz3\r\n",
            "*5\r\n$4\r\nMSET\r\n$3\r\nfz1\r\n$1\r\na\r\n$3\r\nfz2\r\n$1\r\nb\r\n",
            "*2\r\n$4\r\nINCR\r\n$3\r\nfz3\r\n",
            "PING\r\n",
            "SET fz4 \"x y\"\r\n",
            "*1\r\n$536870912\r\n",
            "*999999999999\r\n",
            "*-1\r\n",
            "$5\r\nhello\r\n",
            "*1\r\n$-1\r\n",
            "*1\r\n$0\r\n\r\n",
    };

    @Test
    void randomAndMalformedFramesNeverBreakTheServer() throws Exception {
        try (TestServices services = TestServices.start(2, DemoSettings.forTests());
             RespTestClient bystander = new RespTestClient(services.respPort())) {
            assertThat(bystander.cmd("SET", "bystander-key", "safe")).isEqualTo("OK");
            Random random = new Random(20261121L);
            int closed = 0;
            for (int round = 0; round < 300; round++) {
                byte[] input = fuzzInput(random);
                try (RespTestClient c = new RespTestClient(services.respPort())) {
                    c.send(input);
                    c.shutdownOutput(); // EOF: the server must answer what it can and close
                    int replies = 0;
                    while (true) {
                        try {
                            c.read(); // throws on a malformed reply
                            replies++;
                        } catch (EOFException e) {
                            break;
                        }
                        assertThat(replies).as("round %d", round).isLessThan(10_000);
                    }
                    closed++;
                }
            }
            assertThat(closed).isEqualTo(300);
            assertThat(bystander.cmd("GET", "bystander-key")).isEqualTo("safe");
            assertThat(bystander.cmd("PING")).isEqualTo("PONG");
            long protocolErrors = services.service.snapshots().stream().mapToLong(ServerShard.Snapshot::protocolErrors).sum();
            assertThat(protocolErrors).as("fuzzing must have hit the protocol error path").isGreaterThan(20);
            assertThat(services.service.snapshots().stream().mapToLong(ServerShard.Snapshot::unexpectedErrors).sum()).isZero();
        }
    }

    private static byte[] fuzzInput(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = 1 + random.nextInt(4);
        for (int p = 0; p < parts; p++) {
            switch (random.nextInt(5)) {
                case 0 -> { // pure noise
                    byte[] noise = new byte[random.nextInt(200)];
                    random.nextBytes(noise);
                    out.writeBytes(noise);
                }
                case 1 -> { // truncated seed
                    byte[] seed = seed(random);
                    out.write(seed, 0, random.nextInt(seed.length + 1));
                }
                case 2 -> { // seed with flipped bytes
                    byte[] seed = seed(random).clone();
                    for (int i = 0; i < 1 + random.nextInt(3); i++) {
                        seed[random.nextInt(seed.length)] = (byte) random.nextInt(256);
                    }
                    out.writeBytes(seed);
                }
                case 3 -> { // huge declared lengths
                    out.writeBytes(("*" + (1 + random.nextInt(3)) + "\r\n$" + (long) (random.nextDouble() * 4e9) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                }
                default -> out.writeBytes(seed(random));
            }
        }
        return out.toByteArray();
    }

    private static byte[] seed(Random random) {
        return SEEDS[random.nextInt(SEEDS.length)].getBytes(StandardCharsets.US_ASCII);
    }
}
