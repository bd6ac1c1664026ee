package io.percore.demo.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, part 3, under pressure: keyspace events cost the mesh nothing toward a shard where no
 * subscription could get them (notifications on for Spring Session and no subscriber there must not
 * turn a big DEL into a message per key), and a subscriber that stops reading a flood of events is
 * cut off at its output limit while the writer goes on.
 */
class KeyspaceNotificationsFloodTest {

    private static final Pattern SHARD = Pattern.compile("shard=(\\d+)");

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @Test
    void noMeshMessageGoesToAShardWhereNoSubscriptionCouldGetIt() throws Exception {
        int keys = 20_000;
        List<RespTestClient> opened = new ArrayList<>();
        try {
            RespTestClient writer = clientOn(0, opened);
            writer.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA");
            long quiet = sentByShard0DuringDel(writer, keys);
            assertThat(quiet).as("messages shard 0 sent while deleting %d keys of its own, nobody subscribed", keys).isLessThan(keys / 10);
            // a subscriber of an unrelated channel on shard 1 does not listen to keyspace events either
            RespTestClient unrelated = clientOn(1, opened);
            unrelated.cmd("SUBSCRIBE", "news");
            assertThat(sentByShard0DuringDel(writer, keys)).isLessThan(keys / 10);
            // a pattern on shard 1 could match: every event goes there
            RespTestClient listener = clientOn(1, opened);
            listener.cmd("PSUBSCRIBE", "__keyevent@0__:d*");
            assertThat(sentByShard0DuringDel(writer, keys)).isGreaterThanOrEqualTo(keys);
            for (int i = 0; i < keys; i++) {
                assertThat(String.valueOf(listener.read())).startsWith("[pmessage, __keyevent@0__:d*, __keyevent@0__:del, del{t");
            }
            writer.cmd("CONFIG", "SET", "notify-keyspace-events", "");
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    /** SETs then one DEL of {@code keys} keys of shard 0 from a connection on shard 0: what shard 0 sent meanwhile. */
    private static long sentByShard0DuringDel(RespTestClient writer, int keys) throws Exception {
        String tag = demo.keyOn(0, "t").substring(1); // "{tag}" is on shard 0 when "t" + tag is
        String[] del = new String[keys + 1];
        del[0] = "DEL";
        for (int i = 0; i < keys; i++) {
            del[i + 1] = "del{t" + tag + "}" + i;
        }
        StringBuilder pipeline = new StringBuilder();
        for (int i = 0; i < keys; i++) {
            pipeline.append(new String(RespTestClient.encode("SET", del[i + 1], "v")));
        }
        writer.send(pipeline.toString());
        for (int i = 0; i < keys; i++) {
            writer.read();
        }
        Thread.sleep(200); // a shard publishes its figures at the end of a loop turn
        long before = demo.engine.shard(0).stats().messagesSent();
        assertThat(writer.cmd(del)).isEqualTo((long) keys);
        Thread.sleep(200);
        return demo.engine.shard(0).stats().messagesSent() - before;
    }

    @Test
    void aSubscriberThatStopsReadingAFloodIsCutOffAndTheWriterGoesOn() throws Exception {
        List<RespTestClient> opened = new ArrayList<>();
        try {
            RespTestClient writer = clientOn(0, opened);
            assertThat(writer.cmd("CONFIG", "SET", "notify-keyspace-events", "KEA")).isEqualTo("OK");
            assertThat(writer.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 1mb 0 0")).isEqualTo("OK");
            RespTestClient here = clientOn(0, opened);
            RespTestClient there = clientOn(1, opened);
            here.cmd("PSUBSCRIBE", "*");
            there.cmd("PSUBSCRIBE", "*");
            String big = "k".repeat(16 * 1024); // each event carries the key: 16 KB twice per SET
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            int written = 0;
            while (subscribers(writer) > 0) {
                assertThat(System.nanoTime()).as("subscribers cut off, %d SETs written", written).isLessThan(deadline);
                for (int i = 0; i < 50; i++, written++) {
                    writer.send(RespTestClient.encode("SET", big + (written % 2 == 0 ? "{a}" : "{b}") + written, "v"));
                }
                for (int i = 0; i < 50; i++) {
                    assertThat(writer.read()).isEqualTo("OK");
                }
            }
            assertThat(written).as("SETs before both were cut (1 MB each)").isLessThan(2_000);
            assertThat(closedAfterWhatItHolds(here)).isTrue();
            assertThat(closedAfterWhatItHolds(there)).isTrue();
            assertThat(writer.cmd("PING")).isEqualTo("PONG");
            writer.cmd("CONFIG", "SET", "client-output-buffer-limit", "pubsub 32mb 8mb 60", "notify-keyspace-events", "");
            writer.cmd("FLUSHALL");
        } finally {
            for (RespTestClient c : opened) {
                c.close();
            }
        }
    }

    /** Reads what the server had written before it closed the connection; true at the close. */
    private static boolean closedAfterWhatItHolds(RespTestClient c) {
        for (long read = 0; read < 64L << 20; read++) {
            if (c.closedByServer()) {
                return true;
            }
        }
        return false;
    }

    private static long subscribers(RespTestClient c) throws Exception {
        return (Long) c.cmd("PUBSUB", "NUMPAT");
    }

    /** A connection the demo placed on {@code shard} (the others opened meanwhile are closed at the end too). */
    private static RespTestClient clientOn(int shard, List<RespTestClient> opened) throws Exception {
        while (true) {
            RespTestClient c = new RespTestClient(demo.respPort());
            opened.add(c);
            Matcher m = SHARD.matcher(String.valueOf(c.cmd("CLIENT", "INFO")));
            assertThat(m.find()).isTrue();
            if (Integer.parseInt(m.group(1)) == shard) {
                return c;
            }
        }
    }
}
