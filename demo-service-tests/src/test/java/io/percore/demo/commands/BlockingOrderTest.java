package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ordering checker of issue 27: as in Redis, blocked clients are served in the order their
 * commands were read, whichever shard their connections live on (a command read on one shard can
 * reach the key's shard after a push read later on another: the key's shard waits for the other
 * shards before it serves); and a write that serves blocked clients is answered only once what it
 * caused is done, so the writer's next command, and whoever it tells, see the moves made.
 */
class BlockingOrderTest {

    private static final String WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

    private static final int NOISE_BATCH = 30;
    private static TestServices demo;
    private final List<RespTestClient> opened = new ArrayList<>();
    private final java.util.Map<RespTestClient, Long> ids = new java.util.IdentityHashMap<>();

    @BeforeAll
    static void start() {
        demo = TestServices.start(3, DemoSettings.forTests());
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
    }

    @Test
    void clientsAreServedInTheOrderTheirCommandsWereReadWhicheverShardTheyAreOn() throws Exception {
        String key = demo.keyOn(0, "order:");
        RespTestClient[] waiters = {client(1), client(2), client(0)};
        RespTestClient control = client(0);
        RespTestClient pusher = client(1);
        for (int round = 0; round < 60; round++) {
            RespTestClient[] order = new RespTestClient[waiters.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = waiters[(i + round) % waiters.length];
            }
            for (RespTestClient w : order) {
                block(control, w, round, "BLPOP", key, "0"); // read before the next one is sent: the order the clients blocked in
            }
            assertThat(pusher.cmd("RPUSH", key, "e0", "e1", "e2")).isEqualTo(3L);
            for (int i = 0; i < order.length; i++) {
                assertThat(order[i].read()).as("round " + round + ", the client that blocked " + (i + 1) + ".")
                        .isEqualTo(List.of(key, "e" + i));
            }
        }
    }

    /** Redis's unit/type/list "BRPOPLPUSH with multiple blocked clients", with the clients on three shards. */
    @Test
    void noBlockedClientIsLeftUnansweredWhenTheFirstCannotTakeWhatIsPushed() throws Exception {
        String list = demo.keyOn(0, "mb:list");
        String target1 = demo.keyOn(1, "mb:t1-");
        String target2 = demo.keyOn(2, "mb:t2-");
        RespTestClient rd1 = client(1);
        RespTestClient rd2 = client(2);
        RespTestClient r = client(0);
        for (int round = 0; round < 100; round++) {
            r.cmd("DEL", list, target1, target2);
            r.cmd("SET", target1, "nolist");
            block(r, rd1, round, "BRPOPLPUSH", list, target1, "0");
            block(r, rd2, round, "BRPOPLPUSH", list, target2, "0");
            r.cmd("LPUSH", list, "foo");
            assertThat(rd1.read()).as("round " + round).isEqualTo(new RespTestClient.Err(WRONGTYPE));
            assertThat(rd2.read()).as("round " + round).isEqualTo("foo");
            assertThat(r.cmd("LRANGE", target2, "0", "-1")).isEqualTo(List.of("foo"));
        }
    }

    /** Redis's "Linked LMOVEs", with the lists and the clients on different shards. */
    @Test
    void aPushIsAnsweredOnlyOnceTheMovesItCausedAreMade() throws Exception {
        String list1 = demo.keyOn(0, "ll:1-");
        String list2 = demo.keyOn(1, "ll:2-");
        String list3 = demo.keyOn(2, "ll:3-");
        RespTestClient rd1 = client(2);
        RespTestClient rd2 = client(0);
        RespTestClient r = client(1);
        for (int round = 0; round < 60; round++) {
            r.cmd("DEL", list1, list2, list3);
            block(r, rd1, round, "BLMOVE", list1, list2, "RIGHT", "LEFT", "0");
            block(r, rd2, round, "BLMOVE", list2, list3, "LEFT", "RIGHT", "0");
            r.send(concat(RespTestClient.encode("RPUSH", list1, "foo"), RespTestClient.encode("LRANGE", list3, "0", "-1")));
            assertThat(r.read()).isEqualTo(1L);
            assertThat(r.read()).as("round " + round + ": the pusher's next command sees both moves").isEqualTo(List.of("foo"));
            assertThat(r.cmd("LRANGE", list1, "0", "-1")).isEqualTo(List.of());
            assertThat(r.cmd("LRANGE", list2, "0", "-1")).isEqualTo(List.of());
            assertThat(rd1.read()).isEqualTo("foo");
            assertThat(rd2.read()).isEqualTo("foo");
        }
    }

    /** Redis's "PUSH resulting from BRPOPLPUSH affect WATCH": the move served by a push is made before the push's EXEC sees it. */
    @Test
    void aMoveServedByAPushIsSeenByAWatchOfItsDestination() throws Exception {
        String blist = demo.keyOn(0, "w:blist");
        String target = demo.keyOn(1, "w:target");
        RespTestClient blocked = client(2);
        RespTestClient watcher = client(1);
        RespTestClient r = client(0);
        for (int round = 0; round < 30; round++) {
            r.cmd("DEL", blist, target);
            r.cmd("LPUSH", target, "bar");
            watcher.cmd("WATCH", target);
            block(r, blocked, round, "BRPOPLPUSH", blist, target, "0");
            r.cmd("LPUSH", blist, "foo"); // answered once the move onto target is made
            watcher.cmd("MULTI");
            watcher.cmd("PING");
            assertThat(watcher.cmd("EXEC")).as("round " + round + ": the watched key changed").isNull();
            assertThat(blocked.read()).isEqualTo("foo");
        }
    }

    /**
     * A BLMOVE makes a hop before its try (the memory check on its destination's shard), a BLPOP one
     * step per shard of its keys: a push read after the command, while those hops are away, still
     * serves it first, and is answered only once the move is made. (Before: the push was answered at
     * once, its connection's next command found the element still there, and the command took it later.)
     */
    @Test
    void aPushReadWhileABlockingCommandsTryIsAwayServesItFirst() throws Exception {
        String list = demo.keyOn(0, "adm:list");
        String target = demo.keyOn(1, "adm:target");
        RespTestClient blocked = client(2);
        RespTestClient r = client(0);
        // the blocked client's shard kept busy by a pipeline of its own keys: the answer of the admission
        // reaches it a loop turn after what told the pusher the BLMOVE was read (so the push comes first)
        RespTestClient noisy = client(2);
        byte[] batch = noise(demo.keyOn(2, "adm:noise"), NOISE_BATCH);
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        Thread noise = new Thread(() -> {
            try {
                while (!stop.get()) {
                    noisy.send(batch);
                    for (int i = 0; i < NOISE_BATCH; i++) {
                        noisy.read();
                    }
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "noise");
        noise.start();
        try {
            for (int round = 0; round < 80; round++) {
                r.cmd("DEL", list, target);
                boolean move = round % 2 == 0;
                // the push follows the read closely; a BLPOP's try steps to the first key's shard (target's) first
                block(r, blocked, round, 0, move ? new String[] {"BLMOVE", list, target, "RIGHT", "LEFT", "0"}
                        : new String[] {"BLPOP", target, list, "0"});
                r.send(concat(concat(RespTestClient.encode("LPUSH", list, "foo"), RespTestClient.encode("LLEN", list)),
                        RespTestClient.encode("LRANGE", target, "0", "-1")));
                assertThat(r.read()).isEqualTo(1L);
                assertThat(r.read()).as("round " + round + ": the pusher's next command finds the element taken").isEqualTo(0L);
                assertThat(r.read()).as("round " + round + ": and moved").isEqualTo(move ? List.of("foo") : List.of());
                assertThat(blocked.read()).isEqualTo(move ? "foo" : List.of(list, "foo"));
            }
        } finally {
            stop.set(true);
            noise.join(TimeUnit.SECONDS.toMillis(30));
        }
    }

    private static byte[] noise(String key, int commands) {
        byte[] one = RespTestClient.encode("SET", key, "x".repeat(64));
        byte[] all = new byte[one.length * commands];
        for (int i = 0; i < commands; i++) {
            System.arraycopy(one, 0, all, i * one.length, one.length);
        }
        return all;
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Sends a blocking command from {@code waiter}, named for this round, and waits until the server
     * has read it (CLIENT LIST shows the round's name with it as the last command): the name's reply
     * is read here, the command's is left for the test.
     */
    private void block(RespTestClient control, RespTestClient waiter, int round, String... command) throws Exception {
        block(control, waiter, round, 1, command);
    }

    /** {@link #block}, polling every {@code pollMillis} (0: at once again, to act as soon as the command was read). */
    private void block(RespTestClient control, RespTestClient waiter, int round, int pollMillis, String[] command) throws Exception {
        String name = "w" + round;
        byte[] setName = RespTestClient.encode("CLIENT", "SETNAME", name);
        byte[] blocking = RespTestClient.encode(command);
        byte[] both = new byte[setName.length + blocking.length];
        System.arraycopy(setName, 0, both, 0, setName.length);
        System.arraycopy(blocking, 0, both, setName.length, blocking.length);
        waiter.send(both);
        assertThat(waiter.read()).isEqualTo("OK");
        long id = ids.get(waiter);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String pattern = "(?s).* name=" + name + " .* cmd=" + command[0].toLowerCase(java.util.Locale.ROOT) + " .*";
        while (true) {
            String line = (String) control.cmd("CLIENT", "LIST", "ID", Long.toString(id));
            if (line.matches(pattern)) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the server did not read client " + id + "'s command: " + line);
            }
            Thread.sleep(pollMillis);
        }
    }

    private RespTestClient client(int shard) throws IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            RespTestClient c = new RespTestClient(demo.respPort());
            Object info = c.cmd("CLIENT", "INFO");
            if (((String) info).matches("(?s).* shard=" + shard + "\\s.*")) {
                opened.add(c);
                ids.put(c, (Long) c.cmd("CLIENT", "ID"));
                return c;
            }
            c.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
