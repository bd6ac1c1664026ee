package io.percore.net.server;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The connections every server of this process may hold together, derived from the process's
 * open-file limit ({@code ulimit -n}) minus a reserve for everything else that needs a file
 * descriptor (jars, logs, client pools, the engine's own descriptors): the larger of 256 and a
 * tenth of the limit. A connection over it is refused right after accept, with the server's
 * rejection reply, so the process never runs out of descriptors because of its listeners:
 * running out breaks accept for everyone and anything else that opens a file.
 *
 * <p>Shared by all shards and servers; one atomic add per accepted and per closed connection.
 */
final class FileDescriptorBudget {

    static final FileDescriptorBudget PROCESS = new FileDescriptorBudget(openFileLimit());

    private final long fileLimit;
    private final long connectionLimit;
    private final AtomicLong held = new AtomicLong();

    FileDescriptorBudget(long fileLimit) {
        this.fileLimit = fileLimit;
        this.connectionLimit = fileLimit == Long.MAX_VALUE ? Long.MAX_VALUE
                : Math.max(1, fileLimit - Math.max(256, fileLimit / 10));
    }

    /** The open-file limit of this process, or {@code Long.MAX_VALUE} where the JVM cannot tell. */
    static long openFileLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            return max > 0 ? max : Long.MAX_VALUE;
        }
        return Long.MAX_VALUE;
    }

    boolean tryAcquire() {
        for (;;) {
            long current = held.get();
            if (current >= connectionLimit) {
                return false;
            }
            if (held.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    void release() {
        held.decrementAndGet();
    }

    long connectionLimit() {
        return connectionLimit;
    }

    long held() {
        return held.get();
    }

    String describe() {
        return fileLimit == Long.MAX_VALUE ? "unknown"
                : fileLimit + " files, of which at most " + connectionLimit + " for server connections";
    }
}
