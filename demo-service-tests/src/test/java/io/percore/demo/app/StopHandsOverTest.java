package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoService;
import io.percore.demo.DemoSettings;
import io.percore.demo.support.AppProcess;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
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
        try (AppProcess primary = primary("--percore.demo.replication.shutdown-handover=30s")) {
            try (TestServices replica = replica();
                 RespTestClient p = new RespTestClient(primary.respPort());
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                follow(r, primary);
                assertThat(p.cmd("SET", "k", "v")).isEqualTo("OK");
                assertThat(p.cmd("WAIT", "1", "30000")).isEqualTo(1L);

                primary.terminate();
                // its replica has every write: a primary without a handover closes from here on, in milliseconds, and the
                // relay below (which only a primary demoted while it waits opens) never comes
                primary.awaitOutput("1 replicas have every write", Duration.ofSeconds(60));
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
                String through = awaitRelayed(primary, Duration.ofSeconds(60));
                assertThat(through).as("a connection to the old primary's port, relayed").contains("role:master")
                        .contains(runIdOf(r));
                // a client that keeps writing through it is served past the relay's first 2 s: kube-proxy on a loaded node
                // moved a Service 16 s after the switchover (CI); before, the relay closed at 2 s whatever came through
                try (RespTestClient relayed = new RespTestClient(primary.respPort())) {
                    long until = System.nanoTime() + DemoService.HANDOVER_RELAY.plusSeconds(1).toNanos();
                    while (System.nanoTime() < until) {
                        assertThat(relayed.cmd("SET", "relayed", "x")).as("served through the relay").isEqualTo("OK");
                        Thread.sleep(100);
                    }
                }
                assertThat(primary.waitFor(60)).as("it ends once demoted, within its bound").isTrue();
                assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - demoted)).as("not the 30 s bound").isLessThan(25);
                assertThat(refused(primary.respPort())).as("nothing listens after it").isTrue();
                assertThat(primary.output()).contains("connection(s) relayed there while the Service still routed here");
                assertThat(r.cmd("GET", "k")).isEqualTo("v");
                assertThat(String.valueOf(r.cmd("INFO", "replication"))).contains("role:master");
            }
        }
    }

    /**
     * The operator can act on the pod's deletion before the kubelet's SIGTERM reaches the service's handover step (or
     * before it holds the writes): a primary demoted shortly before it stops relays its port to the new primary all the
     * same, instead of closing it to refusals while the Service still routes here.
     */
    @Test
    void aPrimaryDemotedBeforeItsStopBeganStillRelaysItsPort() throws Exception {
        try (AppProcess primary = primary("--percore.demo.replication.shutdown-handover=30s")) {
            try (TestServices replica = replica();
                 RespTestClient p = new RespTestClient(primary.respPort());
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                follow(r, primary);
                assertThat(p.cmd("SET", "k", "v")).isEqualTo("OK");
                assertThat(p.cmd("WAIT", "1", "30000")).isEqualTo(1L);
                assertThat(r.cmd("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
                assertThat(p.cmd("REPLICAOF", "127.0.0.1", String.valueOf(replica.respPort()))).isEqualTo("OK");

                primary.terminate();
                String through = awaitRelayed(primary, Duration.ofSeconds(30));
                assertThat(through).as("a connection to the demoted primary's port, relayed as it stops").contains("role:master")
                        .contains(runIdOf(r));
                assertThat(primary.waitFor(60)).isTrue();
                assertThat(primary.output()).contains("connection(s) relayed there while the Service still routed here");
            }
        }
    }

    /**
     * A slow reader on the demoted primary (here the operator's own connection, which the demotion leaves open, with a
     * 32 MB reply it does not read) holds its servers' drain up to their graceful-shutdown-timeout. The relay takes the
     * port as soon as the servers stop listening, not after the drain: a client routed to the old pod meanwhile reaches the
     * new primary instead of a refused port, whose reconnect back-off would stretch the outage.
     */
    @Test
    void aSlowReaderHoldingTheDrainDoesNotKeepThePortFromTheRelay() throws Exception {
        try (AppProcess primary = primary("--percore.demo.replication.shutdown-handover=30s",
                "--percore.servers.resp.graceful-shutdown-timeout=60s")) {
            try (TestServices replica = replica();
                 RespTestClient p = new RespTestClient(primary.respPort());
                 RespTestClient r = new RespTestClient(replica.respPort());
                 Socket operator = new Socket()) {
                follow(r, primary);
                String megabyte = "x".repeat(1 << 20);
                for (int i = 0; i < 32; i++) {
                    p.cmd("APPEND", "big", megabyte);
                }
                assertThat(p.cmd("WAIT", "1", "30000")).isEqualTo(1L);
                operator.setReceiveBufferSize(4096);
                operator.connect(new InetSocketAddress("127.0.0.1", primary.respPort()));
                primary.terminate();
                // its writes held, waiting for the operator: promoted earlier, its replica gone, it would just close. Not
                // before its replica acknowledged them: promoted sooner, the replica acknowledges nothing more, and the
                // stop waits out its shutdown-timeout (10 s) before the handover
                primary.awaitOutput("1 replicas have every write", Duration.ofSeconds(60));
                assertThat(r.cmd("REPLICAOF", "NO", "ONE")).isEqualTo("OK");
                operator.getOutputStream().write(RespTestClient.encode("REPLICAOF", "127.0.0.1", String.valueOf(replica.respPort())));
                operator.getOutputStream().write(RespTestClient.encode("GET", "big"));
                operator.getOutputStream().flush();
                String through = awaitRelayed(primary, Duration.ofSeconds(20));
                assertThat(through).as(() -> "relayed while a slow reader holds the old primary's drain; its log:\n" + primary.output())
                        .contains("role:master").contains(runIdOf(r));
            }
            assertThat(primary.waitFor(90)).isTrue();
        }
    }

    /** The primary that gets SIGTERM: an app of its own, two shards. */
    private static AppProcess primary(String... args) throws Exception {
        return AppProcess.start(2, List.of(), args);
    }

    /**
     * The replica-to-be, in this JVM: only the primary's stop is the subject; the replica syncs, is promoted and answers
     * what the relay brings it, the same code as an app's (a JVM of its own cost seconds of CPU each time).
     */
    private static TestServices replica() {
        return TestServices.start(2, DemoSettings.forTests());
    }

    /** The server's {@code run_id} line: which process answered, whichever port it listens on. */
    private static String runIdOf(RespTestClient server) throws IOException {
        return String.valueOf(server.cmd("INFO", "server")).lines().filter(l -> l.startsWith("run_id:")).findFirst().orElseThrow();
    }

    /** {@code replica} made {@code primary}'s replica, as the operator links one, and synced. */
    private static void follow(RespTestClient replica, AppProcess primary) throws Exception {
        assertThat(replica.cmd("REPLICAOF", "127.0.0.1", String.valueOf(primary.respPort()))).isEqualTo("OK");
        awaitContains(replica, "master_link_status:up");
    }

    /** The first answer as the new primary through the old primary's port, or null if none came within {@code bound}. */
    private static String awaitRelayed(AppProcess primary, Duration bound) throws InterruptedException {
        long deadline = System.nanoTime() + bound.toNanos();
        String through = null;
        while (through == null && System.nanoTime() < deadline && !primary.waitFor(0)) {
            through = throughOldPort(primary.respPort());
        }
        return through;
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
