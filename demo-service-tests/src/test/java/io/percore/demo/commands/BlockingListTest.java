package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.KeyValue;
import io.lettuce.core.LMoveArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.CpuClock;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.RespTestClient.Null3;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Issue 13: LMPOP and the blocking list commands on a two-shard demo, over the wire: timeouts,
 * service in block order, keys and clients on different shards, BLMOVE between shards, clients
 * that go away, WRONGTYPE, CLIENT UNBLOCK, the graceful stop, and Lettuce and Jedis.
 */
class BlockingListTest {

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
        eventually("no client left blocked", () -> blockedClients() == 0);
    }

    // ------------------------------------------------------------------ timeouts

    @Test
    void aTimeoutAnswersANullArrayAfterItsTime() throws IOException {
        String key = demo.keyOn(1, "bt:empty");
        RespTestClient c = client();
        long start = System.nanoTime();
        c.send(RespTestClient.encode("BLPOP", key, "0.2"));
        assertThat(c.readRawLine()).isEqualTo("*-1");
        assertThat(elapsedMillis(start)).isBetween(195L, 3000L);

        start = System.nanoTime();
        c.send(RespTestClient.encode("BRPOP", key, "0.05"));
        assertThat(c.readRawLine()).isEqualTo("*-1");
        assertThat(elapsedMillis(start)).isBetween(45L, 3000L);

        // BLMOVE and BLMPOP time out with a null array too (Redis's reply for any blocked list command)
        c.send(RespTestClient.encode("BLMOVE", key, demo.keyOn(0, "bt:dst"), "LEFT", "RIGHT", "0.01"));
        assertThat(c.readRawLine()).isEqualTo("*-1");
        c.send(RespTestClient.encode("BLMPOP", "0.01", "1", key, "LEFT"));
        assertThat(c.readRawLine()).isEqualTo("*-1");

        assertThat(c.cmd("HELLO", "3")).isNotNull();
        assertThat(c.cmd("BRPOPLPUSH", key, demo.keyOn(0, "bt:dst"), "0.01")).isEqualTo(new Null3());
        assertThat(c.cmd("EXISTS", key)).isEqualTo(0L);
    }

    @Test
    void timeoutsAreReadAsRedisReadsThem() throws IOException {
        RespTestClient c = client();
        assertThat(c.cmd("BLPOP", "bt:k", "-1")).isEqualTo(new Err("ERR timeout is negative"));
        assertThat(c.cmd("BLPOP", "bt:k", "abc")).isEqualTo(new Err("ERR timeout is not a float or out of range"));
        assertThat(c.cmd("BLPOP", "bt:k", "inf")).isEqualTo(new Err("ERR timeout is negative"));
        assertThat(c.cmd("BLPOP", "bt:k", " 1")).isEqualTo(new Err("ERR timeout is not a float or out of range"));
        assertThat(c.cmd("BLMOVE", "bt:k", "bt:d", "UP", "LEFT", "x")).isEqualTo(new Err("ERR syntax error"));
        // a hex float and a sliver of a millisecond: both are timeouts that end
        assertThat(c.cmd("BLPOP", "bt:k", "0x1p-6")).isNull();
        assertThat(c.cmd("BLPOP", "bt:k", "1e-10")).isNull();
    }

    // ------------------------------------------------------------------ order and shards

    @Test
    void clientsAreServedInTheOrderTheyBlocked() throws IOException {
        String key = demo.keyOn(0, "bt:fifo");
        List<RespTestClient> waiters = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            RespTestClient w = client(i % 2); // homes on both shards
            w.send(RespTestClient.encode("BLPOP", key, "0"));
            int expected = i + 1;
            eventually("client " + i + " blocked", () -> blockedClients() == expected);
            waiters.add(w);
        }
        RespTestClient pusher = client();
        assertThat(pusher.cmd("RPUSH", key, "e0", "e1", "e2")).as("the length before the waiters took any").isEqualTo(3L);
        for (int i = 0; i < 3; i++) {
            assertThat(waiters.get(i).read()).isEqualTo(List.of(key, "e" + i));
        }
        for (int i = 3; i < 6; i++) {
            assertThat(pusher.cmd("RPUSH", key, "e" + i)).isEqualTo(1L);
            assertThat(waiters.get(i).read()).isEqualTo(List.of(key, "e" + i));
        }
        assertThat(pusher.cmd("EXISTS", key)).isEqualTo(0L);
    }

    /**
     * As Redis serves blocked clients right after the command that pushed, the pusher's next
     * command (here pipelined behind the push, so both arrive in one read) sees them served.
     */
    @Test
    void thePushersNextCommandSeesTheWaitersServed() throws IOException {
        for (int pusherShard = 0; pusherShard < 2; pusherShard++) {
            for (int waiterShard = 0; waiterShard < 2; waiterShard++) {
                String key = demo.keyOn(0, "bt:next" + pusherShard + waiterShard + "-");
                String dst = demo.keyOn(0, "bt:next-dst" + pusherShard + waiterShard + "-");
                RespTestClient waiter = client(waiterShard);
                waiter.send(RespTestClient.encode("BLPOP", key, "0"));
                eventually("blocked", () -> blockedClients() == 1);
                RespTestClient pusher = client(pusherShard);
                pusher.send(concat(RespTestClient.encode("RPUSH", key, "a", "b"), RespTestClient.encode("LRANGE", key, "0", "-1")));
                assertThat(pusher.read()).isEqualTo(2L);
                assertThat(pusher.read()).as("pusher on shard " + pusherShard + ", waiter on " + waiterShard).isEqualTo(List.of("b"));
                assertThat(waiter.read()).isEqualTo(List.of(key, "a"));
                // the same for a list moved into place by LMOVE
                waiter.send(RespTestClient.encode("BRPOP", dst, "0"));
                eventually("blocked", () -> blockedClients() == 1);
                pusher.send(concat(RespTestClient.encode("LMOVE", key, dst, "LEFT", "LEFT"), RespTestClient.encode("EXISTS", dst)));
                assertThat(pusher.read()).isEqualTo("b");
                assertThat(pusher.read()).isEqualTo(0L);
                assertThat(waiter.read()).isEqualTo(List.of(dst, "b"));
            }
        }
    }

    /**
     * Clients that push as soon as they are served (a BLPOP with an RPUSH pipelined behind it) make
     * a chain: each serving runs the next client's held-back push. A long chain is served in full
     * without growing the stack.
     */
    @Test
    void aLongChainOfServedClientsThatPushAgainIsServedInFull() throws IOException {
        String key = demo.keyOn(1, "bt:chain");
        int n = 300;
        List<RespTestClient> chain = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RespTestClient c = client();
            c.send(concat(RespTestClient.encode("BLPOP", key, "0"), RespTestClient.encode("RPUSH", key, "from-" + i)));
            int expected = i + 1;
            eventually("blocked", () -> blockedClients() == expected);
            chain.add(c);
        }
        RespTestClient starter = client();
        starter.cmd("RPUSH", key, "start");
        assertThat(chain.get(0).read()).isEqualTo(List.of(key, "start"));
        for (int i = 1; i < n; i++) {
            assertThat(chain.get(i).read()).isEqualTo(List.of(key, "from-" + (i - 1)));
        }
        for (RespTestClient c : chain) {
            assertThat(c.read()).isEqualTo(1L);
        }
        assertThat(starter.cmd("LRANGE", key, "0", "-1")).isEqualTo(List.of("from-" + (n - 1)));
    }

    @Test
    void theFirstKeyInArgumentOrderWithDataIsServedWhateverItsShard() throws IOException {
        String a = demo.keyOn(0, "bt:order-a");
        String b = demo.keyOn(1, "bt:order-b");
        String c = demo.keyOn(0, "bt:order-c");
        RespTestClient client = client();
        client.cmd("RPUSH", c, "from-c");
        client.cmd("RPUSH", b, "from-b");
        // a (shard 0) is empty, b (shard 1) and c (shard 0, visited after b) have data
        assertThat(client.cmd("BLPOP", a, b, c, "0")).isEqualTo(List.of(b, "from-b"));
        assertThat(client.cmd("BLPOP", a, b, c, "0")).isEqualTo(List.of(c, "from-c"));
        assertThat(client.cmd("LMPOP", "3", a, b, c, "LEFT")).isNull();

        // decided after both shards were seen: c (shard 0) has data, but b (shard 1) comes before it
        String d = demo.keyOn(1, "bt:order-d");
        String s = demo.keyOn(1, "bt:order-s");
        client.cmd("RPUSH", c, "c1");
        assertThat(client.cmd("BLPOP", a, b, c, "0")).isEqualTo(List.of(c, "c1"));
        client.cmd("RPUSH", c, "c2");
        client.cmd("SET", s, "x");
        assertThat(client.cmd("BLPOP", a, s, c, "0")).as("a key of another type before the data").isEqualTo(new Err(WRONGTYPE));
        assertThat(client.cmd("BLPOP", a, c, s, "0")).as("the data before the key of another type").isEqualTo(List.of(c, "c2"));
        client.cmd("RPUSH", d, "d1");
        client.cmd("RPUSH", c, "c3");
        assertThat(client.cmd("BLMPOP", "0", "4", a, b, d, c, "RIGHT", "COUNT", "5")).isEqualTo(List.of(d, List.of("d1")));
        assertThat(client.cmd("LMPOP", "4", b, a, s, c, "LEFT")).isEqualTo(new Err(WRONGTYPE));
        assertThat(client.cmd("LMPOP", "4", b, a, c, s, "LEFT")).isEqualTo(List.of(c, List.of("c3")));
        assertThat(waitedKeys()).isZero();

        // blocked on all three, woken by the one that gets data
        client.send(RespTestClient.encode("BRPOP", a, b, c, a, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        client().cmd("LPUSH", c, "late");
        assertThat(client.read()).isEqualTo(List.of(c, "late"));
        assertThat(waitedKeys()).as("its waiters on the other keys are withdrawn").isZero();
    }

    @Test
    void aPushFromAnotherConnectionOnAnyShardWakesTheClient() throws IOException {
        for (int home = 0; home < 2; home++) {
            for (int keyShard = 0; keyShard < 2; keyShard++) {
                for (int pusherShard = 0; pusherShard < 2; pusherShard++) {
                    String key = demo.keyOn(keyShard, "bt:wake" + home + pusherShard + "-");
                    RespTestClient waiter = client(home);
                    waiter.send(RespTestClient.encode("BLPOP", key, "0"));
                    eventually("blocked", () -> blockedClients() == 1);
                    assertThat(client(pusherShard).cmd("LPUSH", key, "x", "y")).isEqualTo(2L);
                    assertThat(waiter.read()).isEqualTo(List.of(key, "y"));
                    assertThat(client(pusherShard).cmd("LRANGE", key, "0", "-1")).isEqualTo(List.of("x"));
                }
            }
        }
    }

    /** Redis's signalKeyAsReady: any write that adds a list key wakes its waiters, not only a push. */
    @Test
    void aListMovedOrRenamedIntoPlaceWakesTheClient() throws IOException {
        String waited = demo.keyOn(1, "bt:into");
        String elsewhere = demo.keyOn(0, "bt:from");
        RespTestClient c = client(0);
        RespTestClient other = client(1);
        other.cmd("RPUSH", elsewhere, "a", "b", "c");
        c.send(RespTestClient.encode("BLPOP", waited, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(other.cmd("INFO", "clients").toString()).contains("blocked_clients:1\r\n");
        assertThat(other.cmd("LMOVE", elsewhere, waited, "LEFT", "RIGHT")).isEqualTo("a");
        assertThat(c.read()).isEqualTo(List.of(waited, "a"));

        c.send(RespTestClient.encode("BRPOP", waited, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(other.cmd("RPOPLPUSH", elsewhere, waited)).isEqualTo("c");
        assertThat(c.read()).isEqualTo(List.of(waited, "c"));

        c.send(RespTestClient.encode("BLPOP", waited, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        other.cmd("RPUSH", elsewhere, "x", "y");
        assertThat(other.cmd("RENAME", elsewhere, waited)).as("across shards").isEqualTo("OK");
        assertThat(c.read()).isEqualTo(List.of(waited, "b"));
        assertThat(other.cmd("LRANGE", waited, "0", "-1")).isEqualTo(List.of("x", "y"));
    }

    @Test
    void blmoveMovesBetweenShards() throws IOException {
        String src = demo.keyOn(0, "bt:move-src");
        String dst = demo.keyOn(1, "bt:move-dst");
        RespTestClient c = client(1);
        c.send(RespTestClient.encode("BLMOVE", src, dst, "RIGHT", "LEFT", "0"));
        eventually("blocked", () -> blockedClients() == 1);
        RespTestClient other = client(0);
        other.cmd("RPUSH", src, "a", "b");
        assertThat(c.read()).isEqualTo("b");
        assertThat(other.cmd("LRANGE", src, "0", "-1")).isEqualTo(List.of("a"));
        eventually("the destination got it", () -> List.of("b").equals(cmd(other, "LRANGE", dst, "0", "-1")));
        // with data present it moves at once; BRPOPLPUSH is BLMOVE RIGHT LEFT
        assertThat(c.cmd("BRPOPLPUSH", src, dst, "0")).isEqualTo("a");
        assertThat(other.cmd("LRANGE", dst, "0", "-1")).isEqualTo(List.of("a", "b"));
        assertThat(other.cmd("EXISTS", src)).isEqualTo(0L);
        // a client waiting on the destination is served by the move (Redis's "BLMOVE with a client BLPOPing the target list")
        RespTestClient onTarget = client(0);
        other.cmd("DEL", dst);
        onTarget.send(RespTestClient.encode("BLPOP", dst, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        c.send(RespTestClient.encode("BLMOVE", src, dst, "LEFT", "RIGHT", "0"));
        eventually("blocked", () -> blockedClients() == 2);
        other.cmd("RPUSH", src, "chained");
        assertThat(c.read()).isEqualTo("chained");
        assertThat(onTarget.read()).isEqualTo(List.of(dst, "chained"));
    }

    @Test
    void lmpopPopsFromTheFirstNonEmptyListWithCount() throws IOException {
        String a = demo.keyOn(1, "bt:lmpop-a");
        String b = demo.keyOn(0, "bt:lmpop-b");
        RespTestClient c = client();
        c.cmd("RPUSH", b, "1", "2", "3", "4");
        assertThat(c.cmd("LMPOP", "2", a, b, "RIGHT", "COUNT", "3")).isEqualTo(List.of(b, List.of("4", "3", "2")));
        assertThat(c.cmd("LMPOP", "2", a, b, "LEFT", "COUNT", "10")).isEqualTo(List.of(b, List.of("1")));
        assertThat(c.cmd("EXISTS", b)).isEqualTo(0L);
        c.send(RespTestClient.encode("BLMPOP", "0", "2", a, b, "LEFT", "COUNT", "2"));
        eventually("blocked", () -> blockedClients() == 1);
        client().cmd("RPUSH", a, "x", "y", "z");
        assertThat(c.read()).isEqualTo(List.of(a, List.of("x", "y")));
        assertThat(c.cmd("LRANGE", a, "0", "-1")).isEqualTo(List.of("z"));
    }

    // ------------------------------------------------------------------ clients that go, types that differ

    @Test
    void aClientThatDisconnectsWhileBlockedIsForgotten() throws IOException {
        String key = demo.keyOn(1, "bt:gone");
        RespTestClient c = client(0);
        c.send(RespTestClient.encode("BLPOP", key, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        c.close();
        eventually("forgotten", () -> blockedClients() == 0 && waitedKeys() == 0);
        RespTestClient other = client();
        other.cmd("RPUSH", key, "kept");
        assertThat(other.cmd("LRANGE", key, "0", "-1")).isEqualTo(List.of("kept"));
    }

    /**
     * A BLMOVE whose connection closes while its memory check is away on the destination's shard (its
     * bytes and the close read in one go): nothing blocks for it. (Before: the command blocked when the
     * check came back, after the connection had been forgotten, and waited forever; a peer that sent
     * BLMOVE and closed left one blocked client per connection: 988 of 2,000.) The key keeps what is
     * pushed to it.
     */
    @Test
    void aBlockingMoveWhoseConnectionClosesDuringItsFirstHopLeavesNothingBlocked() throws IOException {
        String source = demo.keyOn(0, "bt:hop-src");
        String destination = demo.keyOn(1, "bt:hop-dst");
        for (int i = 0; i < 100; i++) {
            RespTestClient c = client(0); // the destination's memory check is a hop to shard 1
            c.send(RespTestClient.encode("BLMOVE", source, destination, "LEFT", "LEFT", "0"));
            c.close();
        }
        eventually("nothing left blocked", () -> blockedClients() == 0 && waitedKeys() == 0);
        RespTestClient other = client();
        other.cmd("RPUSH", source, "kept");
        assertThat(other.cmd("LRANGE", source, "0", "-1")).isEqualTo(List.of("kept"));
    }

    @Test
    void wrongTypeAtTheTimeOfTheCall() throws IOException {
        String str = demo.keyOn(1, "bt:str");
        String empty = demo.keyOn(0, "bt:none");
        String list = demo.keyOn(0, "bt:list");
        RespTestClient c = client();
        c.cmd("SET", str, "x");
        c.cmd("RPUSH", list, "v");
        assertThat(c.cmd("BLPOP", str, "0")).isEqualTo(new Err(WRONGTYPE));
        assertThat(c.cmd("BLPOP", empty, str, "0")).as("a key before it is empty").isEqualTo(new Err(WRONGTYPE));
        assertThat(c.cmd("BLPOP", list, str, "0")).as("a list with data comes first").isEqualTo(List.of(list, "v"));
        assertThat(c.cmd("LMPOP", "2", empty, str, "LEFT")).isEqualTo(new Err(WRONGTYPE));
        assertThat(c.cmd("BLMOVE", str, empty, "LEFT", "LEFT", "0")).isEqualTo(new Err(WRONGTYPE));
        assertThat(waitedKeys()).as("a refused command leaves no waiter").isZero();
    }

    @Test
    void blmoveToADestinationOfAnotherTypeLeavesTheElementInTheSource() throws IOException {
        for (int dstShard = 0; dstShard < 2; dstShard++) {
            String src = demo.keyOn(0, "bt:wt-src" + dstShard + "-");
            String dst = demo.keyOn(dstShard, "bt:wt-dst" + dstShard + "-");
            RespTestClient c = client();
            c.cmd("SET", dst, "nolist");
            c.cmd("RPUSH", src, "a", "b");
            assertThat(c.cmd("BLMOVE", src, dst, "LEFT", "LEFT", "0")).isEqualTo(new Err(WRONGTYPE));
            assertThat(c.cmd("LRANGE", src, "0", "-1")).isEqualTo(List.of("a", "b"));
            c.cmd("DEL", src);
            // blocked, then served: WRONGTYPE, and the element stays (Redis's "BRPOPLPUSH with wrong destination type")
            c.send(RespTestClient.encode("BRPOPLPUSH", src, dst, "0"));
            eventually("blocked", () -> blockedClients() == 1);
            RespTestClient pusher = client();
            pusher.cmd("RPUSH", src, "x", "y", "z");
            assertThat(c.read()).isEqualTo(new Err(WRONGTYPE));
            eventually("the source keeps its elements in order", () -> List.of("x", "y", "z").equals(cmd(pusher, "LRANGE", src, "0", "-1")));
        }
    }

    @Test
    void clientUnblockEndsTheWaitAsATimeoutOrAnError() throws IOException {
        String key = demo.keyOn(1, "bt:unblock");
        RespTestClient c = client(0);
        long id = (Long) c.cmd("CLIENT", "ID");
        RespTestClient admin = client(1);
        assertThat(admin.cmd("CLIENT", "UNBLOCK", Long.toString(id))).as("not blocked").isEqualTo(0L);
        c.send(RespTestClient.encode("BLPOP", key, "0"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(admin.cmd("CLIENT", "UNBLOCK", Long.toString(id))).isEqualTo(1L);
        assertThat(c.readRawLine()).isEqualTo("*-1");
        c.send(RespTestClient.encode("BLMPOP", "0", "1", key, "RIGHT"));
        eventually("blocked", () -> blockedClients() == 1);
        assertThat(admin.cmd("CLIENT", "UNBLOCK", Long.toString(id), "ERROR")).isEqualTo(1L);
        assertThat(c.read()).isEqualTo(new Err("UNBLOCKED client unblocked via CLIENT UNBLOCK"));
        assertThat(admin.cmd("CLIENT", "UNBLOCK", "x")).isEqualTo(new Err("ERR value is not an integer or out of range"));
        assertThat(admin.cmd("CLIENT", "UNBLOCK", "1", "maybe")).isEqualTo(new Err("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR"));
        admin.cmd("RPUSH", key, "still-works");
        assertThat(c.cmd("BLPOP", key, "0")).isEqualTo(List.of(key, "still-works"));
        assertThat(waitedKeys()).isZero();
    }

    /** The connection's later commands wait behind the blocked one, as Redis stops reading a blocked client. */
    @Test
    void aBlockedClientsLaterCommandsWaitForIt() throws IOException {
        String key = demo.keyOn(0, "bt:pipe");
        RespTestClient c = client(1);
        c.send(concat(RespTestClient.encode("BLPOP", key, "0"), RespTestClient.encode("LLEN", key), RespTestClient.encode("BLPOP", key, "0.05")));
        eventually("blocked", () -> blockedClients() == 1);
        client(0).cmd("RPUSH", key, "one", "two");
        assertThat(c.read()).isEqualTo(List.of(key, "one"));
        assertThat(c.read()).isEqualTo(1L);
        assertThat(c.read()).isEqualTo(List.of(key, "two"));
    }

    // ------------------------------------------------------------------ the largest input

    /**
     * A BLPOP on 100,000 keys alternating between the shards: one step per shard (not one per
     * change of shard, which would be 100,000 round trips), every waiter withdrawn after.
     */
    @Test
    void aHundredThousandKeysAcrossShardsWaitAndAreWithdrawn() throws IOException {
        int n = 100_000;
        String[] argv = new String[n + 2];
        argv[0] = "BLPOP";
        String last = null;
        for (int i = 0; i < n; i++) {
            argv[i + 1] = last = demo.keyOn(i % 2, "bt:many" + i + "-");
        }
        argv[n + 1] = "0";
        RespTestClient c = client();
        byte[] command = RespTestClient.encode(argv);
        long cpu = CpuClock.shardMillis(client());
        c.send(command);
        eventually("blocked", () -> blockedClients() == 1);
        // the shards' CPU, not the wall clock (a loaded machine stretches that): one step per shard, ~0.1 s here
        assertThat(CpuClock.shardMillis(client()) - cpu).isLessThan(5_000L);
        assertThat(waitedKeys()).isEqualTo(n);
        client().cmd("RPUSH", last, "at-last");
        assertThat(c.read()).isEqualTo(List.of(last, "at-last"));
        eventually("withdrawn", () -> waitedKeys() == 0);
    }

    // ------------------------------------------------------------------ clients

    @Test
    void lettuceAndJedisBlockAndWakeEachOther() throws Exception {
        String key = demo.keyOn(1, "bt:lib");
        String dst = demo.keyOn(0, "bt:lib-dst");
        RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", demo.respPort()));
        try (StatefulRedisConnection<String, String> conn = lettuce.connect(); Jedis jedis = new Jedis("127.0.0.1", demo.respPort())) {
            RedisAsyncCommands<String, String> async = conn.async();
            var popped = async.blpop(0, key);
            eventually("lettuce blocked", () -> blockedClients() == 1);
            jedis.rpush(key, "from-jedis");
            KeyValue<String, String> kv = popped.get(30, TimeUnit.SECONDS);
            assertThat(kv.getKey()).isEqualTo(key);
            assertThat(kv.getValue()).isEqualTo("from-jedis");

            assertThat(jedis.blpop(0.05, key)).isNull();
            var moved = async.blmove(key, dst, LMoveArgs.Builder.leftRight(), 0);
            eventually("lettuce blocked", () -> blockedClients() == 1);
            jedis.lpush(key, "moved");
            assertThat(moved.get(30, TimeUnit.SECONDS)).isEqualTo("moved");
            assertThat(jedis.lrange(dst, 0, -1)).containsExactly("moved");
            assertThat(conn.sync().lmpop(io.lettuce.core.LMPopArgs.Builder.left(), key, dst)).isNotNull();
        } finally {
            lettuce.shutdown();
        }
    }

    // ------------------------------------------------------------------ graceful stop

    /** A blocked client must not hold the stop for the graceful timeout: it is answered as timed out when the drain starts. */
    @Test
    void aBlockedClientIsAnsweredPromptlyWhenTheServerStops() throws Exception {
        try (TestServices own = TestServices.start(2, DemoSettings.forTests())) {
            List<RespTestClient> blocked = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                RespTestClient c = new RespTestClient(own.respPort());
                blocked.add(c);
                c.send(RespTestClient.encode("BLPOP", own.keyOn(i % 2, "bt:stop"), "0"));
            }
            RespTestClient pipelined = new RespTestClient(own.respPort());
            blocked.add(pipelined);
            // a second blocking command held behind the first: answered at once too, not blocked anew
            pipelined.send(concat(RespTestClient.encode("BRPOP", "bt:stop-p", "0"), RespTestClient.encode("BLMOVE", "bt:stop-p", "bt:x", "LEFT", "LEFT", "0")));
            eventually("blocked", () -> infoBlocked(own) == 5);
            long start = System.nanoTime();
            own.service.respServer().shutdownGracefully(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            assertThat(elapsedMillis(start)).as("well before the 20 s grace").isLessThan(15_000L);
            for (RespTestClient c : blocked) {
                assertThat(c.readRawLine()).isEqualTo("*-1");
            }
            assertThat(pipelined.readRawLine()).isEqualTo("*-1");
            for (RespTestClient c : blocked) {
                assertThat(c.closedByServer()).isTrue();
                c.close();
            }
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

    private static long infoBlocked(TestServices services) {
        return services.service.keyspace().snapshots().stream().mapToLong(s -> s.blockedClients()).sum();
    }

    /** Keys clients wait on, over the shards (0 once every waiter is withdrawn). */
    private static long waitedKeys() {
        return demo.service.keyspace().snapshots().stream().mapToLong(s -> s.waitedKeys()).sum();
    }

    private static Object cmd(RespTestClient c, String... args) {
        try {
            return c.cmd(args);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
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
