package io.percore.demo.replication;

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
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 68, replication: writes to databases 0, 3 and 15 (SELECT outside and inside transactions, MOVE,
 * COPY ... DB, SWAPDB) reach a replica in the right databases both ways with a real redis-server 7.0.15,
 * across a full sync and, as the primary goes on without a SELECT after a partial resync (its replica
 * keeps the database), across a partial one; a primary selecting a database the service does not have is
 * refused, nothing of it applied.
 */
class DatabasesReplicationTest {

    @TempDir
    Path dir;

    private TestServices start(int shards, String name) throws IOException {
        return TestServices.start(shards, DemoSettings.forTests()
                .withPersistence(PersistenceSettings.in(Files.createDirectory(dir.resolve(name)))));
    }

    /** Writes of every kind across databases 0, 3 and 15, ending in database 15. */
    private static void writeAcrossDatabases(RespTestClient c, String round) throws IOException {
        for (String db : KeyspaceContents.DATABASES) {
            c.cmd("SELECT", db);
            for (int i = 0; i < 50; i++) {
                c.cmd("SET", round + ":" + i, db + ":" + i);
            }
            c.cmd("RPUSH", round + ":list", db);
            c.cmd("INCRBY", "counter", db);
        }
        c.cmd("SELECT", "0");
        c.cmd("MULTI");
        c.cmd("SET", round + ":tx", "0");
        c.cmd("SELECT", "3");
        c.cmd("SET", round + ":tx", "3");
        c.cmd("EXEC"); // the client is in database 3 after it
        c.cmd("MOVE", round + ":tx", "15");
        c.cmd("COPY", round + ":list", round + ":copied", "DB", "0");
        c.cmd("SWAPDB", "0", "15");
        c.cmd("SELECT", "15");
        c.cmd("SET", round + ":last", "15");
    }

    private static long offset(RespTestClient c, String field) {
        return Long.parseLong(info(c).get(field));
    }

    @Test
    void theServiceAsAReplicaOfRedisServerAppliesEachWriteInItsDatabase() throws Exception {
        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--repl-diskless-sync-delay", "0");
             RespTestClient p = new RespTestClient(redis.port()); TestServices demo = start(3, "replica");
             RespTestClient s = new RespTestClient(demo.respPort())) {
            KeyspaceContents.fillDatabases(p);
            assertThat(s.cmd("REPLICAOF", "127.0.0.1", Integer.toString(redis.port()))).isEqualTo("OK");
            waitFor(() -> "up".equals(info(s).get("master_link_status")), "the link comes up");
            writeAcrossDatabases(p, "streamed");
            long at = offset(p, "master_repl_offset");
            waitFor(() -> offset(s, "slave_repl_offset") == at, "the replica applied the stream");
            assertThat(KeyspaceContents.ofDatabases(s)).as("after a full sync and the stream").isEqualTo(KeyspaceContents.ofDatabases(p));

            // the link drops; the primary goes on in database 15 without a SELECT once the replica continues
            assertThat((Long) p.cmd("CLIENT", "KILL", "TYPE", "replica")).isEqualTo(1L);
            waitFor(() -> "1".equals(info(p).get("sync_partial_ok")) && offset(p, "connected_slaves") == 1
                    && "up".equals(info(s).get("master_link_status")), "the replica is back with a partial resync");
            p.cmd("SELECT", "15");
            p.cmd("SET", "after:resync", "15");
            long after = offset(p, "master_repl_offset");
            waitFor(() -> offset(s, "slave_repl_offset") == after, "the replica applied what followed the resync");
            s.cmd("SELECT", "15");
            assertThat(s.cmd("GET", "after:resync")).as("in the database the stream had selected").isEqualTo("15");
            s.cmd("SELECT", "0");
            assertThat(s.cmd("EXISTS", "after:resync")).isEqualTo(0L);
            assertThat(KeyspaceContents.ofDatabases(s)).isEqualTo(KeyspaceContents.ofDatabases(p));
        }
    }

    @Test
    void redisServerAsAReplicaOfTheServiceAppliesEachWriteInItsDatabase() throws Exception {
        try (TestServices demo = start(3, "primary"); RespTestClient p = new RespTestClient(demo.respPort())) {
            KeyspaceContents.fillDatabases(p);
            Path replicaDir = Files.createDirectory(dir.resolve("redis"));
            try (RealRedis replica = RealRedis.start("--dir", replicaDir.toString(), "--replicaof", "127.0.0.1",
                    Integer.toString(demo.respPort())); RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "up".equals(info(r).get("master_link_status")), "redis-server's link comes up");
                writeAcrossDatabases(p, "streamed");
                long at = offset(p, "master_repl_offset");
                waitFor(() -> offset(r, "slave_repl_offset") == at, "redis-server applied the stream");
                Map<String, String> ours = KeyspaceContents.ofDatabases(p);
                assertThat(KeyspaceContents.ofDatabases(r)).as("redis-server's databases").isEqualTo(ours);
                assertThat(ours.keySet()).anyMatch(k -> k.startsWith("15:streamed:"));
            }
        }
    }

    @Test
    void aPrimarySelectingADatabaseTheServiceDoesNotHaveIsRefused() throws Exception {
        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--repl-diskless-sync-delay", "0", "--databases", "32");
             RespTestClient p = new RespTestClient(redis.port()); TestServices demo = start(2, "replica");
             RespTestClient s = new RespTestClient(demo.respPort())) {
            p.cmd("SET", "a", "0");
            assertThat(s.cmd("REPLICAOF", "127.0.0.1", Integer.toString(redis.port()))).isEqualTo("OK");
            waitFor(() -> "up".equals(info(s).get("master_link_status")), "the link comes up");
            p.cmd("SELECT", "20");
            p.cmd("SET", "b", "20");
            p.cmd("SELECT", "0");
            p.cmd("SET", "c", "0");
            // the stream is refused (the link drops), and the full sync that follows holds database 20: refused too
            waitFor(() -> Long.parseLong(info(p).get("sync_full")) >= 3, "the replica asked for a full sync again");
            assertThat(info(s).get("master_link_status")).isEqualTo("down");
            // the replica asks again and again, and answers LOADING while a sync's snapshot loads (until it meets database 20)
            assertThat(s.cmdOnceLoaded("EXISTS", "c")).as("nothing after the refused SELECT applied").isEqualTo(0L);
            assertThat(s.cmdOnceLoaded("SELECT", "20")).as("the service has 16 databases").isEqualTo(new RespTestClient.Err("ERR DB index is out of range"));
        }
    }
}
