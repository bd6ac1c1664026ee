package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.RespTestClient.Null3;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 30: XREAD BLOCK and XREADGROUP BLOCK on a two-shard demo, over the wire, through the shared
 * blocking machinery: streams and clients on both shards, every XREAD waiter reading a new entry and
 * group consumers served one entry each in the order they blocked, the timeout's null array, the
 * errors a waiting XREADGROUP gets when its stream is deleted, replaced, flushed, expired or loses its
 * group (counted as a failed call, as in Redis), XREAD inside MULTI, CLIENT UNBLOCK, a client that
 * disconnects, and the 1,000-entry cap of a blocked read without COUNT.
 */
class StreamBlockingTest {

    private static TestServices demo;
    private final List<RespTestClient> opened = new ArrayList<>();

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @AfterEach
    void closeClients() throws IOException {
        for (RespTestClient c : opened) {
            c.close();
        }
        opened.clear();
        eventually("no client left blocked", () -> blockedClients() == 0);
        eventually("no key left waited on", () -> waitedKeys() == 0);
    }

    @Test
    void everyXreadWaiterReadsTheNewEntryOfItsStreamWhereverTheyLive() throws IOException {
        String s0 = demo.keyOn(0, "sb:x0-");
        String s1 = demo.keyOn(1, "sb:x1-");
        RespTestClient admin = client();
        admin.cmd("DEL", s0, s1);
        admin.cmd("XADD", s0, "1-0", "old", "a");
        List<RespTestClient> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RespTestClient r = client(i % 2);
            r.send(RespTestClient.encode("XREAD", "BLOCK", "0", "STREAMS", s0, s1, "$", "$"));
            int n = i + 1;
            eventually(n + " readers blocked", () -> blockedClients() == n);
            readers.add(r);
        }
        assertThat(admin.cmd("XADD", s1, "5-0", "new", "b")).isEqualTo("5-0");
        for (RespTestClient r : readers) {
            assertThat(r.read()).isEqualTo(List.of(List.of(s1, List.of(List.of("5-0", List.of("new", "b"))))));
        }
        // an ID below the stream's last: data at once, from both shards, in argument order
        admin.cmd("XADD", s0, "2-0", "more", "c");
        assertThat(readers.get(0).cmd("XREAD", "BLOCK", "0", "STREAMS", s1, s0, "0", "1-0")).isEqualTo(List.of(
                List.of(s1, List.of(List.of("5-0", List.of("new", "b")))),
                List.of(s0, List.of(List.of("2-0", List.of("more", "c"))))));
    }

    @Test
    void groupConsumersAreServedOneEntryEachInTheOrderTheyBlocked() throws IOException {
        String key = demo.keyOn(1, "sb:g-");
        RespTestClient admin = client();
        admin.cmd("DEL", key);
        admin.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
        List<RespTestClient> consumers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RespTestClient c = client(i % 2);
            c.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "c" + i, "BLOCK", "0", "STREAMS", key, ">"));
            int n = i + 1;
            eventually(n + " consumers blocked", () -> blockedClients() == n);
            consumers.add(c);
        }
        for (int i = 0; i < 4; i++) {
            admin.cmd("XADD", key, (i + 1) + "-0", "n", Integer.toString(i));
            assertThat(consumers.get(i).read()).isEqualTo(List.of(List.of(key, List.of(List.of((i + 1) + "-0", List.of("n", Integer.toString(i)))))));
        }
        assertThat(admin.cmd("XPENDING", key, "g")).isEqualTo(List.of(4L, "1-0", "4-0",
                List.of(List.of("c0", "1"), List.of("c1", "1"), List.of("c2", "1"), List.of("c3", "1"))));
        // NOACK: delivered, nothing pending
        RespTestClient c = consumers.get(0);
        c.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "c0", "NOACK", "BLOCK", "0", "STREAMS", key, ">"));
        eventually("blocked with NOACK", () -> blockedClients() == 1);
        admin.cmd("XADD", key, "9-0", "n", "9");
        assertThat(c.read()).isEqualTo(List.of(List.of(key, List.of(List.of("9-0", List.of("n", "9"))))));
        assertThat(((List<?>) admin.cmd("XPENDING", key, "g")).get(0)).isEqualTo(4L);
        assertThat(((List<?>) admin.cmd("XINFO", "GROUPS", key)).get(0)).asString().contains("9-0");
    }

    @Test
    void aTimeoutAnswersANullArray() throws IOException {
        String key = demo.keyOn(0, "sb:t-");
        RespTestClient c = client();
        c.cmd("DEL", key);
        long start = System.nanoTime();
        c.send(RespTestClient.encode("XREAD", "BLOCK", "100", "STREAMS", key, "$"));
        assertThat(c.readRawLine()).isEqualTo("*-1");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(95L, 5000L);
        c.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
        c.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "a", "BLOCK", "20", "STREAMS", key, ">"));
        assertThat(c.readRawLine()).isEqualTo("*-1");
        c.cmd("HELLO", "3");
        assertThat(c.cmd("XREAD", "BLOCK", "10", "STREAMS", key, "$")).isEqualTo(new Null3());
        assertThat(c.cmd("XREAD", "BLOCK", "-1", "STREAMS", key, "$")).isEqualTo(new Err("ERR timeout is negative"));
        assertThat(c.cmd("XREAD", "BLOCK", "0.5", "STREAMS", key, "$")).isEqualTo(new Err("ERR timeout is not an integer or out of range"));
    }

    @Test
    void aWaitingGroupReadFailsWhenItsStreamOrGroupGoes() throws IOException {
        RespTestClient admin = client();
        String key = demo.keyOn(0, "sb:gone-");
        String[][] endings = {{"DEL", key}, {"SET", key, "x"}, {"FLUSHALL"}, {"PEXPIRE", key, "30"}};
        for (String[] ending : endings) {
            admin.cmd("DEL", key);
            admin.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
            RespTestClient c = client(1);
            c.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", key, ">"));
            eventually("blocked before " + ending[0], () -> blockedClients() == 1);
            admin.cmd(ending);
            assertThat(c.read()).as("after %s", ending[0]).isEqualTo(new Err("UNBLOCKED the stream key no longer exists"));
        }
        // a transaction that deletes the stream and makes a set of it
        admin.cmd("DEL", key);
        admin.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
        RespTestClient c = client(0);
        c.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", key, ">"));
        eventually("blocked before MULTI", () -> blockedClients() == 1);
        admin.cmd("MULTI");
        admin.cmd("DEL", key);
        admin.cmd("SADD", key, "e");
        admin.cmd("EXEC");
        assertThat(c.read()).isEqualTo(new Err("UNBLOCKED the stream key no longer exists"));
        // the group destroyed: NOGROUP, counted as a failed call and an error of its code
        admin.cmd("DEL", key);
        admin.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
        admin.cmd("CONFIG", "RESETSTAT");
        c.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", key, ">"));
        eventually("blocked before DESTROY", () -> blockedClients() == 1);
        admin.cmd("XGROUP", "DESTROY", key, "g");
        assertThat(c.read()).isEqualTo(new Err("NOGROUP the consumer group this client was blocked on no longer exists"));
        assertThat((String) admin.cmd("INFO", "errorstats")).contains("errorstat_NOGROUP:count=1");
        assertThat((String) admin.cmd("INFO", "commandstats")).containsPattern("cmdstat_xreadgroup:calls=1,[^\\r]*,rejected_calls=0,failed_calls=1");
        // XREAD waits on: a deleted or replaced stream wakes it only once it is a stream with news again
        RespTestClient reader = client(1);
        reader.send(RespTestClient.encode("XREAD", "BLOCK", "0", "STREAMS", key, "$"));
        eventually("XREAD blocked", () -> blockedClients() == 1);
        admin.cmd("SET", key, "x");
        admin.cmd("DEL", key);
        admin.cmd("XADD", key, "7-0", "f", "v");
        assertThat(reader.read()).isEqualTo(List.of(List.of(key, List.of(List.of("7-0", List.of("f", "v"))))));
    }

    @Test
    void insideMultiNothingBlocksAndAClientCanBeUnblocked() throws IOException {
        String key = demo.keyOn(1, "sb:m-");
        RespTestClient c = client();
        c.cmd("DEL", key);
        c.cmd("MULTI");
        c.cmd("XREAD", "BLOCK", "0", "STREAMS", key, "$");
        c.cmd("XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", key, ">");
        List<?> replies = (List<?>) c.cmd("EXEC");
        assertThat(replies.get(0)).isNull();
        assertThat(replies.get(1)).isEqualTo(new Err("NOGROUP No such key '" + key + "' or consumer group 'g' in XREADGROUP with GROUP option"));

        RespTestClient blocked = client(0);
        long id = (Long) blocked.cmd("CLIENT", "ID");
        blocked.send(RespTestClient.encode("XREAD", "BLOCK", "0", "STREAMS", key, "$"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(c.cmd("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
        assertThat(blocked.readRawLine()).isEqualTo("*-1");
        blocked.send(RespTestClient.encode("XREAD", "BLOCK", "0", "STREAMS", key, "$"));
        eventually("blocked again", () -> blockedClients() == 1);
        assertThat(c.cmd("CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(1L);
        assertThat(blocked.read()).isEqualTo(new Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
    }

    @Test
    void aClientThatGoesAwayTakesNothingWithIt() throws IOException {
        String key = demo.keyOn(0, "sb:away-");
        RespTestClient admin = client();
        admin.cmd("DEL", key);
        admin.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
        RespTestClient gone = new RespTestClient(demo.respPort());
        gone.send(RespTestClient.encode("XREADGROUP", "GROUP", "g", "gone", "BLOCK", "0", "STREAMS", key, ">"));
        eventually("blocked", () -> blockedClients() == 1);
        gone.close();
        eventually("its waiter withdrawn", () -> waitedKeys() == 0);
        admin.cmd("XADD", key, "1-0", "f", "v");
        assertThat(admin.cmd("XREADGROUP", "GROUP", "g", "next", "STREAMS", key, ">"))
                .isEqualTo(List.of(List.of(key, List.of(List.of("1-0", List.of("f", "v"))))));
    }

    @Test
    void aBlockedReadWithoutCountGetsAtMostAThousandEntries() throws IOException {
        String key = demo.keyOn(1, "sb:many-");
        RespTestClient admin = client();
        admin.cmd("DEL", key);
        admin.cmd("XADD", key, "1-0", "f", "v");
        RespTestClient reader = client(0);
        reader.send(RespTestClient.encode("XREAD", "BLOCK", "0", "STREAMS", key, "1-0"));
        eventually("blocked", () -> blockedClients() == 1);
        admin.cmd("MULTI");
        for (int i = 2; i <= 1200; i++) {
            admin.cmd("XADD", key, i + "-0", "f", "v");
        }
        admin.cmd("EXEC");
        List<?> reply = (List<?>) reader.read();
        List<?> entries = (List<?>) ((List<?>) reply.get(0)).get(1);
        assertThat(entries).hasSize(1000);
        assertThat(((List<?>) entries.get(0)).get(0)).isEqualTo("2-0");
    }

    /**
     * Without BLOCK a read of another shard's stream is one step, as a single-key command's: a
     * pipeline of writes, reads and acknowledgements of that stream is answered in order, each
     * seeing the commands before it (no barrier holds the connection's later commands).
     */
    @Test
    void aPipelineOfReadsOfAnotherShardsStreamKeepsItsOrder() throws IOException {
        String key = demo.keyOn(1, "sb:pipe-");
        RespTestClient c = client(0);
        c.cmd("DEL", key);
        c.cmd("XGROUP", "CREATE", key, "g", "$", "MKSTREAM");
        int n = 300;
        java.io.ByteArrayOutputStream pipeline = new java.io.ByteArrayOutputStream();
        for (int i = 1; i <= n; i++) {
            pipeline.writeBytes(RespTestClient.encode("XADD", key, i + "-0", "f", "v" + i));
            pipeline.writeBytes(RespTestClient.encode("XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", key, ">"));
            pipeline.writeBytes(RespTestClient.encode("XREAD", "COUNT", "5", "STREAMS", key, (i - 1) + "-0"));
            pipeline.writeBytes(RespTestClient.encode("XACK", key, "g", i + "-0"));
        }
        c.send(pipeline.toByteArray());
        for (int i = 1; i <= n; i++) {
            List<Object> entry = List.of(List.of(key, List.of(List.of(i + "-0", List.of("f", "v" + i)))));
            assertThat(c.read()).isEqualTo(i + "-0");
            assertThat(c.read()).as("XREADGROUP %d", i).isEqualTo(entry);
            assertThat(c.read()).as("XREAD %d", i).isEqualTo(entry);
            assertThat(c.read()).as("XACK %d", i).isEqualTo(1L);
        }
        assertThat(((List<?>) c.cmd("XPENDING", key, "g")).get(0)).isEqualTo(0L);
    }

    // ------------------------------------------------------------------ helpers

    private RespTestClient client() throws IOException {
        RespTestClient c = new RespTestClient(demo.respPort());
        opened.add(c);
        return c;
    }

    /** A connection living on {@code shard} (the kernel spreads them: others are closed). */
    private RespTestClient client(int shard) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            RespTestClient c = new RespTestClient(demo.respPort());
            if (((String) c.cmd("CLIENT", "INFO")).matches("(?s).* shard=" + shard + "\\s.*")) {
                opened.add(c);
                return c;
            }
            c.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    static long blockedClients() {
        return demo.service.keyspace().snapshots().stream().mapToLong(s -> s.blockedClients()).sum();
    }

    private static long waitedKeys() {
        return demo.service.keyspace().snapshots().stream().mapToLong(s -> s.waitedKeys()).sum();
    }

    private static void eventually(String what, BooleanSupplier condition) {
        // a deadline only a hang meets: sending and blocking on 100,000 keys took more than 10 s at load 15
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
