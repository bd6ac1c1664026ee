package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;

import io.percore.demo.support.RespTestClient;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Rounds of writes against a port on a thread of its own, until closed: what a restart test writes while it kills. */
final class RoundsWriter implements AutoCloseable {

    /** One round's commands, the {@code i}th. */
    @FunctionalInterface
    interface Round {
        void write(RespTestClient w, long i) throws IOException;
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong rounds = new AtomicLong();
    private final Thread thread;

    RoundsWriter(int port, Round round) {
        thread = new Thread(() -> {
            try (RespTestClient w = new RespTestClient(port)) {
                for (long i = 0; !stop.get(); i++) {
                    round.write(w, i);
                    rounds.incrementAndGet();
                }
            } catch (IOException e) {
                if (!stop.get()) {
                    throw new RuntimeException(e);
                }
            }
        }, "rounds-writer");
        thread.start();
    }

    void waitForMore(long n) throws InterruptedException {
        long at = rounds.get();
        waitFor(() -> rounds.get() >= at + n, n + " more rounds of writes");
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(10_000);
    }
}
