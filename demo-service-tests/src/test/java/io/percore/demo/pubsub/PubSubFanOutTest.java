package io.percore.demo.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 29, part 2, end to end on one shard: 100 subscribers of one channel, of both kinds
 * (SUBSCRIBE and PSUBSCRIBE) and both protocols, share each message's encoding. Every one that
 * reads gets every message byte for byte, in publish order, small ones (copied into its batch)
 * and large ones (a slice of the shared buffer) interleaved, while one that never reads is cut
 * off at {@code client-output-buffer-limit pubsub}: the bytes it holds count in full though they
 * are shared. The paranoid leak detector of the test run watches the shared buffers.
 */
class PubSubFanOutTest {

    private static final int READERS = 99;
    /** Messages per round: the readers are read up to date after each, so none falls far behind. */
    private static final int ROUND = 16;
    private static final int MAX_MESSAGES = 20_000;

    /** Message {@code m}: every other one larger than a slice's threshold (1 KB), the rest a few bytes. */
    private static String payload(int m) {
        return m % 2 == 0 ? "small-" + m : (m + "-").repeat(4096 / (String.valueOf(m).length() + 1));
    }

    private static String bulk(String s) {
        return "$" + s.length() + "\r\n" + s + "\r\n";
    }

    private static String frame(boolean resp3, boolean pattern, String payload) {
        String header = (resp3 ? ">" : "*") + (pattern ? 4 : 3) + "\r\n";
        return header + (pattern ? bulk("pmessage") + bulk("f?n") : bulk("message")) + bulk("fan") + bulk(payload);
    }

    @Test
    void everyReaderGetsEveryMessageInOrderWhileOneThatNeverReadsIsCutOffAtItsLimit() throws Exception {
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests());
             RespTestClient publisher = new RespTestClient(demo.respPort());
             Socket stalled = new Socket()) {
            assertThat(publisher.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 256kb 0 0")).isEqualTo("OK");
            // a small receive window, so the kernel holds little of what it does not read and the server the rest
            stalled.setReceiveBufferSize(4096);
            stalled.connect(new InetSocketAddress("127.0.0.1", demo.respPort()), 5000);
            OutputStream stalledOut = stalled.getOutputStream();
            stalledOut.write(RespTestClient.encode("SUBSCRIBE", "fan"));
            stalledOut.flush();

            List<RespTestClient> readers = new ArrayList<>();
            try {
                for (int i = 0; i < READERS; i++) {
                    RespTestClient r = new RespTestClient(demo.respPort());
                    readers.add(r);
                    if (resp3(i)) {
                        r.cmd("HELLO", "3");
                    }
                    r.cmd(pattern(i) ? "PSUBSCRIBE" : "SUBSCRIBE", pattern(i) ? "f?n" : "fan");
                }
                long receivers = READERS + 1;
                int published = 0;
                int afterCut = -1;
                while (published < MAX_MESSAGES && (afterCut < 0 || published < afterCut + 4 * ROUND)) {
                    for (int m = published; m < published + ROUND; m++) {
                        publisher.send(RespTestClient.encode("PUBLISH", "fan", payload(m)));
                    }
                    for (int m = published; m < published + ROUND; m++) {
                        receivers = (Long) publisher.read();
                        if (receivers == READERS && afterCut < 0) {
                            afterCut = m;
                        }
                    }
                    for (int i = 0; i < READERS; i++) {
                        for (int m = published; m < published + ROUND; m++) {
                            assertThat(readers.get(i).readRawReply()).as("reader %d, message %d", i, m).isEqualTo(frame(resp3(i), pattern(i), payload(m)));
                        }
                    }
                    published += ROUND;
                }
                assertThat(afterCut).as("the stalled subscriber cut off within " + published + " messages").isPositive();
                assertThat(receivers).as("the readers went on getting every message after the cut").isEqualTo(READERS);
                assertThat(publisher.cmd("PUBSUB", "NUMSUB", "fan")).isEqualTo(List.of("fan", (long) READERS / 2 + 1));
                assertThat(publisher.cmd("PUBSUB", "NUMPAT")).isEqualTo(1L);
                for (RespTestClient r : readers) {
                    assertThat(r.available()).as("nothing more than what was published").isZero();
                }
            } finally {
                for (RespTestClient r : readers) {
                    r.close();
                }
            }
        }
    }

    /** Readers alternate: RESP2 SUBSCRIBE, RESP2 PSUBSCRIBE, RESP3 SUBSCRIBE, RESP3 PSUBSCRIBE. */
    private static boolean pattern(int reader) {
        return reader % 2 == 1;
    }

    private static boolean resp3(int reader) {
        return reader % 4 >= 2;
    }
}
