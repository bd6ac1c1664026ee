package io.percore.demo.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link StreamReplay} on a running 2-shard service, while clients read: each key's commands in
 * stream order (commands on one shard, across shards, without keys), a MULTI ... EXEC across
 * shards never seen in part by a reader, finish() meaning applied, errors counted and no replies.
 */
class StreamReplayTest {

    @TempDir
    Path dir;

    private TestServices demo;
    private StreamReplay replay;

    @BeforeEach
    void start() {
        demo = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
        replay = (StreamReplay) demo.service.replication().applier("127.0.0.1:6379");
    }

    @AfterEach
    void stop() {
        demo.close();
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void everyKeySeesItsCommandsInStreamOrder() throws Exception {
        String a = demo.keyOn(0, "a");
        String b = demo.keyOn(1, "b");
        String la = demo.keyOn(0, "list");
        String lb = demo.keyOn(1, "list");
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            replay.run(argv("RPUSH", la, Integer.toString(i)));
            replay.run(argv("RPUSH", lb, Integer.toString(i)));
            replay.run(argv("SET", a, Integer.toString(i)));
            if (i % 1000 == 0) {
                replay.run(argv("MSET", a, "m" + i, b, "m" + i)); // across shards: after what came before, before what follows
                replay.run(argv("APPEND", b, "+" + i));
                replay.run(argv("PING")); // no keys: alone, in its place
            }
        }
        replay.run(argv("SELECT", "0"));
        assertThat(replay.finish()).isZero();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(Integer.toString(i));
            }
            assertThat(c.cmd("LRANGE", la, "0", "-1")).isEqualTo(expected);
            assertThat(c.cmd("LRANGE", lb, "0", "-1")).isEqualTo(expected);
            assertThat(c.cmd("GET", a)).isEqualTo(Integer.toString(n - 1));
            assertThat(c.cmd("GET", b)).isEqualTo("m19000+19000");
        }
        // FLUSHALL (no keys) runs after everything before it and before everything after it
        replay.run(argv("SET", a, "old"));
        replay.run(argv("SET", b, "old"));
        replay.run(argv("FLUSHALL"));
        replay.run(argv("SET", a, "new"));
        replay.finish();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", a)).isEqualTo("new");
            assertThat(c.cmd("GET", b)).isNull();
            assertThat(c.cmd("EXISTS", la, lb)).isEqualTo(0L);
        }
    }

    @Test
    void aTransactionAcrossShardsIsNeverSeenInPartByReaders() throws Exception {
        String x = demo.keyOn(0, "x");
        String y = demo.keyOn(1, "y");
        replay.run(argv("MSET", x, "0", y, "0"));
        replay.finish();
        AtomicBoolean stop = new AtomicBoolean();
        ConcurrentLinkedQueue<String> torn = new ConcurrentLinkedQueue<>();
        AtomicLong reads = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            Thread t = new Thread(() -> {
                try (RespTestClient c = new RespTestClient(demo.respPort())) {
                    while (!stop.get()) {
                        // a transaction of the reader's own: both keys at one point (an MGET across shards is atomic
                        // per shard only, as the README says of the multi-key commands)
                        c.cmd("MULTI");
                        c.cmd("GET", x);
                        c.cmd("GET", y);
                        Object both = c.cmd("EXEC");
                        List<?> values = (List<?>) both;
                        if (!values.get(0).equals(values.get(1))) {
                            torn.add("MULTI/EXEC read " + values);
                        }
                        reads.incrementAndGet();
                    }
                } catch (IOException e) {
                    torn.add("reader failed: " + e);
                }
            });
            t.start();
            readers.add(t);
        }
        int n = 3000;
        try {
            for (int i = 1; i <= n; i++) {
                replay.runTransaction(List.of(argv("SET", x, Integer.toString(i)), argv("INCR", y)));
                if (i % 500 == 0) {
                    replay.run(argv("MULTI"));
                    replay.run(argv("INCR", x));
                    replay.run(argv("INCR", y));
                    replay.run(argv("DECR", x));
                    replay.run(argv("DECR", y));
                    replay.run(argv("EXEC"));
                }
            }
            assertThat(replay.finish()).isZero();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (reads.get() < 200 && System.nanoTime() < deadline) {
                Thread.sleep(10); // the readers really read meanwhile
            }
        } finally {
            stop.set(true);
            for (Thread t : readers) {
                t.join(10_000);
            }
        }
        assertThat(torn).isEmpty();
        assertThat(reads.get()).isGreaterThanOrEqualTo(200);
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("MGET", x, y)).isEqualTo(List.of(Integer.toString(n), Integer.toString(n)));
        }
    }

    /**
     * While a transaction holds a shard (a client's EXEC, a snapshot's point), the stream's commands for that shard wait
     * behind it, as a client's next command does. Run meanwhile, their changes were reported as the transaction's part,
     * after the point of a save that began there: a replica's append-only file rewritten while a full sync's stream was
     * applied held them twice, in its base and after it (27 INCRs replayed twice at its next start).
     */
    @Test
    void theStreamWaitsForATransactionHoldingTheShard() throws Exception {
        String k = demo.keyOn(1, "held");
        io.percore.demo.shard.Keyspace keyspace = demo.service.keyspace();
        java.util.BitSet shard1 = new java.util.BitSet();
        shard1.set(1);
        java.util.concurrent.CompletableFuture<io.percore.demo.shard.Keyspace> holding = new java.util.concurrent.CompletableFuture<>();
        demo.engine.submitTo(0, () -> {
            io.percore.demo.shard.Keyspace bound = keyspace.boundTo(keyspace.local().nextGroupId());
            bound.reserveInOrder(shard1).whenComplete((v, e) -> holding.complete(bound));
            return null;
        });
        io.percore.demo.shard.Keyspace bound = holding.get(30, java.util.concurrent.TimeUnit.SECONDS);
        replay.run(argv("INCR", k));
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        long[] keysAndParked;
        do {
            Thread.sleep(5);
            keysAndParked = keyspace.beforeServing(1, st -> new long[] {st.databases().keys(), st.reservation().waiting()}).join();
        } while (keysAndParked[0] == 0 && keysAndParked[1] == 0 && System.nanoTime() < deadline);
        assertThat(keysAndParked[0]).as("the command did not run while the transaction held the shard").isZero();
        assertThat(keysAndParked[1]).as("it waits behind the transaction").isEqualTo(1);
        demo.engine.submitTo(0, () -> {
            bound.releaseAll(shard1);
            return null;
        }).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(replay.finish()).isZero();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", k)).isEqualTo("1");
        }
    }

    @Test
    void aTransactionIsAppliedOnlyAtItsExecAndOnOneShardInOrderWithTheRest() throws Exception {
        String k = demo.keyOn(1, "k");
        String l = demo.keyOn(1, "l");
        replay.run(argv("RPUSH", l, "1"));
        replay.run(argv("MULTI"));
        replay.run(argv("RPUSH", l, "2"));
        replay.run(argv("SET", k, "in"));
        replay.finish();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("LRANGE", l, "0", "-1")).isEqualTo(List.of("1")); // nothing before EXEC
            assertThat(c.cmd("GET", k)).isNull();
            replay.run(argv("INCR", k)); // an error inside: the others still run, as Redis's EXEC
            replay.run(argv("RPUSH", l, "3"));
            replay.run(argv("EXEC"));
            replay.run(argv("RPUSH", l, "4"));
            assertThat(replay.finish()).isEqualTo(1);
            assertThat(c.cmd("LRANGE", l, "0", "-1")).isEqualTo(List.of("1", "2", "3", "4"));
            assertThat(c.cmd("GET", k)).isEqualTo("in");
            // DISCARD drops what was given since MULTI
            replay.run(argv("MULTI"));
            replay.run(argv("RPUSH", l, "5"));
            replay.run(argv("DISCARD"));
            assertThat(replay.finish()).isEqualTo(1);
            assertThat(c.cmd("LLEN", l)).isEqualTo(4L);
        }
    }

    @Test
    void errorsAreCountedNotAnsweredAndUnknownCommandsOrOtherDatabasesRefused() throws Exception {
        String s = demo.keyOn(0, "s");
        replay.run(argv("SET", s, "text"));
        replay.run(argv("INCR", s));
        replay.run(argv("LPUSH", s, "x"));
        replay.run(argv("GET")); // wrong arity
        assertThat(replay.finish()).isEqualTo(3);
        assertThatThrownBy(() -> replay.run(argv("NOSUCHCOMMAND", "a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NOSUCHCOMMAND");
        assertThatThrownBy(() -> replay.run(argv("SELECT", "16"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SELECT of database 16: this server has 16 databases, 0 to 15");
        replay.run(argv("SELECT", "0"));
        assertThat(replay.finish()).isEqualTo(3);
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", s)).isEqualTo("text");
        }
    }

    @Test
    void aStreamLongerThanTheBoundIsAppliedWhileTheCallerWaitsForTheShards() throws Exception {
        String big = demo.keyOn(0, "big");
        String other = demo.keyOn(1, "other");
        int n = StreamReplay.MAX_PENDING * 5;
        byte[] value = new byte[1024];
        java.util.Arrays.fill(value, (byte) 'v');
        for (int i = 0; i < n; i++) {
            replay.run(new byte[][] {"SET".getBytes(), (big + (i % 100)).getBytes(), value});
            replay.run(argv("INCR", other));
        }
        assertThat(replay.finish()).isZero();
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", other)).isEqualTo(Integer.toString(n));
            assertThat(c.cmd("STRLEN", big + "7")).isEqualTo(1024L);
        }
    }
}
