package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The stopping primary's relay: bytes both ways, a bound on connections, and everything closed at its end. */
class HandoverRelayTest {

    @Test
    void relaysBothWaysClosesBeyondItsBoundAndClosesEverythingAtItsEnd() throws Exception {
        try (Echo upstream = new Echo(); ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = free.getLocalPort();
            free.close();
            try (HandoverRelay relay = HandoverRelay.open(port, "127.0.0.1", upstream.port(), 2);
                 Socket a = new Socket("127.0.0.1", port); Socket b = new Socket("127.0.0.1", port)) {
                assertThat(echo(a, "PING")).isEqualTo("PING");
                assertThat(echo(b, "SET k v")).isEqualTo("SET k v");
                try (Socket third = new Socket("127.0.0.1", port)) {
                    third.setSoTimeout(30_000);
                    assertThat(third.getInputStream().read()).as("beyond its bound: closed at once").isEqualTo(-1);
                }
                assertThat(relay.relayed()).isEqualTo(2);

                relay.close();
                a.setSoTimeout(30_000);
                assertThat(a.getInputStream().read()).as("its end closes the relayed connections").isEqualTo(-1);
                assertThat(upstream.awaitClosed(2)).as("and their other sides").isTrue();
            }
        }
    }

    /**
     * A stopping primary relays while clients still use the relay (kube-proxy on a loaded node moved the primary Service 16 s
     * after the switchover, in CI), and stops once they leave it unused: a client relayed and writing keeps it open, its
     * last byte starts the quiet time.
     */
    @Test
    void staysOpenWhileAClientUsesItAndSaysWhenItWentUnused() throws Exception {
        try (Echo upstream = new Echo(); ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = free.getLocalPort();
            free.close();
            java.time.Duration quiet = java.time.Duration.ofSeconds(3);
            try (HandoverRelay relay = HandoverRelay.open(port, "127.0.0.1", upstream.port()); Socket client = new Socket("127.0.0.1", port)) {
                // in use all along: the deadline ends the wait, not quiet
                java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
                java.util.concurrent.atomic.AtomicLong lastSent = new java.util.concurrent.atomic.AtomicLong();
                Thread writer = new Thread(() -> {
                    try {
                        while (writing.get()) {
                            lastSent.set(System.nanoTime()); // the relay's last use is after this, when it carries the request
                            echo(client, "SET k v");
                            Thread.sleep(50);
                        }
                    } catch (IOException | InterruptedException e) {
                        // the test ends it
                    }
                });
                writer.start();
                assertThat(relay.awaitUnused(quiet, System.nanoTime() + java.time.Duration.ofSeconds(1).toNanos()))
                        .as("a client writing through it keeps it in use").isFalse();
                // the client stops: unused once quiet has passed since its last byte, not before
                Thread.sleep(500);
                writing.set(false);
                writer.join(30_000);
                long stopped = lastSent.get();
                assertThat(relay.awaitUnused(quiet, System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos())).isTrue();
                assertThat(System.nanoTime() - stopped).as("not unused before quiet passed since the last byte")
                        .isGreaterThanOrEqualTo(quiet.toNanos());
                assertThat(relay.relayed()).isEqualTo(1);
            }
        }
    }

    private static String echo(Socket s, String text) throws IOException {
        s.setSoTimeout(30_000);
        s.getOutputStream().write((text + "\n").getBytes());
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != '\n' && c >= 0) {
            b.append((char) c);
        }
        return b.toString();
    }

    /** Echoes every byte back; counts the connections its peers closed. */
    private static final class Echo implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();
        private final java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();

        Echo() throws IOException {
            Thread t = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        accepted.add(s);
                        Thread echo = new Thread(() -> {
                            try {
                                s.getInputStream().transferTo(s.getOutputStream());
                            } catch (IOException e) {
                                // reset
                            }
                            closed.incrementAndGet();
                        });
                        echo.setDaemon(true);
                        echo.start();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return server.getLocalPort();
        }

        boolean awaitClosed(int n) throws InterruptedException {
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (closed.get() < n) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                Thread.sleep(10);
            }
            return true;
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : accepted) {
                s.close();
            }
        }
    }
}
