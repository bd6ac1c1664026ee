package io.percore.demo.scripting;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A script past {@code busy-reply-threshold} (CONFIG SET lua-time-limit, live) on a demo of two
 * shards: clients of both shards, the busy shard's own included, are answered {@code -BUSY} (the
 * script lets its shard read their sockets), also those whose command waited behind the script's
 * hold before it went busy; SCRIPT KILL from either shard ends it with Redis's error, and the
 * connection that sent it goes on with what it pipelined; a script that wrote is UNKILLABLE;
 * EXEC while busy aborts the transaction, and a command spanning shards is refused, also when sent
 * before its own shard polled the busy flag;
 * a tracking client on the busy shard gets the invalidation the script's write pushed and its
 * replies while the script runs; closing the service ends a script that wrote.
 */
class ScriptBusyTest {

    private static final String BUSY = "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
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
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SCRIPT", "KILL"); // a test that failed with its script running leaves none for the next (NOTBUSY otherwise)
        }
    }

    /** A new client on {@code shard} (the kernel spreads connections; CLIENT INFO's shard= tells). */
    private RespTestClient on(int shard) throws IOException, InterruptedException {
        return on(demo, shard);
    }

    /** A new client of {@code service} on {@code shard}. */
    private RespTestClient on(TestServices service, int shard) throws IOException, InterruptedException {
        for (int i = 0; i < 200; i++) {
            RespTestClient c = new RespTestClient(service.respPort());
            opened.add(c);
            Object info;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while ((info = c.cmd("CLIENT", "INFO")) instanceof Err) {
                // -BUSY: its shard has not yet heard that the last script ended
                assertThat(System.nanoTime() - deadline).as("still busy: " + info).isNegative();
                Thread.sleep(10);
            }
            if (((String) info).contains(" shard=" + shard)) {
                return c;
            }
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    /** Sends PING until it is answered -BUSY (the script went busy), at most {@code seconds}. */
    private static void awaitBusy(RespTestClient c, int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        Object reply;
        while (!((reply = c.cmd("PING")) instanceof Err)) {
            assertThat(System.nanoTime() - deadline).as("still not busy: " + reply).isNegative();
            Thread.sleep(10);
        }
        assertThat(reply).isEqualTo(new Err(BUSY));
    }

    private static void awaitNotBusy(RespTestClient c) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (c.cmd("PING") instanceof Err) {
            assertThat(System.nanoTime() - deadline).as("still busy").isNegative();
            Thread.sleep(10);
        }
    }

    private Map<Integer, RespTestClient> oneOnEachShard() throws IOException, InterruptedException {
        Map<Integer, RespTestClient> byShard = new HashMap<>();
        byShard.put(0, on(0));
        byShard.put(1, on(1));
        return byShard;
    }

    @Test
    void clientsOfEveryShardGetBusyAndScriptKillFromEitherEndsIt() throws Exception {
        for (int busyShard = 0; busyShard < 2; busyShard++) {
            RespTestClient runner = on(busyShard);
            Map<Integer, RespTestClient> others = oneOnEachShard();
            assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "50")).isEqualTo("OK");
            assertThat(runner.cmd("CONFIG", "GET", "busy-reply-threshold")).isEqualTo(List.of("busy-reply-threshold", "50"));
            // the script and, pipelined behind it on the same connection, a PING: answered once the script is over
            runner.send(RespTestClient.encode("EVAL", "while true do end", "0"));
            runner.send(RespTestClient.encode("PING", "after"));
            awaitBusy(others.get(0), 30);
            awaitBusy(others.get(1), 30);
            assertThat(others.get(busyShard).cmd("INCR", "n")).isEqualTo(new Err(BUSY));
            assertThat(others.get(1 - busyShard).cmd("FUNCTION", "KILL"))
                    .isEqualTo(new Err("BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."));
            // killed from the shard that is not running it one time, from the busy one the other
            RespTestClient killer = others.get(busyShard == 0 ? 1 : 0);
            assertThat(killer.cmd("SCRIPT", "KILL")).isEqualTo("OK");
            Object killed = runner.read();
            assertThat(killed).isEqualTo(new Err("ERR Script killed by user with SCRIPT KILL... script: "
                    + Scripting.sha1hex("while true do end".getBytes()) + ", on @user_script:1."));
            assertThat(runner.read()).isEqualTo("after");
            awaitNotBusy(others.get(0));
            awaitNotBusy(others.get(1));
            assertThat(killer.cmd("SCRIPT", "KILL")).isEqualTo(new Err("NOTBUSY No scripts in execution right now."));
        }
    }

    /** One shard has no busy poll (nobody else to tell): its own clients still get -BUSY, and lose it when the script ends. */
    @Test
    void aOneShardServiceAnswersBusyWhileItsScriptRunsAndNotAfter() throws Exception {
        try (TestServices single = TestServices.start(1, DemoSettings.forTests())) {
            RespTestClient runner = on(single, 0);
            RespTestClient other = on(single, 0);
            assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "50")).isEqualTo("OK");
            for (int run = 0; run < 2; run++) {
                runner.send(RespTestClient.encode("EVAL", "while true do end", "0"));
                awaitBusy(other, 30);
                assertThat(other.cmd("GET", "k")).isEqualTo(new Err(BUSY));
                assertThat(other.cmd("SCRIPT", "KILL")).isEqualTo("OK");
                assertThat(runner.read()).isInstanceOf(Err.class);
                awaitNotBusy(other);
                assertThat(runner.cmd("SET", "k", "v" + run)).isEqualTo("OK");
                assertThat(other.cmd("GET", "k")).isEqualTo("v" + run);
            }
        }
    }

    /**
     * No shard looks for busy scripts on a beat (each looked every 10 ms: 100 wakeups a second per
     * shard, most of an idle node's): an idle service's timers are its 100 ms crons and little more.
     * Under load a shard runs its timers late, never more often, so the bound holds there too.
     */
    @Test
    void idleShardsDoNotPollForBusyScripts() throws Exception {
        long[] before = new long[2];
        for (int i = 0; i < 2; i++) {
            before[i] = demo.engine.shard(i).stats().timersFired();
        }
        long start = System.nanoTime();
        Thread.sleep(2_000);
        double seconds = (System.nanoTime() - start) / 1e9;
        for (int i = 0; i < 2; i++) {
            double perSecond = (demo.engine.shard(i).stats().timersFired() - before[i]) / seconds;
            assertThat(perSecond).as("timers fired a second on idle shard %d", i).isLessThan(60);
        }
    }

    @Test
    void commandsThatWaitedBehindTheScriptAreAnsweredBusyOnceItIs() throws Exception {
        RespTestClient runner = on(0);
        RespTestClient neighbour = on(0);
        assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "700")).isEqualTo("OK");
        runner.send(RespTestClient.encode("EVAL", "local k = 0 while true do k = k + 1 end", "0"));
        // sent while the script holds the shard and is not busy yet: it waits for the hold, then is answered
        Thread.sleep(100);
        CompletableFuture<Object> waited = CompletableFuture.supplyAsync(() -> {
            try {
                return neighbour.cmd("GET", "k");
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(waited.get(30, TimeUnit.SECONDS)).isEqualTo(new Err(BUSY));
        assertThat(neighbour.cmd("SCRIPT", "KILL")).isEqualTo("OK");
        assertThat(runner.read()).isInstanceOf(Err.class);
        awaitNotBusy(neighbour);
    }

    @Test
    void anExecOrACommandSpanningShardsSentAsTheScriptWentBusyIsRefusedWhicheverShardItIsOn() throws Exception {
        RespTestClient runner = on(0);
        assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "20")).isEqualTo("OK");
        int busyShard = demo.service.keyspace().shardOf("k".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int round = 0; round < 12; round++) {
            // the busy check on the script's shard (answered -BUSY the moment the script goes busy); the transaction and
            // the SUNIONSTORE on either shard, the one that has not polled the scripts' flags yet too: neither may wait behind the
            // script's hold, and whichever goes first is the one sent before its shard polled
            RespTestClient check = on(busyShard);
            RespTestClient inMulti = on(round % 2);
            RespTestClient spanning = on(round % 2);
            assertThat(inMulti.cmd("MULTI")).isEqualTo("OK");
            assertThat(inMulti.cmd("INCR", "k")).isEqualTo("QUEUED");
            runner.send(RespTestClient.encode("EVAL", "redis.call('get', KEYS[1]) while true do end", "1", "k"));
            awaitBusy(check, 30);
            // held across its shards as a transaction of its own (as EXEC holds them)
            String[] union = {"SUNIONSTORE", demo.keyOn(0, "union"), demo.keyOn(1, "a")};
            if (round % 4 < 2) {
                assertThat(inMulti.cmd("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of: " + BUSY));
                assertThat(spanning.cmd(union)).isEqualTo(new Err(BUSY));
            } else {
                assertThat(spanning.cmd(union)).isEqualTo(new Err(BUSY));
                assertThat(inMulti.cmd("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of: " + BUSY));
            }
            assertThat(check.cmd("SCRIPT", "KILL")).isEqualTo("OK");
            assertThat(runner.read()).isInstanceOf(Err.class);
            awaitNotBusy(inMulti);
            awaitNotBusy(check);
        }
        awaitNotBusy(runner); // its shard too has heard that the last script ended
        assertThat(runner.cmd("SUNIONSTORE", demo.keyOn(0, "union"), demo.keyOn(1, "a"))).isEqualTo(0L); // not refused when not busy
    }

    @Test
    void aTrackingClientOnTheBusyShardGetsTheScriptsInvalidationAndItsRepliesWhileTheScriptRuns() throws Exception {
        // a service of its own: the script writes, so only closing the service ends it
        try (TestServices doomed = TestServices.start(2, DemoSettings.forTests())) {
            int busyShard = doomed.service.keyspace().shardOf("k".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            RespTestClient runner = on(doomed, busyShard);
            RespTestClient tracker = on(doomed, busyShard);
            RespTestClient check = on(doomed, busyShard);
            tracker.cmd("HELLO", "3");
            assertThat(tracker.cmd("CLIENT", "TRACKING", "on")).isEqualTo("OK");
            assertThat(tracker.cmd("GET", "k")).isEqualTo(new RespTestClient.Null3());
            assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "20")).isEqualTo("OK");
            // as in Redis (which writes it from processEventsWhileBlocked), the invalidation is pushed as the script writes, before it is busy: its flush waited for the end of the
            // shard's turn, which the script keeps from coming, and so did every reply after it (none came at all)
            runner.send(RespTestClient.encode("EVAL", "redis.call('set', KEYS[1], 'y') while true do end", "1", "k"));
            awaitBusy(check, 30);
            assertThat(tracker.read()).isEqualTo(new RespTestClient.Push3(List.of("invalidate", List.of("k"))));
            assertThat(tracker.cmd("PING")).isEqualTo(new Err(BUSY));
            CompletableFuture.runAsync(doomed::close).get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aScriptThatWroteIsUnkillableExecWhileBusyAbortsAndClosingTheServiceEndsIt() throws Exception {
        // a service of its own: nothing but closing it ends this script; each client on whichever shard the kernel gives it
        try (TestServices doomed = TestServices.start(2, DemoSettings.forTests());
             RespTestClient runner = new RespTestClient(doomed.respPort());
             RespTestClient other = new RespTestClient(doomed.respPort());
             RespTestClient inMulti = new RespTestClient(doomed.respPort());
             RespTestClient tracker = new RespTestClient(doomed.respPort())) {
            assertThat(runner.cmd("CONFIG", "SET", "lua-time-limit", "20")).isEqualTo("OK");
            assertThat(inMulti.cmd("MULTI")).isEqualTo("OK");
            assertThat(inMulti.cmd("INCR", "xx")).isEqualTo("QUEUED");
            // a tracking client that read k: the script's write of k pushes it an invalidation while the script runs
            tracker.cmd("HELLO", "3");
            assertThat(tracker.cmd("CLIENT", "TRACKING", "on")).isEqualTo("OK");
            assertThat(tracker.cmd("GET", "k")).isEqualTo(new RespTestClient.Null3());
            runner.send(RespTestClient.encode("EVAL", "redis.call('set', KEYS[1], 'y') while true do end", "1", "k"));
            awaitBusy(other, 30);
            assertThat(other.cmd("SCRIPT", "KILL")).isEqualTo(new Err("UNKILLABLE Sorry the script already executed write commands "
                    + "against the dataset. You can either wait the script termination or kill the server in a hard way using the "
                    + "SHUTDOWN NOSAVE command."));
            assertThat(inMulti.cmd("MULTI")).isEqualTo(new Err("ERR MULTI calls can not be nested"));
            assertThat(inMulti.cmd("EXEC")).isEqualTo(new Err("EXECABORT Transaction discarded because of: " + BUSY));
            assertThat(inMulti.cmd("PING", "out of multi")).isEqualTo(new Err(BUSY));
            assertThat(other.cmd("PING")).isEqualTo(new Err(BUSY));
            // The tracker's shard may be the other one, which hears of the busy script by the busy shard's
            // message (at once, later on a loaded machine): PONG until then, never after.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Object reply = tracker.cmd("PING");
            while (true) {
                if (reply instanceof RespTestClient.Push3 push) {
                    // on the script's shard, where the invalidation is pushed as the script writes: it comes first
                    assertThat(push.items()).isEqualTo(List.of("invalidate", List.of("k")));
                    reply = tracker.read();
                }
                if (!"PONG".equals(reply)) {
                    break;
                }
                assertThat(System.nanoTime() - deadline).as("the tracker's shard never heard of the busy script").isNegative();
                Thread.sleep(10);
                reply = tracker.cmd("PING");
            }
            assertThat(reply).isEqualTo(new Err(BUSY));
            CompletableFuture.runAsync(doomed::close).get(60, TimeUnit.SECONDS);
        }
    }
}
