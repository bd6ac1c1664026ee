package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestPorts;
import io.percore.demo.support.TestServices;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * {@code replica-serve-stale-data} (Redis's, yes by default): with no, a replica whose link to its primary is not up
 * answers {@code -MASTERDOWN} to every command without Redis's {@code stale} flag, reads included, byte for byte as a
 * redis-server 7.0.15 replica in the same state; once the link streams it answers them again.
 */
class ServeStaleDataTest {

    @Test
    void aReplicaWithoutItsLinkRefusesWhatRedisRefusesWithTheSameError() throws Exception {
        int nobody = TestPorts.free(); // nothing listens there: both replicas' links stay down
        // set after the start: redis-server answers even PING with -MASTERDOWN then, which RealRedis waits for
        try (RealRedis redis = RealRedis.start("--replicaof", "127.0.0.1", Integer.toString(nobody));
             TestServices demo = TestServices.start(2, DemoSettings.forTests().withReplication(
                     DemoSettings.forTests().replication().withReplicaof("127.0.0.1", nobody).withServeStaleData(false)))) {
            try (RespTestClient r = new RespTestClient(redis.port())) {
                assertThat(r.cmd("CONFIG", "SET", "replica-serve-stale-data", "no")).isEqualTo("OK");
            }
            redis.inBothProtocols(demo.respPort(), (r, d, proto) -> RealRedis.sameReplies(r, d, proto, new String[][] {
                {"GET", "k"},
                {"SET", "k", "v"},
                {"DEL", "k"},
                {"MGET", "a", "b"},
                {"EXISTS", "k"},
                {"DBSIZE"},
                {"KEYS", "*"},
                {"TTL", "k"},
                {"PING"},
                {"ECHO", "still here"},
                {"SELECT", "1"},
                {"SELECT", "0"},
                {"CONFIG", "GET", "replica-serve-stale-data"},
                {"CONFIG", "GET", "slave-serve-stale-data"},
                {"EVAL", "return 1", "0"},
                {"EVAL", "#!lua\nreturn 1", "0"},
                {"EVAL", "#!lua flags=allow-stale,no-writes\nreturn 1", "0"},
                {"MULTI"},
                {"PING"},
                {"GET", "k"},
                {"EXEC"},
                {"MULTI"},
                {"PING"},
                {"EXEC"},
                {"CONFIG", "SET", "replica-serve-stale-data", "yes"},
                {"GET", "k"},
                {"CONFIG", "SET", "replica-serve-stale-data", "no"},
                {"GET", "k"},
            }, UnaryOperator.identity()));
        }
    }

    @Test
    void aReplicaServesItsDataWhileItsLinkStreamsOnly() throws Exception {
        TestServices primary = TestServices.start(2, DemoSettings.forTests());
        boolean stopped = false;
        try (RespTestClient p = new RespTestClient(primary.respPort())) {
            p.cmd("SET", "k", "v");
            try (TestServices replica = TestServices.start(2, DemoSettings.forTests().withReplication(
                    DemoSettings.forTests().replication().withReplicaof("127.0.0.1", primary.respPort()).withServeStaleData(false)));
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitFor(() -> "v".equals(ReplicationPrimaryTest.cmd(r, "GET", "k")), "the replica answers reads once its link streams");
                primary.close();
                stopped = true;
                waitFor(() -> String.valueOf(ReplicationPrimaryTest.cmd(r, "GET", "k")).contains("MASTERDOWN"), "reads refused once the link is down");
                assertThat(info(r)).containsEntry("master_link_status", "down");
                assertThat(r.cmd("CONFIG", "SET", "replica-serve-stale-data", "yes")).isEqualTo("OK");
                assertThat(r.cmd("GET", "k")).as("what it has, stale").isEqualTo("v");
            }
        } finally {
            if (!stopped) {
                primary.close();
            }
        }
    }
}
