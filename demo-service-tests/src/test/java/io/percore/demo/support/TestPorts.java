package io.percore.demo.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for the servers a test starts itself (a process of its own, a redis-server, a service stopped and
 * started again on its port): a free port of {@link #DEFAULT_RANGE}, below the range the system hands
 * out for outgoing connections and {@code bind(0)} (Linux: 32768-60999) and below Kubernetes' NodePorts.
 * A port handed out by the system could be taken by any socket while a server was down between a stop
 * and its restart in place: a restarted node then failed with "Address already in use" (seen in the
 * flaky report under load). The surefire JVMs a module runs side by side ({@code test.fork} of
 * {@code test.forks}) each take their own slice of the range, and each port handed out is locked for the JVM's life
 * (a file lock, as the operator's tests do): surefire numbers forks across the modules a parallel reactor runs at once,
 * so two of this module's forks can be numbered into one slice.
 * With {@code -Dtest.ports=7650-7699} another range is sliced the same way (a machine shared by several
 * builds gives each its range). Not a {@code percore.*} name: the configuration check refuses unknown ones
 * in every Spring context a test starts.
 */
public final class TestPorts {

    static final String DEFAULT_RANGE = "20000-29999";

    static final Slice SLICE = Slice.of(System.getProperty("test.ports", ""), System.getProperty("test.fork", "1"),
            System.getProperty("test.forks", "1"));
    /** Where the next scan starts: ports handed out and not yet bound are not handed out again at once. */
    private static final AtomicInteger NEXT = new AtomicInteger();

    private TestPorts() {
    }

    /** The locks of the ports this JVM handed out, held until it exits (the OS releases them then). */
    private static final List<FileChannel> HELD = new CopyOnWriteArrayList<>();

    /** A port nothing listens on now and no other test JVM has taken, of this JVM's slice of the range. */
    public static int free() throws IOException {
        // The operator's ServiceProcess locks its ports in this directory too: with overlapping -Dtest.ports and
        // -Dpercore.it.ports ranges the two modules' JVMs, running side by side, still never share a port.
        Path locks = Path.of(System.getProperty("java.io.tmpdir"), "percore-test-ports");
        for (int i = 0; i < SLICE.size(); i++) {
            int port = SLICE.from() + Math.floorMod(NEXT.getAndIncrement(), SLICE.size());
            if (!take(locks, port)) {
                continue; // another JVM's
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0"))) {
                return port;
            } catch (IOException taken) {
                // in use: the next
            }
        }
        throw new IOException("no free port in " + SLICE.from() + "-" + (SLICE.from() + SLICE.size() - 1)
                + " (test.ports=" + System.getProperty("test.ports", DEFAULT_RANGE) + ")");
    }

    /**
     * Locks {@code port}'s file in {@code dir} for this JVM, or says another JVM holds it. A lock this JVM already holds
     * counts as taken too: the port was handed out before.
     */
    static boolean take(Path dir, int port) throws IOException {
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException handedOutHere) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            return false;
        }
        HELD.add(channel);
        return true;
    }

    /** Fork {@code fork} (1-based) of {@code forks}: its part of the range, {@code size} ports from {@code from}. */
    record Slice(int from, int size) {
        static Slice of(String range, String fork, String forks) {
            String[] ends = (range.isBlank() ? DEFAULT_RANGE : range).trim().split("-");
            int first = Integer.parseInt(ends[0].trim());
            int last = Integer.parseInt(ends[ends.length - 1].trim());
            int count = Math.max(1, parse(forks));
            int index = Math.floorMod(parse(fork) - 1, count);
            int size = (last - first + 1) / count;
            if (size < 1) {
                throw new IllegalArgumentException("test.ports=" + range + " has fewer ports than the " + count + " test JVMs");
            }
            return new Slice(first + index * size, size);
        }

        private static int parse(String number) {
            try {
                String n = number.trim();
                return n.endsWith("C") // surefire's forkCount per core, 1.5C
                        ? (int) (Float.parseFloat(n.substring(0, n.length() - 1)) * Runtime.getRuntime().availableProcessors())
                        : Integer.parseInt(n);
            } catch (NumberFormatException e) {
                return 1; // run outside surefire's forks (an IDE): one JVM, the whole range
            }
        }
    }
}
