package io.percore.spring.boot.autoconfigure;

import java.util.Set;
import java.util.stream.Collectors;

/** The engine's threads: shard loops ({@code percore-shard-N}), stall detector, shutdown helper. */
public final class PercoreThreads {

    private PercoreThreads() {
    }

    public static Set<Thread> alive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("percore-"))
                .collect(Collectors.toSet());
    }

    /** Engine threads alive now that were not alive in {@code before}, waiting briefly for ones that are exiting. */
    public static Set<Thread> startedSince(Set<Thread> before) throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        Set<Thread> leaked;
        do {
            leaked = alive();
            leaked.removeAll(before);
            if (leaked.isEmpty()) {
                return leaked;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return leaked;
    }
}
