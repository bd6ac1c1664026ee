package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.event.connection.DisconnectedEvent;
import io.percore.demo.support.AppProcess;
import io.percore.demo.support.RespTestClient;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * What a SIGTERM (a pod deleted, drained or rolled) does to the clients of the process it stops, all of them in one
 * process and one stop, since each stop ends its process:
 * <ul>
 *   <li>Issue 69, clients reconnect at once: the service closes its clients' connections itself, idle ones when the
 *       servers' drain begins and a blocked BLPOP with its timeout answer, within the shutdown's bound, so a client
 *       learns at once that it must reconnect (through the Service, to the next primary) rather than wait on a
 *       connection to a process that is gone.</li>
 *   <li>What a stop does not wait for: a WAIT for acknowledgements that will not come is answered with what was
 *       acknowledged (0), and writes a CLIENT PAUSE holds never run: their connection closes unanswered, as Redis's
 *       exit closes it. Before, each held the servers' drain for its whole timeout (67.5 s): a primary whose replicas
 *       vanished with it (every pod of the service deleted) held its clients' writes for the shutdown and went on
 *       until the kubelet's SIGKILL.</li>
 *   <li>A replica that reads nothing more (itself stopping: every pod of the service deleted at once) leaves the stream
 *       it is owed unread. Its link is closed when the servers' drain begins, as Redis drops its replicas when it
 *       exits: before, that output held the drain until repl-timeout, and the old primary's stop ran a minute past its
 *       SIGTERM on the real node (FaultCampaignIT's thread dump).</li>
 * </ul>
 */
class StopClosesClientsTest {

    @Test
    void sigtermClosesEveryClientAndWaitsNeitherForAWaitNorAPauseNorAReplicaThatReadsNothing(@TempDir Path data) throws Exception {
        // its final save goes to a directory of its own, not the working directory
        try (AppProcess app = AppProcess.start(2, List.of(), "--percore.demo.persistence.dir=" + data);
             RespTestClient admin = new RespTestClient(app.respPort());
             Socket replica = new Socket()) {
            String value = "v".repeat(64 * 1024);
            for (int i = 0; i < 160; i++) { // 10 MB: far more than the sockets between primary and replica hold
                assertThat(admin.cmd("SET", "big:" + i, value)).isEqualTo("OK");
            }
            replica.setReceiveBufferSize(16 * 1024);
            replica.connect(new InetSocketAddress("127.0.0.1", app.respPort()));
            replica.getOutputStream().write(RespTestClient.encode("PSYNC", "?", "-1"));
            long synced = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!String.valueOf(admin.cmd("INFO", "replication")).contains("connected_slaves:1")) {
                assertThat(System.nanoTime()).as("the replica's sync begins").isLessThan(synced);
                Thread.sleep(20);
            }

            RedisClient lettuce = RedisClient.create(RedisURI.create("127.0.0.1", app.respPort()));
            lettuce.setOptions(ClientOptions.builder().autoReconnect(false).build());
            CountDownLatch lettuceClosed = new CountDownLatch(1);
            lettuce.getResources().eventBus().get().subscribe(e -> {
                if (e instanceof DisconnectedEvent) {
                    lettuceClosed.countDown();
                }
            });
            try (StatefulRedisConnection<String, String> connection = lettuce.connect();
                 Jedis jedis = new Jedis("127.0.0.1", app.respPort(), 120_000);
                 RespTestClient blocked = new RespTestClient(app.respPort());
                 RespTestClient waiting = new RespTestClient(app.respPort());
                 RespTestClient held = new RespTestClient(app.respPort())) {
                assertThat(connection.sync().set("k", "v")).isEqualTo("OK");
                assertThat(jedis.get("k")).isEqualTo("v");
                blocked.send(RespTestClient.encode("BLPOP", "list", "0"));
                waiting.send(RespTestClient.encode("WAIT", "1", "0")); // the replica never acknowledges
                assertThat(admin.cmd("CLIENT", "PAUSE", "600000", "WRITE")).isEqualTo("OK");
                held.send(RespTestClient.encode("SET", "k", "held"));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                // blocked_clients: the BLPOP and the write the pause holds (a WAIT is not counted, as in Redis)
                while (!(String.valueOf(admin.cmd("CLIENT", "LIST")).contains("cmd=wait")
                        && String.valueOf(admin.cmd("INFO", "clients")).contains("blocked_clients:2"))) {
                    assertThat(System.nanoTime()).as("the BLPOP blocks, the WAIT waits and the SET is held").isLessThan(deadline);
                    Thread.sleep(20);
                }

                long t0 = System.nanoTime();
                app.terminate();
                assertThat(lettuceClosed.await(60, TimeUnit.SECONDS)).as("Lettuce sees its connection closed").isTrue();
                assertThat(blocked.read()).as("the blocked client is answered as timed out").isNull();
                assertThat(blocked.closedByServer()).isTrue();
                assertThat(waiting.read()).as("the WAIT is answered: no replica acknowledged").isEqualTo(0L);
                assertThat(held.closedByServer()).as("the held write's connection closes unanswered").isTrue();
                // Jedis's socket timeout is 120 s: its call fails long before, the connection closed by the service
                long called = System.nanoTime();
                assertThatThrownBy(() -> jedis.get("k")).isInstanceOf(JedisConnectionException.class);
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - called)).isLessThan(60);
                // repl-timeout is 60 s and the drain's timeout 67.5 s: a loaded machine's stop takes seconds
                assertThat(app.waitFor(40)).as("the process ends without waiting for the drain's timeout:\n%s", app.output()).isTrue();
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(40);
                assertThat(app.output()).contains("the server is shutting down");
            } finally {
                lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            }
        }
    }
}
