package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.support.AppProcess;
import io.percore.demo.support.RespTestClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 69, a planned stop with an operator: a primary with {@code shutdown-handover} that gets SIGTERM holds its writes
 * and keeps answering until it is demoted ({@code REPLICAOF}, the operator's switchover), then closes and, for a moment,
 * relays its port to the new primary, so that a client still routed to it reaches the new primary; then it ends.
 */
class StopHandsOverTest {

    @Test
    void aStoppingPrimaryWaitsToBeDemotedThenRefusesAndEnds() throws Exception {
        try (AppProcess primary = AppProcess.start(2, List.of(), "--percore.demo.replication.shutdown-handover=30s")) {
            try (AppProcess replica = AppProcess.start(2, List.of(), "--percore.demo.replication.replicaof=127.0.0.1 " + primary.respPort());
                 RespTestClient p = new RespTestClient(primary.respPort());
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                awaitContains(r, "master_link_status:up");
                assertThat(p.cmd("SET", "k", "v")).isEqualTo("OK");
                assertThat(p.cmd("WAIT", "1", "30000")).isEqualTo(1L);

                primary.terminate();
                // far longer than a primary without a handover takes to close (milliseconds once its replica has its writes)
                Thread.sleep(2_000);
                try (RespTestClient operator = new RespTestClient(primary.respPort())) {
                    assertThat(String.valueOf(operator.cmd("INFO", "replication"))).as("still answering the operator, writes held")
                            .contains("role:master");
                    assertThat(primary.waitFor(0)).isFalse();
                    // the operator's switchover: the replica promoted at the primary's offset, the old primary demoted under it
                    assertThat(r.cmd("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
                    operator.cmd("REPLICAOF", "127.0.0.1", String.valueOf(replica.respPort()));
                }
                long demoted = System.nanoTime();
                // a client the Service still sends to the old pod reaches the new primary through it, AUTH and all
                String through = null;
                while (through == null && !primary.waitFor(0)) {
                    through = throughOldPort(primary.respPort());
                }
                assertThat(through).as("a connection to the old primary's port, relayed").contains("role:master")
                        .contains("tcp_port:" + replica.respPort());
                assertThat(primary.waitFor(60)).as("it ends once demoted, within its bound").isTrue();
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - demoted)).as("not the 30 s bound").isLessThan(25);
                assertThat(refused(primary.respPort())).as("nothing listens after it").isTrue();
                assertThat(primary.output()).contains("connection(s) relayed there while the Service still routed here");
                assertThat(r.cmd("GET", "k")).isEqualTo("v");
                assertThat(String.valueOf(r.cmd("INFO", "replication"))).contains("role:master");
            }
        }
    }

    /** INFO server and replication through the old primary's port, or null while nothing answers there as the new primary. */
    private static String throughOldPort(int port) throws InterruptedException {
        try (RespTestClient c = new RespTestClient(port)) {
            String info = String.valueOf(c.cmd("INFO"));
            return info.contains("role:master") ? info : null;
        } catch (IOException | RuntimeException e) {
            Thread.sleep(10);
            return null;
        }
    }

    private static boolean refused(int port) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
            return false;
        } catch (ConnectException e) {
            return true;
        }
    }

    private static void awaitContains(RespTestClient c, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!String.valueOf(c.cmd("INFO", "replication")).contains(text)) {
            assertThat(System.nanoTime()).as(text).isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
