package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.cmd;
import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.persistence.PersistenceSettings;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a replica: a live migration from a real redis-server 7.0 while writes go on,
 * ended by {@code REPLICAOF NO ONE} with every key equal and nothing applied twice; writes from
 * clients refused with {@code -READONLY} meanwhile; and between services, a failover by
 * promotion after which the other replica continues with a partial resync (PSYNC2).
 */
class ReplicationReplicaTest {

    @TempDir
    Path dir;

    private TestServices start(int shards, String name) throws IOException {
        return TestServices.start(shards, DemoSettings.forTests().withPersistence(PersistenceSettings.in(Files.createDirectory(dir.resolve(name)))));
    }

    @Test
    void aLiveMigrationFromRedisLosesNothingAndAppliesNothingTwice() throws Exception {
        // no PING from the primary every 10 s: each is bytes of the stream after the offset the test reads, so a replica
        // that took longer than that to catch up under load passed the offset and never equalled it
        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--repl-diskless-sync-delay", "0", "--repl-ping-replica-period", "3600");
             RespTestClient p = new RespTestClient(redis.port())) {
            KeyspaceContents.fillEveryType(p);
            for (int i = 0; i < 2000; i++) {
                p.cmd("SET", "before:" + i, "v" + i);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong rounds = new AtomicLong();
            Thread writer = new Thread(() -> {
                try (RespTestClient w = new RespTestClient(redis.port())) {
                    for (int i = 0; !stop.get(); i++) {
                        w.cmd("INCR", "counter");
                        w.cmd("SET", "during:" + i, "v" + i, "EX", "5000");
                        w.cmd("MSET", "m:{a}" + (i % 10), "a" + i, "m:b" + (i % 10), "b" + i);
                        w.cmd("MULTI");
                        w.cmd("RPUSH", "list", "x" + i);
                        w.cmd("HINCRBY", "hash", "f" + (i % 7), "1");
                        w.cmd("SADD", "set", "m" + (i % 100));
                        w.cmd("EXEC");
                        w.cmd("ZINCRBY", "zset", "1", "z" + (i % 13));
                        if (i % 10 == 0) {
                            w.cmd("DEL", "before:" + (i / 10));
                        }
                        rounds.incrementAndGet();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            writer.start();
            try (TestServices demo = start(3, "replica"); RespTestClient s = new RespTestClient(demo.respPort())) {
                assertThat(s.cmd("REPLICAOF", "127.0.0.1", Integer.toString(redis.port()))).isEqualTo("OK");
                waitFor(() -> "up".equals(info(s).get("master_link_status")), "the link comes up");
                long at = rounds.get();
                waitFor(() -> rounds.get() > at + 300, "writes go on while it replicates");
                assertThat(String.valueOf(cmd(s, "SET", "x", "1"))).startsWith("Err[text=READONLY You can't write against a read only replica.");
                assertThat(s.cmd("ROLE")).isInstanceOf(List.class);
                assertThat(((List<?>) s.cmd("ROLE")).get(0)).isEqualTo("slave");
                stop.set(true);
                writer.join(10_000);
                long offset = Long.parseLong(info(p).get("master_repl_offset"));
                waitFor(() -> Long.parseLong(info(s).get("slave_repl_offset")) == offset, "it applied the whole stream");
                assertThat(Long.parseLong(info(s).get("master_repl_offset"))).isEqualTo(offset);
                assertThat(s.cmd("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
                assertThat(KeyspaceContents.of(s)).isEqualTo(KeyspaceContents.of(p));
                assertThat(s.cmd("GET", "counter")).isEqualTo(Long.toString(rounds.get()));
                assertThat(s.cmd("SET", "x", "1")).isEqualTo("OK"); // a primary now
                assertThat(info(s)).containsEntry("role", "master");
            }
        }
    }

    @Test
    void aPromotedReplicaIsAPrimaryItsPeersResyncWithPartially() throws Exception {
        try (TestServices primary = start(2, "primary"); TestServices a = start(2, "a"); TestServices b = start(2, "b");
             RespTestClient p = new RespTestClient(primary.respPort()); RespTestClient ra = new RespTestClient(a.respPort());
             RespTestClient rb = new RespTestClient(b.respPort())) {
            for (int i = 0; i < 1000; i++) {
                p.cmd("SET", "k:" + i, "v" + i);
            }
            ra.cmd("REPLICAOF", "127.0.0.1", Integer.toString(primary.respPort()));
            rb.cmd("REPLICAOF", "127.0.0.1", Integer.toString(primary.respPort()));
            waitFor(() -> "up".equals(info(ra).get("master_link_status")) && "up".equals(info(rb).get("master_link_status")),
                    "both links come up");
            for (int i = 0; i < 1000; i++) {
                p.cmd("INCR", "n");
            }
            assertThat(p.cmd("WAIT", "2", "10000")).isEqualTo(2L);
            primary.close(); // the primary is gone: both keep serving reads, their links down
            waitFor(() -> "down".equals(info(ra).get("master_link_status")), "a sees its link down");
            assertThat(ra.cmd("GET", "n")).isEqualTo("1000");
            assertThat(ra.cmd("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
            assertThat(rb.cmd("REPLICAOF", "127.0.0.1", Integer.toString(a.respPort()))).isEqualTo("OK");
            waitFor(() -> "up".equals(info(rb).get("master_link_status")), "b follows a");
            assertThat(info(ra)).containsEntry("sync_partial_ok", "1").containsEntry("sync_full", "0");
            for (int i = 0; i < 100; i++) {
                ra.cmd("INCR", "n");
            }
            assertThat(ra.cmd("WAIT", "1", "10000")).isEqualTo(1L);
            assertThat(rb.cmd("GET", "n")).isEqualTo("1100");
            assertThat(KeyspaceContents.of(rb)).isEqualTo(KeyspaceContents.of(ra));
        }
    }
}
