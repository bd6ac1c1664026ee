package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.percore.operator.replication.PodReplicationProbe.ProbeException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ReplicationPlanner.Observed;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The operator's RESP probe against real servers, and against hostile ones. */
class PodReplicationProbeTest {

    private static final String PASSWORD_TEXT = "s3cret";
    private static final PodAuth PASSWORD = PodAuth.password(PASSWORD_TEXT);
    private final PodReplicationProbe probe = new PodReplicationProbe(Duration.ofSeconds(2));

    @TempDir
    Path dir;

    @Test
    void readsRolesAndOffsetsAndMovesAReplicaBetweenPrimaries() throws Exception {
        try (ServiceProcess a = ServiceProcess.start(PASSWORD_TEXT, dir); ServiceProcess b = ServiceProcess.start(PASSWORD_TEXT, dir)) {
            HostPort pa = new HostPort("127.0.0.1", a.port);
            HostPort pb = new HostPort("127.0.0.1", b.port);
            assertThat(probe.info(pa, PASSWORD).master()).isTrue();
            assertThat(probe.info(pa, PASSWORD).keys()).as("a pod says what it holds: nothing yet").isZero();

            probe.replicaOf(pb, PASSWORD, pa);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(ProbeException.class) // loading:1 while it syncs
                    .untilAsserted(() -> assertThat(probe.info(pb, PASSWORD).linkUp()).isTrue());
            try (TestResp client = new TestResp(a.port, PASSWORD_TEXT)) {
                client.call("SET", "k", "v");
                assertThat(client.call("WAIT", "1", "10000")).isEqualTo(1L);
            }
            Observed replica = probe.info(pb, PASSWORD);
            assertThat(replica.master()).isFalse();
            assertThat(replica.following()).isEqualTo(pa);
            assertThat(replica.linkUp()).isTrue();
            assertThat(replica.offset()).isPositive().isLessThanOrEqualTo(probe.info(pa, PASSWORD).offset());
            assertThat(replica.keys()).as("the key it replicated").isEqualTo(1);

            probe.promote(pb, PASSWORD);
            Observed promoted = probe.info(pb, PASSWORD);
            assertThat(promoted.master()).isTrue();
            assertThat(promoted.offset()).as("a promoted replica continues the offsets").isGreaterThanOrEqualTo(replica.offset());
            assertThat(promoted.replid2()).as("the history it moved on from").isEqualTo(replica.replid()).isNotNull();
            assertThat(promoted.secondOffset()).as("where it moved on from it, plus one").isGreaterThan(replica.offset())
                    .isLessThanOrEqualTo(promoted.offset() + 1);
            assertThat(replica.secondOffset()).as("a replica that moved on from none").isEqualTo(-1);
            try (TestResp client = new TestResp(b.port, PASSWORD_TEXT)) {
                assertThat(client.call("GET", "k")).isEqualTo("v");
            }

            // The old primary follows the new one and resyncs from it.
            probe.replicaOf(pa, PASSWORD, pb);
            await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(ProbeException.class)
                    .untilAsserted(() -> assertThat(probe.info(pa, PASSWORD).linkUp()).isTrue());
        }
    }

    @Test
    void aWrongOrMissingPasswordIsAnError() throws Exception {
        try (ServiceProcess a = ServiceProcess.start(PASSWORD_TEXT, dir)) {
            HostPort pa = new HostPort("127.0.0.1", a.port);
            assertThatThrownBy(() -> probe.info(pa, PodAuth.password("wrong"))).isInstanceOf(ProbeException.class).hasMessageContaining("AUTH refused");
            assertThatThrownBy(() -> probe.info(pa, PodAuth.NONE)).isInstanceOf(ProbeException.class).hasMessageContaining("NOAUTH");
        }
    }

    @Test
    void hostilePodsCannotMakeTheProbeAllocateOrWait() throws Exception {
        // A bulk length of a gigabyte: refused before reading.
        hostile(out -> write(out, "$1000000000\r\n"), port ->
                assertThatThrownBy(() -> probe.info(new HostPort("127.0.0.1", port), PodAuth.NONE))
                        .isInstanceOf(ProbeException.class).hasMessageContaining("exceeds"));
        // An endless line: cut at the bound.
        hostile(out -> {
            byte[] junk = new byte[8192];
            java.util.Arrays.fill(junk, (byte) 'x');
            write(out, "+");
            for (int i = 0; i < 20; i++) {
                try {
                    out.write(junk);
                } catch (IOException e) {
                    return;
                }
            }
        }, port -> assertThatThrownBy(() -> probe.info(new HostPort("127.0.0.1", port), PodAuth.NONE))
                .isInstanceOf(ProbeException.class).hasMessageContaining("exceeds"));
        // Silence: the read times out.
        hostile(out -> sleep(), port -> {
            long start = System.nanoTime();
            assertThatThrownBy(() -> probe.info(new HostPort("127.0.0.1", port), PodAuth.NONE)).isInstanceOf(SocketTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(30));
        });
        // Not RESP.
        hostile(out -> write(out, "HTTP/1.1 400 Bad Request\r\n"), port ->
                assertThatThrownBy(() -> probe.info(new HostPort("127.0.0.1", port), PodAuth.NONE)).isInstanceOf(ProbeException.class));
        // INFO without a role.
        hostile(out -> write(out, "$9\r\nhello:you\r\n"), port ->
                assertThatThrownBy(() -> probe.info(new HostPort("127.0.0.1", port), PodAuth.NONE))
                        .isInstanceOf(ProbeException.class).hasMessageContaining("role"));
    }

    @Test
    void parsesRedisSevenInfoReplication() throws Exception {
        Observed o = PodReplicationProbe.parseInfo("# Replication\r\nrole:slave\r\nmaster_host:10.1.2.3\r\nmaster_port:6379\r\n"
                + "master_link_status:down\r\nmaster_last_io_seconds_ago:-1\r\nslave_repl_offset:1234\r\n"
                + "master_link_down_since_seconds:7\r\nconnected_slaves:0\r\nmaster_repl_offset:1234\r\n");
        assertThat(o).isEqualTo(Observed.replica(1234, new HostPort("10.1.2.3", 6379), false));
        assertThat(PodReplicationProbe.parseInfo("# Replication\r\nrole:master\r\nconnected_slaves:1\r\n"
                + "slave0:ip=10.1.2.4,port=6379,state=online,offset=99,lag=0\r\nmaster_repl_offset:100\r\n"))
                .isEqualTo(Observed.master(100));
    }

    /**
     * The demo's {@code loaded_repl_*} (not Redis's): where the files it loaded at start stood at least. A replica killed in
     * the middle of writes comes back from a log with commands after its last annotation and says offset 0; the probe
     * still reads how far its files go, which the failover ranks it by (LastSeenPositions#placeOf).
     */
    @Test
    void readsHowFarTheFilesADemoLoadedAtStartHeldAtLeast() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(ServiceProcess.service(), "the demo service's fields");
        Path replicaData = java.nio.file.Files.createDirectories(dir.resolve("replica"));
        List<String> appendOnly = List.of("--percore.demo.persistence.mode=aof", "--percore.demo.persistence.appendfsync=always");
        try (ServiceProcess primary = ServiceProcess.start(PASSWORD_TEXT, dir)) {
            HostPort pp = new HostPort("127.0.0.1", primary.port);
            String history = probe.info(pp, PASSWORD).replid();
            long before;
            long stood;
            try (ServiceProcess replica = ServiceProcess.startServiceOn(PASSWORD_TEXT, replicaData, appendOnly)) {
                HostPort pr = new HostPort("127.0.0.1", replica.port);
                probe.replicaOf(pr, PASSWORD, pp);
                await().atMost(Duration.ofSeconds(30)).ignoreExceptionsInstanceOf(ProbeException.class)
                        .untilAsserted(() -> assertThat(probe.info(pr, PASSWORD).linkUp()).isTrue());
                before = probe.info(pp, PASSWORD).offset();
                try (TestResp client = new TestResp(primary.port, PASSWORD_TEXT)) {
                    client.call("SET", "k", "v");
                    assertThat(client.call("WAIT", "1", "10000")).isEqualTo(1L); // acknowledged: in its file, annotated
                }
                stood = probe.info(pr, PASSWORD).offset();
                replica.kill();
            }
            // a command after the annotation, as a kill in the middle of writes leaves
            java.nio.file.Files.writeString(lastIncrement(replicaData.resolve("appendonlydir")), "*3\r\n$3\r\nSET\r\n$1\r\nj\r\n$1\r\nw\r\n",
                    java.nio.file.StandardOpenOption.APPEND);
            List<String> asReplicaOfNothing = new java.util.ArrayList<>(appendOnly);
            asReplicaOfNothing.add("--percore.demo.replication.replicaof=127.0.0.1 1");
            try (ServiceProcess back = ServiceProcess.startServiceOn(PASSWORD_TEXT, replicaData, asReplicaOfNothing)) {
                Observed o = probe.info(new HostPort("127.0.0.1", back.port), PASSWORD);
                assertThat(o.master()).isFalse();
                assertThat(o.offset()).as("commands after its last annotation: no offset").isZero();
                assertThat(o.keys()).isEqualTo(2);
                // at least the acknowledged SET; the stream's GETACKs after it leave the annotation as it was
                assertThat(o.loaded().replid()).isEqualTo(history);
                assertThat(o.loaded().offset()).as("what its files held at least").isGreaterThan(before).isLessThanOrEqualTo(stood);
            }
        }
    }

    @Test
    void parsesWhereTheFilesLoadedAtStartStoodAndNothingHostile() throws Exception {
        String replication = "# Replication\r\nrole:slave\r\nmaster_host:kv-primary\r\nmaster_port:6379\r\nmaster_link_status:down\r\n"
                + "slave_repl_offset:0\r\n# Persistence\r\nloading:0\r\n";
        String id = "4f0c8d5e1a2b3c4d5e6f708192a3b4c5d6e7f801";
        assertThat(PodReplicationProbe.parseInfo(replication + "loaded_repl_id:" + id + "\r\nloaded_repl_offset_at_least:1234\r\n").loaded())
                .isEqualTo(new LastSeenPositions.Position(id, 1234));
        assertThat(PodReplicationProbe.parseInfo(replication).loaded()).as("redis-server says none").isNull();
        assertThat(PodReplicationProbe.parseInfo(replication + "loaded_repl_id:nope\r\nloaded_repl_offset_at_least:1234\r\n").loaded())
                .isNull();
        assertThat(PodReplicationProbe.parseInfo(replication + "loaded_repl_id:" + id + "\r\nloaded_repl_offset_at_least:-5\r\n").loaded())
                .isNull();
        assertThat(PodReplicationProbe.parseInfo(replication + "loaded_repl_id:" + id + "\r\n").loaded()).isNull();
        assertThatThrownBy(() -> PodReplicationProbe.parseInfo(replication + "loaded_repl_id:" + id + "\r\nloaded_repl_offset_at_least:x\r\n"))
                .isInstanceOf(ProbeException.class).hasMessageContaining("loaded_repl_offset_at_least");
    }

    /** The incremental file a demo's manifest names last: where its next writes go. */
    private static Path lastIncrement(Path aofDir) throws IOException {
        String last = null;
        for (String line : java.nio.file.Files.readAllLines(aofDir.resolve("appendonly.aof.manifest"))) {
            if (line.endsWith(" type i")) {
                last = line.split(" ")[1];
            }
        }
        return aofDir.resolve(last);
    }

    /** The keys of every database, summed; a pod still loading its files has not answered what it holds. */
    @Test
    void parsesTheKeysAndRefusesAPodStillLoading() throws Exception {
        String replication = "# Replication\r\nrole:slave\r\nmaster_host:kv-primary\r\nmaster_port:6379\r\nmaster_link_status:down\r\n"
                + "slave_repl_offset:0\r\n";
        Observed o = PodReplicationProbe.parseInfo(replication + "# Keyspace\r\ndb0:keys=91500,expires=3,avg_ttl=0\r\n"
                + "db3:keys=7,expires=0,avg_ttl=0\r\n# Persistence\r\nloading:0\r\n");
        assertThat(o.keys()).isEqualTo(91_507);
        assertThat(PodReplicationProbe.parseInfo(replication + "# Keyspace\r\n# Persistence\r\nloading:0\r\n").keys())
                .as("an empty keyspace section: none").isZero();
        assertThat(PodReplicationProbe.parseInfo(replication).keys()).as("no persistence section: it did not say")
                .isEqualTo(Observed.UNKNOWN_KEYS);
        assertThatThrownBy(() -> PodReplicationProbe.parseInfo(replication + "# Persistence\r\nloading:1\r\n"))
                .isInstanceOf(ProbeException.class).hasMessageContaining("loading");
    }

    private interface PortCheck {
        void check(int port) throws Exception;
    }

    /** A one-connection server that answers every request with {@code reply}. */
    private static void hostile(Consumer<OutputStream> reply, PortCheck check) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread t = new Thread(() -> {
                try (Socket s = server.accept()) {
                    reply.accept(s.getOutputStream());
                    sleepBriefly();
                } catch (IOException ignored) {
                    // the probe hung up
                }
            });
            t.setDaemon(true);
            t.start();
            check.check(server.getLocalPort());
        }
    }

    private static void write(OutputStream out, String s) {
        try {
            out.write(s.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException ignored) {
            // the probe hung up
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(3_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
