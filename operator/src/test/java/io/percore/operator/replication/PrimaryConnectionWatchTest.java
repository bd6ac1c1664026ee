package io.percore.operator.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.percore.operator.replication.ReplicationPlanner.HostPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's idle connection to a primary, against a peer whose connections the test closes: a close asks for a
 * look at once, a port that no longer listens ends the watch, and nothing loops.
 */
class PrimaryConnectionWatchTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String KEY = "ns/kv";
    private static final String POD = "kv-0";

    private final BlockingQueue<String> closed = new LinkedBlockingQueue<>();
    private final PrimaryConnectionWatch watch = new PrimaryConnectionWatch(new PodReplicationProbe(), closed::add);
    private final List<Peer> peers = new CopyOnWriteArrayList<>();

    @AfterEach
    void end() throws IOException {
        watch.close();
        for (Peer p : peers) {
            p.close();
        }
    }

    @Test
    void aClosedConnectionAsksForALookAtOnceAndTheWatchConnectsAgainWithItsAuth() throws Exception {
        Peer primary = peer(false);
        watch.watchOnly(KEY, Map.of(POD, primary.address()), PodAuth.user("percore-operator", "pw"));
        Socket first = primary.accepted.poll(30, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        await().atMost(WAIT).until(() -> primary.auths.size() == 1);
        assertThat(primary.auths).containsExactly("AUTH percore-operator pw");

        first.close();
        assertThat(closed.poll(30, TimeUnit.SECONDS)).isEqualTo(KEY);
        assertThat(primary.accepted.poll(30, TimeUnit.SECONDS)).as("connected again").isNotNull();
        assertThat(watch.watching(KEY, POD)).isEqualTo(primary.address());
        assertThat(closed).isEmpty();
    }

    @Test
    void aProcessThatExitsIsOneLookAndTheWatchEnds() throws Exception {
        Peer primary = peer(false);
        watch.watchOnly(KEY, Map.of(POD, primary.address()), PodAuth.NONE);
        assertThat(primary.accepted.poll(30, TimeUnit.SECONDS)).isNotNull();

        primary.close(); // its port refuses from now on, as a SIGKILLed process's
        assertThat(closed.poll(30, TimeUnit.SECONDS)).isEqualTo(KEY);
        await().atMost(WAIT).until(() -> watch.watching(KEY, POD) == null);
        Thread.sleep(300);
        assertThat(closed).as("a port that refuses asks for no more looks: the reconcile it asked for decides").isEmpty();
    }

    @Test
    void aFirstConnectionThatFailsAsksForNothing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        watch.watchOnly(KEY, Map.of(POD, new HostPort("127.0.0.1", port)), PodAuth.NONE);
        await().atMost(WAIT).until(() -> watch.watching(KEY, POD) == null);
        Thread.sleep(300);
        assertThat(closed).as("no reconcile loop on a primary that cannot be watched").isEmpty();
    }

    @Test
    void aPeerThatClosesEveryConnectionIsLookedAtLessAndLessOften() throws Exception {
        Peer primary = peer(true);
        watch.watchOnly(KEY, Map.of(POD, primary.address()), PodAuth.NONE);
        Thread.sleep(3_000);
        // pauses of 0.2, 0.4, 0.8, 1.6 s after the first closes: at most 5 looks in 3 s, never one per connection attempt in a loop
        assertThat(closed.size()).isBetween(1, 5);
    }

    @Test
    void anotherAddressEndsTheFirstWatchAndForgetEndsTheLast() throws Exception {
        Peer a = peer(false);
        Peer b = peer(false);
        watch.watchOnly(KEY, Map.of(POD, a.address()), PodAuth.NONE);
        Socket toA = a.accepted.poll(30, TimeUnit.SECONDS);
        watch.watchOnly(KEY, Map.of(POD, a.address()), PodAuth.NONE);
        assertThat(a.accepted.poll(500, TimeUnit.MILLISECONDS)).as("the same primary: the one connection").isNull();

        watch.watchOnly(KEY, Map.of(POD, b.address()), PodAuth.NONE);
        Socket toB = b.accepted.poll(30, TimeUnit.SECONDS);
        assertThat(toB).isNotNull();
        toA.setSoTimeout(30_000);
        assertThat(toA.getInputStream().read()).as("the old primary's connection closed by the operator").isEqualTo(-1);

        watch.forget(KEY);
        toB.setSoTimeout(30_000);
        assertThat(toB.getInputStream().read()).isEqualTo(-1);
        Thread.sleep(300);
        assertThat(closed).as("closes the operator made itself ask for nothing").isEmpty();
        assertThat(watch.watching(KEY, POD)).isNull();
    }

    @Test
    void aClustersPrimariesAreWatchedEachAndOneNoLongerNamedEnds() throws Exception {
        Peer a = peer(false);
        Peer b = peer(false);
        watch.watchOnly(KEY, Map.of("kv-0", a.address(), "kv-1", b.address()), PodAuth.NONE);
        Socket toA = a.accepted.poll(30, TimeUnit.SECONDS);
        Socket toB = b.accepted.poll(30, TimeUnit.SECONDS);
        assertThat(toA).isNotNull();
        assertThat(toB).isNotNull();
        watch.watchOnly("ns/other", Map.of("other-0", a.address()), PodAuth.NONE);
        assertThat(a.accepted.poll(30, TimeUnit.SECONDS)).as("another service's primary, on its own connection").isNotNull();

        watch.watchOnly(KEY, Map.of("kv-1", b.address()), PodAuth.NONE);
        toA.setSoTimeout(30_000);
        assertThat(toA.getInputStream().read()).as("kv-0 is a primary no more").isEqualTo(-1);
        assertThat(watch.watching(KEY, "kv-1")).isEqualTo(b.address());
        assertThat(watch.watching("ns/other", "other-0")).isEqualTo(a.address());

        toB.close();
        assertThat(closed.poll(30, TimeUnit.SECONDS)).as("a group's primary closed: its service looked at").isEqualTo(KEY);
    }

    private Peer peer(boolean closeAtOnce) throws IOException {
        Peer p = new Peer(closeAtOnce);
        peers.add(p);
        return p;
    }

    /** Accepts connections, answers AUTH with +OK, and hands each connection to the test (or closes it at once). */
    private static final class Peer implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final BlockingQueue<Socket> accepted = new LinkedBlockingQueue<>();
        final List<String> auths = new CopyOnWriteArrayList<>();
        final List<Socket> all = new CopyOnWriteArrayList<>();

        Peer(boolean closeAtOnce) throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        all.add(s);
                        if (closeAtOnce) {
                            s.close();
                            continue;
                        }
                        accepted.add(s);
                        Thread reader = new Thread(() -> answerAuth(s), "peer-connection");
                        reader.setDaemon(true);
                        reader.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "peer-" + server.getLocalPort());
            t.setDaemon(true);
            t.start();
        }

        HostPort address() {
            return new HostPort("127.0.0.1", server.getLocalPort());
        }

        private void answerAuth(Socket s) {
            try {
                InputStream in = s.getInputStream();
                StringBuilder words = new StringBuilder();
                int count = Integer.parseInt(line(in).substring(1));
                for (int i = 0; i < count; i++) {
                    line(in);
                    words.append(i == 0 ? "" : " ").append(line(in));
                }
                auths.add(words.toString());
                s.getOutputStream().write("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
            } catch (IOException | RuntimeException e) {
                // closed by the test
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) != '\n') {
                if (c < 0) {
                    throw new IOException("closed");
                }
                if (c != '\r') {
                    b.append((char) c);
                }
            }
            return b.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : all) {
                s.close();
            }
        }
    }
}
