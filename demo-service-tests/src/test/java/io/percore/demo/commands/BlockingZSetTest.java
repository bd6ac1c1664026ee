package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.ZPopArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Double3;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import io.percore.demo.server.RespSettings;

/**
 * Issue 13: BZPOPMIN, BZPOPMAX and BZMPOP on a two-shard demo, over the wire: timeouts, service in
 * block order, keys and clients on different shards, every write that creates a sorted set waking
 * its waiters (ZADD, ZINCRBY, the STORE commands, RENAME, COPY, RESTORE, a transaction), clients
 * that go away, WRONGTYPE, waiters of lists and sorted sets on one key, CLIENT UNBLOCK, the reply
 * shapes in RESP2 and RESP3, and Lettuce and Jedis.
 */
class BlockingZSetTest {

    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

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
        eventually("no client left blocked", () -> blockedClients() == 0 && waitedKeys() == 0);
    }

    // ------------------------------------------------------------------ timeouts and reply shapes

    @Test
    void aTimeoutAnswersANullArrayAfterItsTime() throws IOException {
        String key = demo.keyOn(1, "bz:empty");
        RespTestClient c = client();
        for (String[] command : new String[][] {{"BZPOPMIN", key, "0.2"}, {"BZPOPMAX", key, demo.keyOn(0, "bz:empty"), "0.2"},
                {"BZMPOP", "0.2", "1", key, "MIN", "COUNT", "3"}}) {
            long start = System.nanoTime();
            c.send(RespTestClient.encode(command));
            assertThat(c.readRawLine()).as(command[0]).isEqualTo("*-1");
            assertThat(elapsedMillis(start)).as(command[0]).isBetween(195L, 3000L);
        }
        c.cmd("HELLO", "3");
        c.send(RespTestClient.encode("BZPOPMIN", key, "0.01"));
        assertThat(c.readRawLine()).isEqualTo("_");
        c.send(RespTestClient.encode("BZMPOP", "0.01", "1", key, "MAX"));
        assertThat(c.readRawLine()).isEqualTo("_");
        assertThat(c.cmd("EXISTS", key)).isEqualTo(0L);
    }

    @Test
    void repliesHaveRedisesShapesInBothProtocols() throws IOException {
        String z = demo.keyOn(0, "bz:shape");
        RespTestClient c = client();
        c.cmd("ZADD", z, "1.5", "a", "2", "b", "3", "c", "4", "d");
        assertThat(c.cmd("BZPOPMIN", z, "0")).isEqualTo(List.of(z, "a", "1.5"));
        assertThat(c.cmd("BZMPOP", "0", "1", z, "MAX", "COUNT", "2")).isEqualTo(List.of(z, List.of(List.of("d", "4"), List.of("c", "3"))));
        c.cmd("HELLO", "3");
        c.cmd("ZADD", z, "0.1", "x");
        assertThat(c.cmd("BZPOPMAX", z, "0")).isEqualTo(List.of(z, "b", new Double3("2")));
        assertThat(c.cmd("BZMPOP", "0", "1", z, "MIN")).isEqualTo(List.of(z, List.of(List.of("x", new Double3("0.10000000000000001")))));
        assertThat(c.cmd("EXISTS", z)).isEqualTo(0L);
    }

    // ------------------------------------------------------------------ order and shards

    @Test
    void clientsAreServedInTheOrderTheyBlocked() throws IOException {
        String key = demo.keyOn(1, "bz:fifo");
        List<RespTestClient> waiters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            RespTestClient w = client(i % 2); // homes on both shards
            w.send(RespTestClient.encode(i % 3 == 2 ? new String[] {"BZMPOP", "0", "1", key, "MIN"} : new String[] {"BZPOPMIN", key, "0"}));
            int expected = i + 1;
            eventually("client " + i + " blocked", () -> blockedClients() == expected);
            waiters.add(w);
        }
        RespTestClient writer = client();
        assertThat(writer.cmd("ZADD", key, "3", "c", "1", "a", "2", "b")).as("the count before the waiters took any").isEqualTo(3L);
        assertThat(waiters.get(0).read()).isEqualTo(List.of(key, "a", "1"));
        assertThat(waiters.get(1).read()).isEqualTo(List.of(key, "b", "2"));
        assertThat(waiters.get(2).read()).isEqualTo(List.of(key, List.of(List.of("c", "3"))));
        for (int i = 3; i < 6; i++) {
            assertThat(writer.cmd("ZADD", key, Integer.toString(i), "m" + i)).isEqualTo(1L);
            Object expected = i % 3 == 2 ? List.of(key, List.of(List.of("m" + i, Integer.toString(i)))) : List.of(key, "m" + i, Integer.toString(i));
            assertThat(waiters.get(i).read()).isEqualTo(expected);
        }
        assertThat(writer.cmd("EXISTS", key)).isEqualTo(0L);
    }

    /** As Redis serves blocked clients right after the command that wrote, the writer's next command sees them served. */
    @Test
    void theWritersNextCommandSeesTheWaitersServed() throws IOException {
        for (int writerShard = 0; writerShard < 2; writerShard++) {
            for (int waiterShard = 0; waiterShard < 2; waiterShard++) {
                String key = demo.keyOn(writerShard, "bz:next" + writerShard + waiterShard + "-");
                RespTestClient waiter = client(waiterShard);
                waiter.send(RespTestClient.encode("BZPOPMAX", key, "0"));
                eventually("blocked", () -> blockedClients() == 1);
                RespTestClient writer = client(writerShard);
                writer.send(concat(RespTestClient.encode("ZADD", key, "1", "a", "2", "b"), RespTestClient.encode("ZRANGE", key, "0", "-1")));
                assertThat(writer.read()).isEqualTo(2L);
                assertThat(writer.read()).as("writer on shard " + writerShard + ", waiter on " + waiterShard).isEqualTo(List.of("a"));
                assertThat(waiter.read()).isEqualTo(List.of(key, "b", "2"));
            }
        }
    }

    @Test
    void theFirstKeyInArgumentOrderWithDataIsServedWhateverItsShard() throws IOException {
        String a = demo.keyOn(0, "bz:order-a");
        String b = demo.keyOn(1, "bz:order-b");
        String c = demo.keyOn(0, "bz:order-c");
        String s = demo.keyOn(1, "bz:order-s");
        RespTestClient client = client();
        client.cmd("ZADD", c, "1", "c1", "2", "c2", "3", "c3");
        client.cmd("ZADD", b, "5", "b1");
        assertThat(client.cmd("BZPOPMIN", a, b, c, "0")).isEqualTo(List.of(b, "b1", "5"));
        assertThat(client.cmd("BZPOPMAX", a, b, c, "0")).isEqualTo(List.of(c, "c3", "3"));
        client.cmd("SET", s, "x");
        assertThat(client.cmd("BZPOPMIN", a, s, c, "0")).as("a key of another type before the data").isEqualTo(new Err(WRONGTYPE));
        assertThat(client.cmd("BZPOPMIN", a, c, s, "0")).as("the data before the key of another type").isEqualTo(List.of(c, "c1", "1"));
        assertThat(client.cmd("ZMPOP", "3", a, s, c, "MIN")).isEqualTo(new Err(WRONGTYPE));
        assertThat(client.cmd("BZMPOP", "0", "4", a, b, c, s, "MIN", "COUNT", "10")).isEqualTo(List.of(c, List.of(List.of("c2", "2"))));
        assertThat(client.cmd("ZMPOP", "2", a, b, "MAX")).isNull();
        assertThat(waitedKeys()).isZero();

        // blocked on keys of both shards, woken by the one that gets data; its other waiters are withdrawn
        client.send(RespTestClient.encode("BZMPOP", "0", "4", a, b, c, a, "MAX", "COUNT", "2"));
        eventually("blocked", () -> blockedClients() == 1);
        client().cmd("ZADD", b, "1", "x", "2", "y", "3", "z");
        assertThat(client.read()).isEqualTo(List.of(b, List.of(List.of("z", "3"), List.of("y", "2"))));
        assertThat(waitedKeys()).as("its waiters on the other keys are withdrawn").isZero();
        assertThat(client.cmd("ZRANGE", b, "0", "-1")).isEqualTo(List.of("x"));
    }

    @Test
    void aWriteFromAnotherConnectionOnAnyShardWakesTheClient() throws IOException {
        for (int home = 0; home < 2; home++) {
            for (int keyShard = 0; keyShard < 2; keyShard++) {
                for (int writerShard = 0; writerShard < 2; writerShard++) {
                    String key = demo.keyOn(keyShard, "bz:wake" + home + writerShard + "-");
                    RespTestClient waiter = client(home);
                    waiter.send(RespTestClient.encode("BZPOPMIN", key, "0"));
                    eventually("blocked", () -> blockedClients() == 1);
                    assertThat(client(writerShard).cmd("ZINCRBY", key, "7", "m")).isEqualTo("7");
                    assertThat(waiter.read()).isEqualTo(List.of(key, "m", "7"));
                    assertThat(client(writerShard).cmd("EXISTS", key)).isEqualTo(0L);
                }
            }
        }
    }

    /**
     * Redis's signalKeyAsReady: every write that creates a sorted set wakes its waiters, whatever
     * shard the write's other keys live on: ZADD (INCR too), ZINCRBY, ZUNIONSTORE, ZINTERSTORE,
     * ZDIFFSTORE, ZRANGESTORE, RENAME and RENAMENX, COPY, RESTORE, and a transaction's ZADD.
     */
    @Test
    void everyWriteThatCreatesASortedSetWakesTheClient() throws IOException {
        for (int waitedShard = 0; waitedShard < 2; waitedShard++) {
            String waited = demo.keyOn(waitedShard, "bz:into" + waitedShard + "-");
            String other = demo.keyOn(1 - waitedShard, "bz:from" + waitedShard + "-");
            String local = demo.keyOn(waitedShard, "bz:local" + waitedShard + "-");
            RespTestClient c = client(0);
            RespTestClient writer = client(1);
            String[][] writes = {
                    {"ZADD", waited, "INCR", "4", "m"},
                    {"ZUNIONSTORE", waited, "2", other, local, "AGGREGATE", "MIN"},
                    {"ZINTERSTORE", waited, "1", other},
                    {"ZDIFFSTORE", waited, "2", other, demo.keyOn(1 - waitedShard, "bz:none")},
                    {"ZRANGESTORE", waited, other, "0", "0"},
                    {"RENAME", other, waited},
                    {"RENAMENX", local, waited},
                    {"COPY", other, waited},
                    {"COPY", local, waited},
            };
            for (String[] write : writes) {
                writer.cmd("DEL", other, local, waited);
                writer.cmd("ZADD", other, "4", "m", "5", "n");
                writer.cmd("ZADD", local, "4", "m", "5", "n");
                c.send(RespTestClient.encode("BZPOPMIN", waited, "0"));
                eventually("blocked", () -> blockedClients() == 1);
                assertThat(writer.cmd(write)).as(String.join(" ", write)).isNotInstanceOf(Err.class);
                assertThat(c.read()).as(String.join(" ", write)).isEqualTo(List.of(waited, "m", "4"));
            }
            // RESTORE of a sorted set DUMPed from another key
            writer.cmd("DEL", waited);
            RespTestClient binary = client().binary();
            String payload = (String) binary.cmd("DUMP", other);
            c.send(RespTestClient.encode("BZPOPMAX", waited, "0"));
            eventually("blocked", () -> blockedClients() == 1);
            assertThat(binary.cmd("RESTORE", waited, "0", payload)).isEqualTo("OK");
            assertThat(c.read()).isEqualTo(List.of(waited, "n", "5"));
            // a transaction's ZADD wakes it when EXEC is over
            RespTestClient txn = client();
            writer.cmd("DEL", waited);
            c.send(RespTestClient.encode("BZMPOP", "0", "1", waited, "MAX", "COUNT", "5"));
            eventually("blocked", () -> blockedClients() == 1);
            txn.cmd("MULTI");
            txn.cmd("ZADD", waited, "1", "x");
            txn.cmd("ZADD", waited, "2", "y");
            assertThat(txn.cmd("EXEC")).isEqualTo(List.of(1L, 1L));
            assertThat(c.read()).isEqualTo(List.of(waited, List.of(List.of("y", "2"), List.of("x", "1"))));
        }
    }

    // ------------------------------------------------------------------ clients that go, types that differ

    @Test
    void aClientThatDisconnectsWhileBlockedIsForgotten() throws IOException {
        String key = demo.keyOn(1, "bz:gone");
        RespTestClient c = client(0);
        c.send(RespTestClient.encode("BZPOPMIN", key, demo.keyOn(0, "bz:gone"), "0"));
        eventually("blocked", () -> blockedClients() == 1);
        c.close();
        eventually("forgotten", () -> blockedClients() == 0 && waitedKeys() == 0);
        RespTestClient other = client();
        other.cmd("ZADD", key, "1", "kept");
        assertThat(other.cmd("ZRANGE", key, "0", "-1")).isEqualTo(List.of("kept"));
    }

    @Test
    void wrongTypeAtTheTimeOfTheCall() throws IOException {
        String list = demo.keyOn(1, "bz:list");
        String empty = demo.keyOn(0, "bz:none");
        RespTestClient c = client();
        c.cmd("RPUSH", list, "v");
        assertThat(c.cmd("BZPOPMIN", list, "0")).isEqualTo(new Err(WRONGTYPE));
        assertThat(c.cmd("BZPOPMAX", empty, list, "0")).as("a key before it is empty").isEqualTo(new Err(WRONGTYPE));
        assertThat(c.cmd("BZMPOP", "0", "2", empty, list, "MIN")).isEqualTo(new Err(WRONGTYPE));
        assertThat(waitedKeys()).as("a refused command leaves no waiter").isZero();
    }

    /**
     * A key that becomes a list while a sorted-set pop waits on it does not wake it (Redis 7.0: it
     * stays blocked); a list pop and a sorted-set pop waiting on the same key are each served by
     * their own type.
     */
    @Test
    void waitersOfListsAndSortedSetsOnOneKeyAreServedByTheirOwnType() throws IOException {
        String key = demo.keyOn(0, "bz:mixed");
        RespTestClient zsetWaiter = client(1);
        RespTestClient listWaiter = client(0);
        zsetWaiter.send(RespTestClient.encode("BZPOPMIN", key, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        listWaiter.send(RespTestClient.encode("BLPOP", key, "0"));
        eventually("blocked", () -> blockedClients() == 2);
        RespTestClient writer = client();
        assertThat(writer.cmd("RPUSH", key, "e1", "e2")).isEqualTo(2L);
        assertThat(listWaiter.read()).isEqualTo(List.of(key, "e1"));
        assertThat(blockedClients()).as("the sorted-set pop still waits").isEqualTo(1L);
        assertThat(writer.cmd("LRANGE", key, "0", "-1")).isEqualTo(List.of("e2"));
        writer.cmd("DEL", key);
        writer.cmd("ZADD", key, "9", "z");
        assertThat(zsetWaiter.read()).isEqualTo(List.of(key, "z", "9"));
    }

    @Test
    void clientUnblockEndsTheWaitAsATimeoutOrAnError() throws IOException {
        String key = demo.keyOn(1, "bz:unblock");
        RespTestClient c = client(0);
        long id = (Long) c.cmd("CLIENT", "ID");
        RespTestClient admin = client(1);
        c.send(RespTestClient.encode("BZPOPMAX", key, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(admin.cmd("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
        assertThat(c.readRawLine()).isEqualTo("*-1");
        c.send(RespTestClient.encode("BZMPOP", "0", "1", key, "MIN"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(admin.cmd("CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(1L);
        assertThat(c.read()).isEqualTo(new Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
        admin.cmd("ZADD", key, "1", "still-works");
        assertThat(c.cmd("BZPOPMIN", key, "0")).isEqualTo(List.of(key, "still-works", "1"));
    }

    @Test
    void aBlockedClientsLaterCommandsWaitForIt() throws IOException {
        String key = demo.keyOn(0, "bz:pipe");
        RespTestClient c = client(1);
        c.send(concat(RespTestClient.encode("BZPOPMIN", key, "0"), RespTestClient.encode("ZCARD", key),
                RespTestClient.encode("BZPOPMIN", key, "0.05")));
        eventually("blocked", () -> blockedClients() == 1);
        client(0).cmd("ZADD", key, "1", "one", "2", "two");
        assertThat(c.read()).isEqualTo(List.of(key, "one", "1"));
        assertThat(c.read()).isEqualTo(1L);
        assertThat(c.read()).isEqualTo(List.of(key, "two", "2"));
    }

    // ------------------------------------------------------------------ the largest input

    /** A BZPOPMIN on 100,000 keys alternating between the shards: one step per shard, every waiter withdrawn after. */
    @Test
    void aHundredThousandKeysAcrossShardsWaitAndAreWithdrawn() throws IOException {
        int n = 100_000;
        String[] argv = new String[n + 2];
        argv[0] = "BZPOPMIN";
        String last = null;
        for (int i = 0; i < n; i++) {
            argv[i + 1] = last = demo.keyOn(i % 2, "bz:many" + i + "-");
        }
        argv[n + 1] = "0";
        RespTestClient c = client();
        long cpu = CpuClock.shardMillis(client());
        c.send(RespTestClient.encode(argv));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(CpuClock.shardMillis(client()) - cpu).as("shard CPU ms").isLessThan(5_000L);
        assertThat(waitedKeys()).isEqualTo(n);
        client().cmd("ZADD", last, "1", "at-last");
        assertThat(c.read()).isEqualTo(List.of(last, "at-last", "1"));
        eventually("withdrawn", () -> waitedKeys() == 0);
    }

    /**
     * The keys one blocking command may wait on are bounded by its argument count, the decoder's
     * max-array-length: at the limit it blocks on them all, one argument more is a protocol error.
     */
    @Test
    void theKeysOneCommandWaitsOnAreBoundedByTheArgumentCount() throws IOException {
        int limit = 1000;
        RespSettings resp = new RespSettings(limit, RespSettings.defaults().maxInlineLength());
        try (TestServices own = TestServices.start(2, DemoSettings.forTests().withResp(resp));
             RespTestClient c = new RespTestClient(own.respPort()); RespTestClient other = new RespTestClient(own.respPort())) {
            String[] argv = new String[limit];
            argv[0] = "BZPOPMIN";
            for (int i = 1; i < limit - 1; i++) {
                argv[i] = "bz:bound" + i;
            }
            argv[limit - 1] = "0";
            c.send(RespTestClient.encode(argv));
            BooleanSupplier allWaited = () -> own.service.keyspace().snapshots().stream().mapToLong(s -> s.waitedKeys()).sum() == limit - 2;
            eventually("blocked on " + (limit - 2) + " keys", allWaited);
            other.cmd("ZADD", argv[limit - 2], "1", "m");
            assertThat(c.read()).isEqualTo(List.of(argv[limit - 2], "m", "1"));
            String[] tooMany = java.util.Arrays.copyOf(argv, limit + 1);
            tooMany[limit - 1] = "bz:one-more";
            tooMany[limit] = "0";
            assertThat(c.cmd(tooMany)).isEqualTo(new Err("ERR Protocol error: invalid multibulk length"));
        }
    }

    // ------------------------------------------------------------------ clients

    @Test
    void lettuceAndJedisBlockAndWakeEachOther() throws Exception {
        String key = demo.keyOn(1, "bz:lib");
        String other = demo.keyOn(0, "bz:lib-other");
        RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", demo.respPort()));
        try (StatefulRedisConnection<String, String> conn = lettuce.connect(); Jedis jedis = new Jedis("127.0.0.1", demo.respPort())) {
            RedisAsyncCommands<String, String> async = conn.async();
            var popped = async.bzpopmin(0, key, other);
            eventually("lettuce blocked", () -> blockedClients() == 1);
            jedis.zadd(key, 2.5, "from-jedis");
            KeyValue<String, ScoredValue<String>> kv = popped.get(30, TimeUnit.SECONDS);
            assertThat(kv.getKey()).isEqualTo(key);
            assertThat(kv.getValue().getValue()).isEqualTo("from-jedis");
            assertThat(kv.getValue().getScore()).isEqualTo(2.5);

            var many = async.bzmpop(0L, 2L, ZPopArgs.Builder.max(), other, key);
            eventually("lettuce blocked", () -> blockedClients() == 1);
            jedis.zadd(other, java.util.Map.of("a", 1.0, "b", 2.0, "c", 3.0));
            KeyValue<String, List<ScoredValue<String>>> got = many.get(30, TimeUnit.SECONDS);
            assertThat(got.getKey()).isEqualTo(other);
            assertThat(got.getValue()).extracting(ScoredValue::getValue).containsExactly("c", "b");

            assertThat(jedis.bzpopmax(0.05, key)).isNull();
            redis.clients.jedis.util.KeyValue<String, redis.clients.jedis.resps.Tuple> jedisPop = jedis.bzpopmin(1, other);
            assertThat(jedisPop.getKey()).isEqualTo(other);
            assertThat(jedisPop.getValue().getElement()).isEqualTo("a");
            assertThat(jedisPop.getValue().getScore()).isEqualTo(1.0);
            assertThat(jedis.exists(other)).isFalse();
            jedis.zadd(key, 1, "j");
            var jedisMany = jedis.bzmpop(1, redis.clients.jedis.args.SortedSetOption.MIN, 5, other, key);
            assertThat(jedisMany.getKey()).isEqualTo(key);
            assertThat(jedisMany.getValue()).extracting(redis.clients.jedis.resps.Tuple::getElement).containsExactly("j");
        } finally {
            lettuce.shutdown();
        }
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

    private static long blockedClients() {
        return demo.service.keyspace().snapshots().stream().mapToLong(s -> s.blockedClients()).sum();
    }

    private static long waitedKeys() {
        return demo.service.keyspace().snapshots().stream().mapToLong(s -> s.waitedKeys()).sum();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
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
