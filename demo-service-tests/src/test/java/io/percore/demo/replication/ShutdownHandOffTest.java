package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.signal;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.persistence.SaveRules;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SHUTDOWN as Redis 7 does it: writes are held from the start, so nothing is acknowledged that the
 * final save misses; a primary waits up to shutdown-timeout for its replicas to acknowledge every
 * write (a replica promoted afterwards has them all); SHUTDOWN ABORT calls a waiting shutdown off
 * and the held writes run; NOW does not wait.
 */
class ShutdownHandOffTest {

    @TempDir
    Path dir;

    private TestServices start(SaveRules rules) {
        return TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir).withSave(rules)));
    }

    private RealRedis replicaOf(int port) throws Exception {
        return RealRedis.start("--dir", Files.createTempDirectory(dir, "replica").toString(), "--replicaof", "127.0.0.1",
                Integer.toString(port), "--repl-timeout", "60");
    }

    /** SHUTDOWN's answer: null when the connection closed with the service (its way of succeeding), else the reply. */
    private static CompletableFuture<Object> shutdown(int port, String... options) {
        return CompletableFuture.supplyAsync(() -> {
            try (RespTestClient s = new RespTestClient(port)) {
                String[] command = new String[options.length + 1];
                command[0] = "SHUTDOWN";
                System.arraycopy(options, 0, command, 1, options.length);
                return s.cmd(command);
            } catch (IOException e) {
                return null;
            }
        });
    }

    @Test
    void shutdownWaitsUntilALaggingReplicaHasEveryWrite() throws Exception {
        try (TestServices demo = start(SaveRules.NONE); RespTestClient c = new RespTestClient(demo.respPort());
             RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
            waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
            long pid = replica.process().pid();
            signal("STOP", pid); // it lags: takes nothing for a while
            for (int i = 0; i < 2000; i++) {
                c.cmd("SET", "k:" + i, "v" + i);
            }
            long start = System.nanoTime();
            CompletableFuture<Object> shutdown = shutdown(demo.respPort(), "NOSAVE");
            Thread.sleep(1000);
            assertThat(shutdown).as("it waits for the replica").isNotDone();
            signal("CONT", pid);
            assertThat(shutdown.get(30, TimeUnit.SECONDS)).as("the service stopped").isNull();
            assertThat(System.nanoTime() - start).isGreaterThan(TimeUnit.MILLISECONDS.toNanos(900));
            waitFor(() -> "down".equals(info(r).get("master_link_status")), "the replica sees its primary gone");
            assertThat(r.cmd("DBSIZE")).as("every acknowledged write reached the replica").isEqualTo(2000L);
        }
    }

    /**
     * A replica that goes while the shutdown waits for it (killed here; promoted and closing its link in a handover) is not
     * waited for: redis-server's isReadyToShutdown asks only the replicas still there, and stops at once with none left.
     * Both primaries, redis-server's and the demo's, with a 60 s shutdown-timeout, must stop within a few seconds of it.
     */
    @Test
    void aReplicaThatLeavesWhileTheShutdownWaitsIsNotWaitedFor() throws Exception {
        try (RealRedis redisPrimary = RealRedis.start("--save", "", "--repl-diskless-sync-delay", "0");
             TestServices demo = start(SaveRules.NONE)) {
            for (int port : new int[] {redisPrimary.port(), demo.respPort()}) {
                String primary = port == demo.respPort() ? "the demo" : "redis-server";
                try (RespTestClient c = new RespTestClient(port); RespTestClient w = new RespTestClient(port);
                     RealRedis replica = replicaOf(port); RespTestClient r = new RespTestClient(replica.port())) {
                    waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                    c.cmd("CONFIG", "SET", "shutdown-timeout", "60");
                    long pid = replica.process().pid();
                    signal("STOP", pid); // it lags: the shutdown waits for it
                    c.cmd("SET", "k", "v");
                    CompletableFuture<Object> shutdown = shutdown(port, "NOSAVE");
                    CompletableFuture.runAsync(() -> {
                        try {
                            while (true) {
                                w.cmd("SET", "during", "1"); // answered until the shutdown holds writes, then held until it ends
                            }
                        } catch (IOException e) {
                            // the primary went
                        }
                    });
                    // redis-server counts the SHUTDOWN's own client blocked too
                    waitFor(() -> Integer.parseInt(info(c).getOrDefault("blocked_clients", "0")) >= 1,
                            primary + "'s shutdown holds writes, waiting");
                    assertThat(shutdown).as("%s waits for its lagging replica", primary).isNotDone();
                    long left = System.nanoTime();
                    signal("KILL", pid);
                    assertThat(shutdown.get(30, TimeUnit.SECONDS)).as("%s stopped", primary).isNull();
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - left))
                            .as("%s stopped once its only replica was gone, not at its 60 s shutdown-timeout", primary).isLessThan(15_000);
                }
            }
        }
    }

    @Test
    void shutdownGoesOnAfterShutdownTimeoutAndNowDoesNotWaitAtAll() throws Exception {
        for (String mode : new String[] {"timeout", "now"}) {
            try (TestServices demo = start(SaveRules.NONE); RespTestClient c = new RespTestClient(demo.respPort());
                 RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
                // 5 s: room between NOW and the timeout for a loaded machine's slow stop
                c.cmd("CONFIG", "SET", "shutdown-timeout", "5");
                long pid = replica.process().pid();
                signal("STOP", pid);
                try {
                    c.cmd("SET", "k", "v");
                    long start = System.nanoTime();
                    Object answer = mode.equals("now") ? shutdown(demo.respPort(), "NOSAVE", "NOW").get(30, TimeUnit.SECONDS)
                            : shutdown(demo.respPort(), "NOSAVE").get(30, TimeUnit.SECONDS);
                    long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                    assertThat(answer).as("the service stopped").isNull();
                    if (mode.equals("now")) {
                        assertThat(millis).as("NOW waits for nobody").isLessThan(4900);
                    } else {
                        assertThat(millis).as("it waited shutdown-timeout, then went on").isBetween(4900L, 30_000L);
                    }
                } finally {
                    signal("CONT", pid);
                }
            }
        }
    }

    @Test
    void shutdownAbortCallsOffAWaitingShutdownAndTheHeldWritesRun() throws Exception {
        try (TestServices demo = start(SaveRules.NONE); RespTestClient c = new RespTestClient(demo.respPort());
             RespTestClient w = new RespTestClient(demo.respPort());
             RealRedis replica = replicaOf(demo.respPort()); RespTestClient r = new RespTestClient(replica.port())) {
            waitFor(() -> "up".equals(info(r).get("master_link_status")), "the replica's link comes up");
            assertThat(c.cmd("SHUTDOWN", "ABORT")).isEqualTo(new RespTestClient.Err("ERR No shutdown in progress."));
            long pid = replica.process().pid();
            signal("STOP", pid);
            try {
                c.cmd("SET", "before", "1");
                CompletableFuture<Object> shutdown = shutdown(demo.respPort());
                Thread.sleep(500); // the shutdown holds writes and waits for the replica
                CompletableFuture<Object> held = CompletableFuture.supplyAsync(() -> {
                    try {
                        return w.cmd("SET", "during", "1");
                    } catch (IOException e) {
                        return e;
                    }
                });
                waitFor(() -> "1".equals(info(c).get("blocked_clients")), "the write is held");
                assertThat(held).as("writes are held while it waits").isNotDone();
                assertThat(c.cmd("GET", "before")).as("reads go on").isEqualTo("1");
                assertThat(c.cmd("SHUTDOWN", "ABORT")).isEqualTo("OK");
                assertThat(shutdown.get(10, TimeUnit.SECONDS)).isEqualTo(new RespTestClient.Err("ERR Errors trying to SHUTDOWN. Check logs."));
                assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("OK");
                assertThat(c.cmd("GET", "during")).isEqualTo("1");
            } finally {
                signal("CONT", pid);
            }
        }
    }

    @Test
    void noWriteAcknowledgedBeforeShutdownSaveIsMissingFromTheFinalSave() throws Exception {
        AtomicLong acknowledged = new AtomicLong(-1);
        AtomicBoolean stop = new AtomicBoolean();
        try (TestServices demo = start(SaveRules.parse("3600 1"))) {
            String[] keys = {demo.keyOn(0, "w"), demo.keyOn(1, "w")};
            Thread writer = new Thread(() -> {
                try (RespTestClient w = new RespTestClient(demo.respPort())) {
                    for (long i = 0; !stop.get(); i++) {
                        if (!"OK".equals(w.cmd("SET", keys[(int) (i % 2)] + ":" + i, "v"))) {
                            return;
                        }
                        acknowledged.set(i);
                    }
                } catch (IOException e) {
                    // the service stopped
                }
            });
            writer.start();
            waitFor(() -> acknowledged.get() > 2000, "writes are under way");
            assertThat(shutdown(demo.respPort(), "SAVE").get(60, TimeUnit.SECONDS)).isNull();
            writer.join(10_000);
            stop.set(true);
        }
        try (TestServices restarted = start(SaveRules.NONE); RespTestClient c = new RespTestClient(restarted.respPort())) {
            long last = acknowledged.get();
            String[] keys = {restarted.keyOn(0, "w"), restarted.keyOn(1, "w")};
            for (long i = 0; i <= last; i++) {
                assertThat(c.cmd("EXISTS", keys[(int) (i % 2)] + ":" + i)).as("acknowledged write " + i + " of " + last).isEqualTo(1L);
            }
        }
    }
}
