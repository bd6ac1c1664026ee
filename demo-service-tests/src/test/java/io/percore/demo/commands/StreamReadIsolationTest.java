package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.AofSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The isolation check of XREAD and XREADGROUP over streams on both shards: a writer adds entry
 * {@code i} to both streams in one MULTI/EXEC per step, while readers on each shard read both
 * streams from where they are, so most reads meet a write. A reply whose two streams end at
 * different IDs (or one has entries, the other none) saw one stream advanced without the other:
 * half of the writer's transaction. Counted, not timed: it runs until the writer made 300 steps and
 * every reader 300 replies with entries (or a torn one), whatever the machine's load.
 */
class StreamReadIsolationTest {

    private static final int STEPS = 300;
    private static final int READS = 300;

    /** How a reader asks: the command reading both streams past {@code after} (one ID for both). */
    private interface Reader {
        String[] command(String[] streams, String after);
    }

    @Test
    void xreadSeesEachWriteWholeOrNotAtAll() throws Exception {
        check((streams, after) -> new String[] {"XREAD", "STREAMS", streams[0], streams[1], after, after}, false);
    }

    @Test
    void theFirstTryOfXreadBlockSeesEachWriteWholeOrNotAtAll() throws Exception {
        // a reply that was waited for names one stream (the first served): only replies naming both are judged
        check((streams, after) -> new String[] {"XREAD", "BLOCK", "20", "STREAMS", streams[0], streams[1], after, after}, true);
    }

    @Test
    void xreadgroupSeesEachWriteWholeOrNotAtAll() throws Exception {
        // each reader its own consumer of one group: every reply is what the group delivered at one point
        check((streams, after) -> new String[] {"XREADGROUP", "GROUP", "g", "c-" + Thread.currentThread().getId(),
                "STREAMS", streams[0], streams[1], ">", ">"}, false);
    }

    /**
     * What XREADGROUP over streams on both shards changed (each group's pending entries and position)
     * reaches the append-only file as one MULTI ... EXEC, as every command across shards does.
     */
    @Test
    void xreadgroupAcrossShardsIsOneTransactionInTheAppendOnlyFile(@TempDir Path dir) throws Exception {
        PersistenceSettings aof = PersistenceSettings.in(dir).withAof(AofSettings.OFF.withEnabled(true).withFsync(AofSettings.Fsync.ALWAYS));
        Path incr = dir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(aof));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            String[] streams = {demo.keyOn(0, "aof:a-"), demo.keyOn(1, "aof:b-")};
            for (String s : streams) {
                c.cmd("XGROUP", "CREATE", s, "g", "$", "MKSTREAM");
                c.cmd("XADD", s, "1-1", "f", "v");
            }
            assertThat(idsByStream(c.cmd("XREADGROUP", "GROUP", "g", "c", "STREAMS", streams[0], streams[1], ">", ">"), streams))
                    .containsExactly(List.of("1-1"), List.of("1-1"));
            c.cmd("SET", "after", "x"); // a marker: the file holds the XREADGROUP whole once it holds this
            String text = "";
            for (int tries = 0; tries < 500 && !text.contains("$5\r\nafter\r\n"); tries++) {
                Thread.sleep(20);
                text = Files.readString(incr, StandardCharsets.ISO_8859_1);
            }
            int multi = text.lastIndexOf("*1\r\n$5\r\nMULTI\r\n");
            int exec = text.indexOf("*1\r\n$4\r\nEXEC\r\n", multi);
            assertThat(multi).as("a MULTI in " + text).isNotNegative();
            assertThat(exec).as("its EXEC").isGreaterThan(multi);
            String transaction = text.substring(multi, exec);
            String outside = text.substring(0, multi) + text.substring(exec);
            for (String s : streams) {
                assertThat(transaction).as("the transaction").contains("$6\r\nXCLAIM\r\n$" + s.length() + "\r\n" + s + "\r\n")
                        .contains("$5\r\nSETID\r\n");
            }
            assertThat(outside).as("outside the transaction").doesNotContain("XCLAIM");
        }
    }

    private static void check(Reader reader, boolean bothNamedOnly) throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests())) {
            String[] streams = {demo.keyOn(0, "iso:a-"), demo.keyOn(1, "iso:b-")};
            String[] reversed = {streams[1], streams[0]};
            try (RespTestClient admin = new RespTestClient(demo.respPort())) {
                for (String s : streams) {
                    admin.cmd("XGROUP", "CREATE", s, "g", "$", "MKSTREAM");
                }
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong steps = new AtomicLong();
            AtomicLong[] replies = {new AtomicLong(), new AtomicLong()};
            ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
            ExecutorService pool = Executors.newFixedThreadPool(3);
            try {
                Future<?> writer = pool.submit(() -> {
                    try (RespTestClient w = new RespTestClient(demo.respPort())) {
                        for (int i = 1; !stop.get(); i++) {
                            ByteArrayOutputStream step = new ByteArrayOutputStream();
                            step.writeBytes(RespTestClient.encode("MULTI"));
                            step.writeBytes(RespTestClient.encode("XADD", streams[0], i + "-1", "f", "v"));
                            step.writeBytes(RespTestClient.encode("XADD", streams[1], i + "-1", "f", "v"));
                            step.writeBytes(RespTestClient.encode("EXEC"));
                            w.send(step.toByteArray());
                            w.read();
                            w.read();
                            w.read();
                            assertThat(w.read()).isEqualTo(List.of(i + "-1", i + "-1"));
                            steps.incrementAndGet();
                        }
                    }
                    return null;
                });
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < 2; r++) {
                    int shard = r;
                    readers.add(pool.submit(() -> {
                        try (RespTestClient rd = demo.clientOn(shard)) {
                            String after = "0-0";
                            for (long n = 0; !stop.get(); n++) {
                                // both orders: streams are visited in the order they are named, and a visit of
                                // the higher shard first is what an unheld read can see half of a transaction by
                                Object reply = rd.cmd(reader.command(n % 2 == 0 ? streams : reversed, after));
                                List<List<String>> ids = idsByStream(reply, streams);
                                boolean bothNamed = !ids.get(0).isEmpty() && !ids.get(1).isEmpty();
                                if (ids.get(0).isEmpty() && ids.get(1).isEmpty() || bothNamedOnly && !bothNamed) {
                                    continue;
                                }
                                String lastA = last(ids.get(0));
                                String lastB = last(ids.get(1));
                                if (!lastA.equals(lastB)) {
                                    torn.add(List.of(reply) + "");
                                }
                                replies[shard].incrementAndGet();
                                // both from the earlier of the two: after a torn read the next is judged on its own
                                after = olderOf(lastA, lastB);
                            }
                        }
                        return null;
                    }));
                }
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (System.nanoTime() < deadline && torn.isEmpty()
                        && (steps.get() < STEPS || replies[0].get() < READS || replies[1].get() < READS)) {
                    Thread.sleep(20);
                }
                stop.set(true);
                writer.get(30, TimeUnit.SECONDS);
                for (Future<?> f : readers) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            long judged = replies[0].get() + replies[1].get();
            assertThat(torn.size()).as("replies that saw half of a write, of " + judged + " (the first: " + torn.peek() + ")").isZero();
            assertThat(steps.get()).as("writer's steps").isGreaterThanOrEqualTo(STEPS);
            assertThat(replies[0].get()).as("replies with entries, reader on shard 0").isGreaterThanOrEqualTo(READS);
            assertThat(replies[1].get()).as("replies with entries, reader on shard 1").isGreaterThanOrEqualTo(READS);
        }
    }

    /** The IDs a reply gives for each of {@code streams} (none for a stream it does not name). */
    private static List<List<String>> idsByStream(Object reply, String[] streams) {
        List<List<String>> out = List.of(new ArrayList<>(), new ArrayList<>());
        if (reply instanceof List<?> perStream) {
            for (Object o : perStream) {
                List<?> pair = (List<?>) o;
                int k = pair.get(0).equals(streams[0]) ? 0 : 1;
                for (Object entry : (List<?>) pair.get(1)) {
                    out.get(k).add((String) ((List<?>) entry).get(0));
                }
            }
        }
        return out;
    }

    private static String last(List<String> ids) {
        return ids.isEmpty() ? "0-0" : ids.get(ids.size() - 1);
    }

    private static String olderOf(String a, String b) {
        return Long.parseLong(a.substring(0, a.indexOf('-'))) <= Long.parseLong(b.substring(0, b.indexOf('-'))) ? a : b;
    }
}
