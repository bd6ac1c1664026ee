package io.percore.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.operator.replication.PodAuth;
import io.percore.operator.replication.PodReplicationProbe;
import io.percore.operator.replication.PodReplicationProbe.AuthRefusedException;
import io.percore.operator.replication.PodReplicationProbe.ProbeException;
import io.percore.operator.replication.ReplicationPlanner.HostPort;
import io.percore.operator.replication.ServiceProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster probe against pods that answer what they like: every reply is checked for the
 * contract's shape, and a reply the pod makes huge or endless is refused, never allocated.
 */
class PodClusterProbeTest {

    private static final String ID = "0123456789abcdef0123456789abcdef01234567";

    /** A server that answers each command (its first two words) with {@code answer}'s bytes. */
    private static final class FakePod implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0);
        final Thread thread;

        FakePod(Function<String, String> answer) throws IOException {
            thread = new Thread(() -> {
                while (!server.isClosed()) {
                    try (Socket s = server.accept()) {
                        InputStream in = s.getInputStream();
                        byte[] buf = new byte[65536];
                        int n = in.read(buf);
                        String request = new String(buf, 0, Math.max(0, n), StandardCharsets.UTF_8);
                        String[] lines = request.split("\r\n");
                        String command = (lines.length > 2 ? lines[2] : "") + (lines.length > 4 && !lines[0].equals("*1") ? " " + lines[4] : "");
                        OutputStream out = s.getOutputStream();
                        out.write(answer.apply(command.toUpperCase()).getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        // closed
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        HostPort address() {
            return new HostPort("127.0.0.1", server.getLocalPort());
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static String bulk(String s) {
        return "$" + s.getBytes(StandardCharsets.UTF_8).length + "\r\n" + s + "\r\n";
    }

    private static String wellBehaved(String command) {
        return switch (command) {
            case "CLUSTER MYID" -> bulk(ID);
            case "INFO SERVER" -> bulk("# Server\r\nredis_version:7.0.15\r\nshards:4\r\n");
            case "CLUSTER GETLAYOUT" -> "*2\r\n:3\r\n" + bulk("node " + ID + " 10.0.0.1 6379 primary\nslots " + ID + " 0-16383");
            case "CLUSTER MIGRATIONS" -> "*1\r\n*5\r\n" + bulk(ID) + bulk("0-99,200") + ":7\r\n:0\r\n" + bulk("done");
            case "DBSIZE" -> ":12\r\n";
            case "CLUSTER INFO" -> bulk("cluster_state:ok\r\ncluster_slots_assigned:16384\r\n");
            default -> "-ERR unknown\r\n";
        };
    }

    private final PodClusterProbe probe = new PodClusterProbe(new PodReplicationProbe(Duration.ofSeconds(2)));

    @Test
    void readsTheContractsReplies() throws Exception {
        try (FakePod pod = new FakePod(PodClusterProbeTest::wellBehaved)) {
            ClusterPlanner.Observed o = probe.observe(pod.address(), PodAuth.NONE);
            assertThat(o.nodeId()).isEqualTo(ID);
            assertThat(o.shards()).isEqualTo(4);
            assertThat(o.keys()).isEqualTo(12);
            assertThat(o.layout().epoch()).isEqualTo(3);
            assertThat(o.layout().assignedSlots()).isEqualTo(16384);
            assertThat(o.migrations()).singleElement().satisfies(p -> {
                assertThat(p.done()).isTrue();
                assertThat(p.slots().cardinality()).isEqualTo(101);
            });
            assertThat(o.layoutConfirmed()).isTrue();
        }
        // every slot assigned and cluster_state:fail: the layout read back from its files, not served until sent again
        try (FakePod pod = new FakePod(c -> c.equals("CLUSTER INFO") ? bulk("cluster_state:fail\r\ncluster_slots_assigned:16384\r\n")
                : wellBehaved(c))) {
            assertThat(probe.observe(pod.address(), PodAuth.NONE).layoutConfirmed()).isFalse();
        }
        // how long it has owned nothing and since it last sent a client elsewhere; an image that does not say: null
        try (FakePod pod = new FakePod(c -> c.equals("CLUSTER INFO")
                ? bulk("cluster_state:ok\r\ncluster_slots_assigned:16384\r\ncluster_slotless_ms:1200\r\ncluster_moved_ago_ms:-1\r\n")
                : wellBehaved(c))) {
            assertThat(probe.observe(pod.address(), PodAuth.NONE).unused()).isEqualTo(new ClusterPlanner.Unused(1200, -1));
        }
        try (FakePod pod = new FakePod(PodClusterProbeTest::wellBehaved)) {
            assertThat(probe.observe(pod.address(), PodAuth.NONE).unused()).isNull();
        }
    }

    @Test
    void refusesRepliesOfAnotherShape() throws Exception {
        for (var bad : List.<Function<String, String>>of(
                c -> c.equals("CLUSTER MYID") ? bulk("not-an-id") : wellBehaved(c),
                c -> c.equals("INFO SERVER") ? bulk("# Server\r\nredis_version:7.0.15\r\n") : wellBehaved(c),
                c -> c.equals("CLUSTER GETLAYOUT") ? "*2\r\n:3\r\n" + bulk("node x 10.0.0.1 6379 replica") : wellBehaved(c),
                c -> c.equals("CLUSTER GETLAYOUT") ? "*1\r\n:3\r\n" : wellBehaved(c),
                c -> c.equals("CLUSTER MIGRATIONS") ? "*1\r\n*2\r\n:1\r\n:2\r\n" : wellBehaved(c),
                c -> c.equals("DBSIZE") ? ":-5\r\n" : wellBehaved(c),
                c -> c.equals("CLUSTER INFO") ? bulk("cluster_known_nodes:1\r\n") : wellBehaved(c),
                c -> c.equals("CLUSTER INFO") ? bulk("cluster_state:ok\r\ncluster_slotless_ms:-7\r\ncluster_moved_ago_ms:1\r\n") : wellBehaved(c),
                c -> c.equals("CLUSTER INFO") ? bulk("cluster_state:ok\r\ncluster_slotless_ms:1\r\ncluster_moved_ago_ms:soon\r\n") : wellBehaved(c))) {
            try (FakePod pod = new FakePod(bad)) {
                assertThatThrownBy(() -> probe.observe(pod.address(), PodAuth.NONE)).isInstanceOf(ProbeException.class);
            }
        }
    }

    @Test
    void aHugeOrEndlessReplyIsRefusedNotAllocated() throws Exception {
        try (FakePod pod = new FakePod(c -> c.equals("CLUSTER GETLAYOUT") ? "*2000000000\r\n" : wellBehaved(c))) {
            assertThatThrownBy(() -> probe.observe(pod.address(), PodAuth.NONE)).isInstanceOf(ProbeException.class).hasMessageContaining("exceeds");
        }
        try (FakePod pod = new FakePod(c -> c.equals("CLUSTER GETLAYOUT") ? "*2\r\n:1\r\n$2000000000\r\n" : wellBehaved(c))) {
            assertThatThrownBy(() -> probe.observe(pod.address(), PodAuth.NONE)).isInstanceOf(ProbeException.class).hasMessageContaining("exceeds");
        }
        String endless = "+" + "x".repeat(PodClusterProbe.MAX_LAYOUT_BYTES + 10) + "\r\n";
        try (FakePod pod = new FakePod(c -> c.equals("CLUSTER GETLAYOUT") ? endless : wellBehaved(c))) {
            assertThatThrownBy(() -> probe.observe(pod.address(), PodAuth.NONE)).isInstanceOf(ProbeException.class).hasMessageContaining("exceeds");
        }
    }

    /**
     * A demo process in cluster mode with {@code requirepass}: the probe AUTHs first; a wrong password,
     * or none, is an {@link AuthRefusedException} whose message is the pod's reply, never the password.
     */
    @Test
    void authenticatesAtAPodWithAPasswordAndIsRefusedClearlyWithAWrongOneOrNone(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(ServiceProcess.service(), "needs the demo service's jar (-D" + ServiceProcess.SERVICE_JAR + ")");
        String password = "probe-pw-7e31";
        String wrong = "wrong-pw-2b88";
        try (ServiceProcess pod = ServiceProcess.start(password, dir, List.of("--percore.demo.cluster.enabled=true"))) {
            HostPort address = new HostPort("127.0.0.1", pod.port);
            ClusterPlanner.Observed o = probe.observe(address, PodAuth.password(password));
            assertThat(o.layout().epoch()).isZero();
            Layout one = Layout.parse(1, "node " + o.nodeId() + " 127.0.0.1 " + pod.port + " primary\nslots " + o.nodeId() + " 0-16383");
            probe.setLayout(address, PodAuth.password(password), one);
            assertThat(probe.observe(address, PodAuth.password(password)).layout().assignedSlots()).isEqualTo(16384);

            assertThatThrownBy(() -> probe.observe(address, PodAuth.password(wrong))).isInstanceOf(AuthRefusedException.class)
                    .hasMessageContaining("AUTH refused").hasMessageContaining("WRONGPASS").message().doesNotContain(wrong);
            assertThatThrownBy(() -> probe.setLayout(address, PodAuth.password(wrong), Layout.parse(2, one.text()))).isInstanceOf(AuthRefusedException.class);
            assertThatThrownBy(() -> probe.observe(address, PodAuth.NONE)).isInstanceOf(AuthRefusedException.class).hasMessageContaining("NOAUTH");
            assertThat(probe.observe(address, PodAuth.password(password)).layout().epoch()).as("nothing refused was applied").isEqualTo(1);
        }
    }

    @Test
    void aPasswordForAPodWithoutOneIsRefusedToo() throws Exception {
        try (FakePod pod = new FakePod(c -> c.startsWith("AUTH")
                ? "-ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?\r\n"
                : wellBehaved(c))) {
            assertThatThrownBy(() -> probe.observe(pod.address(), PodAuth.password("unneeded-pw"))).isInstanceOf(AuthRefusedException.class)
                    .hasMessageContaining("without any password").message().doesNotContain("unneeded-pw");
        }
    }

    @Test
    void aRefusedLayoutIsAnError() throws Exception {
        try (FakePod pod = new FakePod(c -> c.startsWith("CLUSTER SETLAYOUT") ? "-ERR stale layout epoch 2: this node is at 5\r\n" : wellBehaved(c))) {
            Layout l = Layout.parse(2, "node " + ID + " 10.0.0.1 6379 primary");
            assertThatThrownBy(() -> probe.setLayout(pod.address(), PodAuth.NONE, l)).isInstanceOf(ProbeException.class).hasMessageContaining("stale");
        }
    }
}
