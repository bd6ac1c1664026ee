package io.percore.demo.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for the servers a test starts in processes of their own: any free port, or with
 * {@code -Dtest.ports=7650-7699} a free one of that range only (a machine shared by several
 * builds gives each its range; a port taken again after a restart is then not one the system hands out
 * for outgoing connections meanwhile). Not a {@code percore.*} name: the configuration check refuses unknown ones
 * in every Spring context a test starts.
 */
public final class TestPorts {

    private static final String RANGE = System.getProperty("test.ports", "");
    /** Where the next scan starts: ports handed out and not yet bound are not handed out again at once. */
    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestPorts() {
    }

    /** A port nothing listens on now (of the range when one is set). */
    public static int free() throws IOException {
        if (RANGE.isBlank()) {
            try (ServerSocket s = new ServerSocket(0)) {
                return s.getLocalPort();
            }
        }
        String[] ends = RANGE.trim().split("-");
        int from = Integer.parseInt(ends[0].trim());
        int to = Integer.parseInt(ends[ends.length - 1].trim());
        int size = to - from + 1;
        for (int i = 0; i < size; i++) {
            int port = from + Math.floorMod(NEXT.getAndIncrement(), size);
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
                return port;
            } catch (IOException taken) {
                // in use: the next
            }
        }
        throw new IOException("no free port in test.ports=" + RANGE);
    }
}
