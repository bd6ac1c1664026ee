package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Issue 69, clients reconnect at once: a primary demoted by {@code REPLICAOF host port} (what the operator sends the old
 * primary after a failover) closes its clients' connections, all but the replicas' links and the one that sent
 * REPLICAOF (its reply arrives), so a client connected through the primary's Service sees its connection closed and
 * reconnects, to the new primary, instead of reading stale data, meeting -READONLY or waiting on a silence.
 */
class DemotionClosesClientsTest {

    @Test
    void aDemotedPrimaryClosesItsClientsAndLettuceAndJedisReconnect() throws Exception {
        try (TestServices next = TestServices.start(2, DemoSettings.forTests());
             TestServices old = TestServices.start(2, DemoSettings.forTests());
             RespTestClient operator = new RespTestClient(old.respPort());
             RespTestClient blocked = new RespTestClient(old.respPort())) {
            RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", old.respPort()));
            try (StatefulRedisConnection<String, String> connection = lettuce.connect();
                 Jedis jedis = new Jedis("127.0.0.1", old.respPort(), 60_000)) {
                RedisCommands<String, String> sync = connection.sync();
                assertThat(sync.set("k", "before")).isEqualTo("OK");
                assertThat(jedis.get("k")).isEqualTo("before");
                long lettuceId = sync.clientId();
                blocked.send(RespTestClient.encode("BLPOP", "list", "0"));
                waitFor(() -> "1".equals(info(operator).get("blocked_clients")), "the BLPOP blocks");

                assertThat(operator.cmd("REPLICAOF", "127.0.0.1", Integer.toString(next.respPort()))).as("its reply arrives").isEqualTo("OK");
                // answered on the same connection: PONG, or -LOADING when the sync already loads the new primary's snapshot
                // (Redis answers PING so while loading too: PING is not a command allowed during loading)
                assertThat(String.valueOf(operator.cmd("PING"))).as("the connection that sent REPLICAOF stays")
                        .satisfiesAnyOf(r -> assertThat(r).isEqualTo("PONG"), r -> assertThat(r).startsWith("Err[text=LOADING"));

                // a black hole would hold Jedis for its 60 s socket timeout; a replica would answer the read
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> jedis.get("k")).isInstanceOf(JedisConnectionException.class);
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(30);
                assertThat(blocked.closedByServer()).as("the blocked client's connection is closed").isTrue();

                // Lettuce notices, reconnects by itself and its next command runs on a new connection
                waitFor(() -> connection.sync().clientId() != lettuceId, "Lettuce reconnects");
                try (Jedis again = new Jedis("127.0.0.1", old.respPort(), 60_000)) {
                    assertThat(again.role().get(0)).isEqualTo("slave");
                }
                waitFor(() -> "up".equals(info(operator).get("master_link_status")), "the demoted primary follows the new one");
            } finally {
                lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void aReplicaPointedElsewhereKeepsItsClients() throws Exception {
        try (TestServices first = TestServices.start(2, DemoSettings.forTests());
             TestServices second = TestServices.start(2, DemoSettings.forTests());
             TestServices replica = TestServices.start(2, DemoSettings.forTests().withReplication(
                     DemoSettings.forTests().replication().withReplicaof("127.0.0.1", first.respPort())));
             RespTestClient operator = new RespTestClient(replica.respPort());
             RespTestClient reader = new RespTestClient(replica.respPort())) {
            // its first sync done: while it loads the primary's snapshot REPLICAOF is answered -LOADING, as Redis's (CI of
            // 2026-12-07: sent at once, it met the sync's load)
            waitFor(() -> "up".equals(info(operator).get("master_link_status")), "the replica's first sync");
            long id = (Long) reader.cmd("CLIENT", "ID");
            assertThat(operator.cmd("REPLICAOF", "127.0.0.1", Integer.toString(second.respPort()))).isEqualTo("OK");
            assertThat(reader.cmd("CLIENT", "ID")).as("only a demotion closes clients").isEqualTo(id);
        }
    }

    /**
     * A stopping primary waits for the operator's REPLICAOF ({@code DemoService.awaitHandover}): the wait ends at the change
     * of role itself, not at a poll's next beat or the deadline, and a primary that stays one is waited for until then.
     */
    @Test
    void aWaitForAReplicaRoleEndsAtTheReplicaofThatMakesOneAndOtherwiseAtItsDeadline() throws Exception {
        try (TestServices next = TestServices.start(1, DemoSettings.forTests());
             TestServices old = TestServices.start(1, DemoSettings.forTests())) {
            Replication r = old.service.replication();
            long began = System.nanoTime();
            assertThat(r.awaitRole(ReplicationRole::replica, began + TimeUnit.MILLISECONDS.toNanos(200))).as("a primary stays one").isNull();
            assertThat(System.nanoTime() - began).as("until the deadline").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));

            java.util.concurrent.CompletableFuture<ReplicationRole> waiting = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return r.awaitRole(ReplicationRole::replica, System.nanoTime() + TimeUnit.SECONDS.toNanos(120));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            r.replicaOf("127.0.0.1", next.respPort()).join();
            // far below the wait's own 120 s: only the change's notice ends it this soon
            ReplicationRole seen = waiting.get(30, TimeUnit.SECONDS);
            assertThat(seen.follows("127.0.0.1", next.respPort())).isTrue();
        }
    }
}
