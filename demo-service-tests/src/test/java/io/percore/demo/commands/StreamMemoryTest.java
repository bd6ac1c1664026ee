package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 30: the memory budget counts streams. An XADD flood meets {@code -OOM} near the shard's
 * budget; an entry larger than the whole budget is refused before anything is made; the figure of
 * entries, nodes, groups, consumers and a large PEL comes back to where it started when they go
 * (no drift over a mix of every stream command); MEMORY USAGE reads the stream's figure; under
 * allkeys-lru streams are evicted like any key, and a group read waiting on an evicted stream fails.
 */
class StreamMemoryTest {

    private static final Err OOM = new Err("OOM command not allowed when used memory > 'maxmemory'.");

    private static long used(TestServices demo) {
        return demo.service.keyspace().snapshots().stream().mapToLong(s -> s.usedMemory()).sum();
    }

    /** Sends {@code commands} pipelined and returns their replies. */
    private static List<Object> pipeline(RespTestClient c, List<String[]> commands) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String[] cmd : commands) {
            out.writeBytes(RespTestClient.encode(StandardCharsets.UTF_8, cmd));
        }
        c.send(out.toByteArray());
        List<Object> replies = new java.util.ArrayList<>();
        for (int i = 0; i < commands.size(); i++) {
            replies.add(c.read());
        }
        return replies;
    }

    @Test
    void anXaddFloodMeetsOomAndAnEntryLargerThanTheBudgetIsRefusedBeforeItIsMade() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withMemory(new MemorySettings(4 << 20, MaxmemoryPolicy.NOEVICTION, 5)));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            long empty = used(demo);
            String[] keys = {demo.keyOn(0, "mem:x"), demo.keyOn(1, "mem:y")};
            int added = 0;
            int refused = 0;
            for (int batch = 0; batch < 200 && refused == 0; batch++) {
                List<String[]> commands = new java.util.ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    commands.add(new String[] {"XADD", keys[i % 2], "*", "payload", "v".repeat(40), "n", Integer.toString(i)});
                }
                for (Object reply : pipeline(c, commands)) {
                    if (reply instanceof Err) {
                        assertThat(reply).isEqualTo(OOM);
                        refused++;
                    } else {
                        added++;
                    }
                }
            }
            assertThat(refused).as("the flood met the budget").isPositive();
            long perEntry = (used(demo) - empty) / added;
            System.out.printf("%d entries fit, %d bytes each by the budget's figure%n", added, perEntry);
            assertThat(perEntry).as("an entry's share of its node").isBetween(40L, 140L);
            assertThat(used(demo)).as("over the budget by at most a write").isLessThan((4L << 20) + 64 * 1024);
            long xlen = (Long) c.cmd("XLEN", keys[0]) + (Long) c.cmd("XLEN", keys[1]);
            assertThat(xlen).isEqualTo(added);
            long usage = (Long) c.cmd("MEMORY", "USAGE", keys[0]);
            assertThat(usage).isBetween(40L * (Long) c.cmd("XLEN", keys[0]), 200L * (Long) c.cmd("XLEN", keys[0]));
            assertThat(c.cmd("DEL", keys[0], keys[1])).isEqualTo(2L);
            assertThat(used(demo)).as("the streams' figure given back").isEqualTo(empty);

            String huge = "h".repeat(3 << 20);
            String key = demo.keyOn(1, "mem:huge");
            assertThat(c.cmd("XADD", key, "*", "f", huge)).isEqualTo(OOM);
            assertThat(c.cmd("EXISTS", key)).as("no empty stream left behind").isEqualTo(0L);
            assertThat(used(demo)).isEqualTo(empty);
        }
    }

    @Test
    void everyStreamCommandKeepsTheFigureExact() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort())) {
            long empty = used(demo);
            String a = demo.keyOn(0, "acct:a");
            String b = demo.keyOn(1, "acct:b");
            c.cmd("CONFIG", "SET", "stream-node-max-entries", "7");
            java.util.Random r = new java.util.Random(42);
            for (int round = 0; round < 3; round++) {
                for (String k : new String[] {a, b}) {
                    // pipelined: the figure is what is checked, not each reply (12,000 round trips took most of the class's time)
                    List<String[]> adds = new java.util.ArrayList<>();
                    for (int i = 1; i <= 3000; i++) {
                        adds.add(new String[] {"XADD", k, (round * 10_000 + i) + "-0", "f" + i % 3, "v".repeat(r.nextInt(100))});
                    }
                    assertThat(pipeline(c, adds)).noneMatch(reply -> reply instanceof Err);
                    c.cmd("XGROUP", "CREATE", k, "g", "0");
                    c.cmd("XGROUP", "CREATE", k, "h", "$");
                    for (int i = 0; i < 5; i++) {
                        c.cmd("XREADGROUP", "GROUP", "g", "c" + i, "COUNT", "500", "STREAMS", k, ">");
                    }
                    c.cmd("XREADGROUP", "GROUP", "g", "noack", "NOACK", "COUNT", "100", "STREAMS", k, ">");
                    c.cmd("XREADGROUP", "GROUP", "g", "c1", "STREAMS", k, "0");
                    c.cmd("XCLAIM", k, "g", "z", "0", (round * 10_000 + 5) + "-0", (round * 10_000 + 9999) + "-0", "FORCE");
                    c.cmd("XAUTOCLAIM", k, "g", "y", "0", "0", "COUNT", "300");
                    List<String[]> acks = new java.util.ArrayList<>();
                    for (int i = 1; i <= 3000; i += 3) {
                        acks.add(new String[] {"XACK", k, "g", (round * 10_000 + i) + "-0"});
                    }
                    assertThat(pipeline(c, acks)).noneMatch(reply -> reply instanceof Err);
                    c.cmd("XDEL", k, (round * 10_000 + 10) + "-0", (round * 10_000 + 11) + "-0");
                    c.cmd("XTRIM", k, "MAXLEN", "~", "2000");
                    c.cmd("XTRIM", k, "MINID", (round * 10_000 + 1500) + "");
                    c.cmd("XGROUP", "DELCONSUMER", k, "g", "c2");
                    c.cmd("XGROUP", "CREATECONSUMER", k, "h", "x");
                    c.cmd("XGROUP", "DESTROY", k, "h");
                    c.cmd("XSETID", k, (round * 10_000 + 9000) + "-0");
                }
                assertThat(used(demo) - empty).as("what %d rounds hold", round + 1).isPositive();
                c.cmd("COPY", a, b, "REPLACE");
                c.cmd("DEL", a, b);
                assertThat(used(demo)).as("round %d: everything given back", round).isEqualTo(empty);
            }
        }
    }

    @Test
    /** 200,000 entries, enough for the per-entry figures (a million took 115 s on a loaded CI machine). */
    void twoHundredThousandPendingEntriesAreCountedAndGiveTheirMemoryBack() throws Exception {
        int n = 200_000;
        try (TestServices demo = TestServices.start(1, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort())) {
            long empty = used(demo);
            List<String[]> adds = new java.util.ArrayList<>();
            for (int i = 1; i <= n; i++) {
                adds.add(new String[] {"XADD", "pel", i + "-0", "f", "v"});
                if (adds.size() == 10_000) {
                    pipeline(c, adds);
                    adds.clear();
                }
            }
            long entries = used(demo) - empty;
            c.cmd("XGROUP", "CREATE", "pel", "g", "0");
            for (int i = 0; i < 10; i++) {
                c.cmd("XREADGROUP", "GROUP", "g", "c" + i, "COUNT", Integer.toString(n / 10), "STREAMS", "pel", ">");
            }
            assertThat(((List<?>) c.cmd("XPENDING", "pel", "g")).get(0)).isEqualTo((long) n);
            long pending = used(demo) - empty - entries;
            System.out.printf("%d entries: %d bytes each; pending: %d bytes each%n", n, entries / n, pending / n);
            assertThat(pending / n).as("a pending entry's figure").isBetween(40L, 140L);
            c.cmd("XGROUP", "DESTROY", "pel", "g");
            assertThat(used(demo) - empty).isEqualTo(entries);
            c.cmd("DEL", "pel");
            assertThat(used(demo)).isEqualTo(empty);
        }
    }

    @Test
    void streamsAreEvictedLikeAnyKey() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withMemory(new MemorySettings(4 << 20, MaxmemoryPolicy.ALLKEYS_LRU, 5)));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            int refused = 0;
            for (int k = 0; k < 400; k++) {
                List<String[]> commands = new java.util.ArrayList<>();
                for (int i = 0; i < 100; i++) {
                    commands.add(new String[] {"XADD", "ev:" + k, "*", "f", "v".repeat(100)});
                }
                for (Object reply : pipeline(c, commands)) {
                    refused += reply instanceof Err ? 1 : 0;
                }
            }
            assertThat(refused).as("evicted instead of refused").isZero();
            long keys = (Long) c.cmd("DBSIZE");
            assertThat(keys).as("older streams evicted").isLessThan(400);
            assertThat((String) c.cmd("INFO", "stats")).containsPattern("evicted_keys:[1-9]");
        }
    }
}
