package io.percore.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * How long one pod's threads waited for a CPU, sampled five times a second from the node's own bookkeeping: the pod's
 * threads are its cgroup's {@code tasks}, and each thread's {@code /proc/<tid>/schedstat} counts the time it was runnable
 * but not running (another process had the CPU, or the pod's CFS quota was spent). A reply that took seconds while the
 * threads that make it waited as long for a CPU is the node's contention (a pod requesting 100m beside the suite's other
 * classes: load 8-14 in CI), not the service's; a reply that took seconds while they ran at once is the service's.
 * Reads the node's files: the suite runs as root beside the node.
 */
final class CpuWaits implements AutoCloseable {

    private static final Path KUBEPODS = Path.of("/sys/fs/cgroup/cpu/kubepods");
    private static final long PERIOD_MILLIS = 200;

    /** One look: when, and each thread's total wait so far with its name. */
    private record Sample(long nanos, Map<Integer, Long> waitedNanos, Map<Integer, String> names) {
    }

    private final String podUid;
    private final List<Sample> samples = new ArrayList<>();
    private final Thread thread;
    private volatile boolean running = true;

    CpuWaits(String podUid) {
        this.podUid = podUid;
        thread = new Thread(() -> {
            while (running) {
                Sample s = sample();
                synchronized (samples) {
                    samples.add(s);
                }
                try {
                    Thread.sleep(PERIOD_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "cpu-waits");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * The longest any thread whose name starts with one of {@code prefixes} waited for a CPU between two {@link System#nanoTime()}
     * instants (from the last look at or before {@code fromNanos} to the first at or after {@code toNanos}), or -1 when the
     * looks do not cover them.
     */
    long longestWaitNanos(long fromNanos, long toNanos, String... prefixes) {
        Sample from = null;
        Sample to = null;
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.nanos() <= fromNanos) {
                    from = s;
                }
                if (s.nanos() >= toNanos && to == null) {
                    to = s;
                }
            }
        }
        if (from == null || to == null) {
            return -1;
        }
        Map<String, Long> byName = new HashMap<>();
        for (Map.Entry<Integer, Long> e : to.waitedNanos().entrySet()) {
            Long before = from.waitedNanos().get(e.getKey());
            String name = to.names().get(e.getKey());
            if (before != null && Stream.of(prefixes).anyMatch(name::startsWith)) {
                byName.merge(name, e.getValue() - before, Long::sum);
            }
        }
        return byName.values().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** The longest {@link #longestWaitNanos} over any {@code windowNanos} of the looks so far: how starved the pod was at worst. */
    long worstWindowNanos(long windowNanos, String... prefixes) {
        List<Sample> all;
        synchronized (samples) {
            all = List.copyOf(samples);
        }
        long worst = -1;
        for (Sample s : all) {
            worst = Math.max(worst, longestWaitNanos(s.nanos(), s.nanos() + windowNanos, prefixes));
        }
        return worst;
    }

    /** Nanoseconds as seconds for a report, {@code n/a} for -1. */
    static String seconds(long nanos) {
        return nanos < 0 ? "n/a" : String.format("%.2f", nanos / 1e9);
    }

    private Sample sample() {
        long nanos = System.nanoTime();
        Map<Integer, Long> waited = new HashMap<>();
        Map<Integer, String> names = new HashMap<>();
        for (int tid : tasks()) {
            try {
                String[] schedstat = Files.readString(Path.of("/proc", Integer.toString(tid), "schedstat")).trim().split(" ");
                names.put(tid, Files.readString(Path.of("/proc", Integer.toString(tid), "comm")).trim());
                waited.put(tid, Long.parseLong(schedstat[1]));
            } catch (IOException | RuntimeException e) {
                // the thread ended between the listing and the read
            }
        }
        return new Sample(nanos, waited, names);
    }

    /** The threads of the pod's containers: kubepods/[burstable|besteffort/]pod<uid>/<container>/tasks (cgroupfs driver). */
    private List<Integer> tasks() {
        List<Integer> tids = new ArrayList<>();
        for (Path pod : List.of(KUBEPODS.resolve("pod" + podUid), KUBEPODS.resolve("burstable").resolve("pod" + podUid),
                KUBEPODS.resolve("besteffort").resolve("pod" + podUid))) {
            if (!Files.isDirectory(pod)) {
                continue;
            }
            try (Stream<Path> containers = Files.list(pod)) {
                for (Path tasks : containers.map(c -> c.resolve("tasks")).filter(Files::isRegularFile).toList()) {
                    for (String line : Files.readAllLines(tasks)) {
                        if (!line.isBlank()) {
                            tids.add(Integer.parseInt(line.trim()));
                        }
                    }
                }
            } catch (IOException | java.io.UncheckedIOException e) {
                // a container removed while listed: the next look has the rest
            }
        }
        return tids;
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
