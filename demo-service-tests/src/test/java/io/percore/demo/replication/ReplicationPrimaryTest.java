package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.DemoProcess;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.PartitionedLink;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a primary, with a real redis-server 7.0 as its replica: one snapshot for all
 * shards and one stream that redis-server applies (transactions and commands spanning shards as
 * MULTI ... EXEC), writes going on during the full sync, WAIT counting its acks, a partial resync
 * after the link breaks, {@code min-replicas-to-write}, and a replica too slow for the stream cut
 * off by its output limit and back with a full sync.
 */
class ReplicationPrimaryTest {

    @TempDir
    Path dir;

    private TestServices start(int shards) {
        return TestServices.start(shards, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
    }

    private RealRedis replicaOf(int port) throws Exception {
        Path replicaDir = java.nio.file.Files.createTempDirectory(dir, "replica");
        return RealRedis.start("--dir", replicaDir.toString(), "--replicaof", "127.0.0.1", Integer.toString(port),
                "--repl-timeout", "60");
    }

    @Test
    void aRedisReplicaGetsOneSnapshotOfAllShardsAndOneStreamWhileWritesGoOn() throws Exception {
        try (TestServices demo = start(3); RespTestClient c = new RespTestClient(demo.respPort())) {
            KeyspaceContents.fillEveryType(c);
            for (int i = 0; i < 2000; i++) {
                c.cmd("SET", "before:" + i, "v" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (RespTestClient w = new RespTestClient(demo.respPort())) {
                    for (int i = 0; !stop.get(); i++) {
                        w.cmd("SET", "during:" + i, "v" + i);
                        w.cmd("INCR", "counter");
                        w.cmd("MSET", demo.keyOn(0, "m"), "a" + i, demo.keyOn(1, "m"), "b" + i, demo.keyOn(2, "m"), "c" + i);
                        w.cmd("MULTI");
                        w.cmd("LPUSH", demo.keyOn(1, "list"), "x" + i);
                        w.cmd("HSET", demo.keyOn(2, "hash"), "f" + (i % 50), "v" + i);
                        w.cmd("EXEC");
                        written.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            try (RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                long at = written.get();
                waitFor(() -> written.get() > at + 200, "writes go on after the sync");
                stop.set(true);
                writer.join(10_000);
                c.cmd("EXPIRE", "before:1", "5000");
                c.cmd("DEL", "before:2");
                assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(c));
                Map<String, String> ours = info(c);
                assertThat(ours).containsEntry("role", "master").containsEntry("connected_slaves", "1")
                        .containsEntry("sync_full", "1");
                assertThat(ours.get("slave0")).contains("state=online");
                assertThat(info(r).get("master_repl_offset")).isEqualTo(ours.get("master_repl_offset"));
                List<?> role = (List<?>) c.cmd("ROLE");
                assertThat(role.get(0)).isEqualTo("master");
                assertThat((List<?>) role.get(2)).hasSize(1);
            }
        }
    }

    @Test
    void aBrokenLinkResyncsPartiallyAndNothingIsAppliedTwice() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort());
             RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
            waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
            for (int i = 0; i < 500; i++) {
                c.cmd("INCR", demo.keyOn(i % 2, "n"));
            }
            assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
            r.cmd("CLIENT", "KILL", "TYPE", "master"); // the replica drops its link and asks to continue
            for (int i = 0; i < 500; i++) {
                c.cmd("INCR", demo.keyOn(i % 2, "n"));
            }
            waitFor(() -> "up".equals(info(r).get("master_link_status")), "the link comes back");
            assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
            assertThat(r.cmd("GET", demo.keyOn(0, "n"))).isEqualTo("500");
            assertThat(r.cmd("GET", demo.keyOn(1, "n"))).isEqualTo("500");
            Map<String, String> stats = info(c);
            assertThat(stats).containsEntry("sync_full", "1").containsEntry("sync_partial_ok", "1");
        }
    }

    @Test
    void waitCountsAcksAndMinReplicasToWriteRefusesWritesWithoutThem() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("SET", "k", "v")).isEqualTo("OK");
            assertThat(c.cmd("WAIT", "1", "100")).isEqualTo(0L); // no replica: the time runs out
            c.cmd("CONFIG", "SET", "min-replicas-to-write", "1");
            waitFor(() -> String.valueOf(cmd(c, "SET", "k", "v2")).startsWith("Err[text=NOREPLICAS"), "writes are refused");
            assertThat(c.cmd("GET", "k")).isEqualTo("v"); // reads are not
            try (RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "OK".equals(cmd(c, "SET", "k", "v3")), "a good replica lets writes through");
                assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                assertThat(r.cmd("GET", "k")).isEqualTo("v3");
                c.cmd("CONFIG", "SET", "min-replicas-to-write", "2");
                waitFor(() -> String.valueOf(cmd(c, "SET", "k", "v4")).startsWith("Err[text=NOREPLICAS"), "two are needed now");
            }
        }
    }

    /**
     * Issue 74: a primary frozen (SIGSTOP) longer than {@code min-replicas-max-lag}, its replica cut off meanwhile, reads
     * on its thaw the acks that waited for it. They date from before the freeze, however late they arrive: the first
     * write after the thaw is refused, and the replica is not counted good when its old acks have been read (dated by
     * arrival, as Redis does, it was at once, and the thawed primary took writes beside the primary that replaced it: 1.2
     * s on the real node). Once the link carries the stream again, the replica's acks prove themselves and writes pass.
     */
    @Test
    void aThawedPrimaryDoesNotCountAcksThatWaitedForItAsFresh() throws Exception {
        try (DemoProcess primary = DemoProcess.start(2); RespTestClient c = new RespTestClient(primary.respPort());
             PartitionedLink link = PartitionedLink.to(primary.respPort());
             RealRedis replica = replicaOf(link.port()); RespTestClient r = new RespTestClient(replica.port())) {
            c.cmd("CONFIG", "SET", "min-replicas-max-lag", "2");
            c.cmd("CONFIG", "SET", "min-replicas-to-write", "1");
            waitFor(() -> "OK".equals(cmd(c, "SET", "k", "before")), "a good replica lets writes through");
            signal("STOP", primary.pid());
            long frozenAt = System.nanoTime();
            try {
                link.partition();
                long heldBefore = link.heldToPrimary();
                // the replica acks once a second what it has, and at once a GETACK the primary sent just before its freeze:
                // three acks may wait after only a second, so the freeze is also timed past the lag (2 s) with a margin,
                // else the acks read on the thaw are fresh enough and the write passes rightly
                waitFor(() -> link.heldToPrimary() >= heldBefore + 3 * "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$1\r\n0\r\n".length()
                        && System.nanoTime() - frozenAt > TimeUnit.SECONDS.toNanos(3), "the replica's acks wait in the partition");
                link.healToPrimary(); // into the frozen primary's socket: read on its thaw, as if they had just come
            } finally {
                signal("CONT", primary.pid());
            }
            assertThat(String.valueOf(cmd(c, "SET", "k", "thawed"))).as("the first write after the thaw").startsWith("Err[text=NOREPLICAS");
            waitFor(() -> lagOf(info(c)) <= 1, "the thawed primary has read the replica's old acks");
            Map<String, String> thawed = info(c);
            assertThat(thawed).as("old acks read late").containsEntry("min_slaves_good_slaves", "0");
            assertThat(String.valueOf(cmd(c, "SET", "k", "thawed"))).startsWith("Err[text=NOREPLICAS");
            link.heal();
            waitFor(() -> "OK".equals(cmd(c, "SET", "k", "healed")), "the replica's fresh acks let writes through again");
            assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
            assertThat(r.cmd("GET", "k")).isEqualTo("healed");
        }
    }

    private static long lagOf(Map<String, String> info) {
        String slave = info.getOrDefault("slave0", "");
        int at = slave.indexOf("lag=");
        return at < 0 ? Long.MAX_VALUE : Long.parseLong(slave.substring(at + 4).split(",")[0]);
    }

    @Test
    void aReplicaTooSlowForTheStreamIsCutOffByItsOutputLimitAndComesBackWithAFullSync() throws Exception {
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort());
             RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
            waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
            c.cmd("CONFIG", "SET", "client-output-buffer-limit", "replica 2mb 0 0");
            c.cmd("CONFIG", "SET", "repl-backlog-size", "64kb");
            long pid = replica.process().pid();
            signal("STOP", pid); // a replica that reads nothing
            try {
                String value = "x".repeat(10_000);
                for (int i = 0; i < 2000; i++) { // 20 MB: past the socket's buffers and the 2 MB limit
                    c.cmd("SET", "big:" + (i % 100), value);
                }
                waitFor(() -> "0".equals(info(c).get("connected_slaves")), "the primary cuts it off");
                // what it held goes with it: the backlog's 64 kb (and a block) stay
                waitFor(() -> Long.parseLong(info(c).get("mem_total_replication_buffers")) < 256 << 10, "its share of the stream goes");
            } finally {
                signal("CONT", pid);
            }
            c.cmd("SET", "after", "1");
            waitFor(() -> "1".equals(cmd(r, "GET", "after")), "it comes back");
            assertThat(info(c)).containsEntry("sync_full", "2");
            assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(c));
        }
    }

    @Test
    void aReplicaRestartedResyncsPartiallyWhenTheBacklogHoldsItsOffsetAndFullyOtherwise() throws Exception {
        Path replicaDir = java.nio.file.Files.createTempDirectory(dir, "restarted");
        try (TestServices demo = start(2); RespTestClient c = new RespTestClient(demo.respPort())) {
            String[] replicaOptions = {"--dir", replicaDir.toString(), "--replicaof", "127.0.0.1", Integer.toString(demo.respPort())};
            for (int round = 0; round < 2; round++) {
                try (RealRedis replica = RealRedis.start(replicaOptions); RespTestClient r = new RespTestClient(replica.port())) {
                    waitFor(() -> "up".equals(info(r).get("master_link_status")), "the link comes up");
                    for (int i = 0; i < 100; i++) {
                        c.cmd("INCR", demo.keyOn(i % 2, "n"));
                    }
                    assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                    cmd(r, "SHUTDOWN", "SAVE"); // its RDB keeps the replication id and offset: a restart can continue
                    waitFor(() -> !replica.process().isAlive(), "the replica stops");
                }
                if (round == 0) {
                    for (int i = 0; i < 100; i++) {
                        c.cmd("INCR", demo.keyOn(i % 2, "n")); // while it is down: a few bytes, well inside the backlog
                    }
                } else {
                    c.cmd("CONFIG", "SET", "repl-backlog-size", "16kb");
                    for (int i = 0; i < 200; i++) {
                        c.cmd("SET", "filler:" + (i % 10), "y".repeat(1000)); // 200 kB: its offset falls out of the backlog
                    }
                }
                try (RealRedis replica = RealRedis.start(replicaOptions); RespTestClient r = new RespTestClient(replica.port())) {
                    waitFor(() -> "up".equals(info(r).get("master_link_status")), "the link comes back");
                    assertThat(c.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                    assertThat(KeyspaceContents.of(r)).isEqualTo(KeyspaceContents.of(c));
                    cmd(r, "SHUTDOWN", "SAVE");
                    waitFor(() -> !replica.process().isAlive(), "the replica stops");
                }
                Map<String, String> stats = info(c);
                if (round == 0) {
                    assertThat(stats).as("continued from its offset").containsEntry("sync_full", "1").containsEntry("sync_partial_ok", "1");
                } else {
                    assertThat(stats).as("its offset was gone: a full sync").containsEntry("sync_full", "2")
                            .containsEntry("sync_partial_err", "1");
                }
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static void signal(String sig, long pid) throws Exception {
        new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
    }

    static Object cmd(RespTestClient c, String... args) {
        try {
            return c.cmd(args);
        } catch (IOException e) {
            return e;
        }
    }

    static Map<String, String> info(RespTestClient c) {
        Map<String, String> out = new HashMap<>();
        String text;
        try {
            text = (String) c.cmd("INFO", "everything");
        } catch (IOException e) {
            return out;
        }
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    static void waitFor(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(50);
        }
    }
}
