package io.percore.demo.persistence;

import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The append-only file's fsync thread with {@code appendfsync everysec} (Redis's {@code bio} fsync
 * job): the writer hands it a force and goes on writing, so a disk that takes seconds to fsync
 * does not stop the writes (and a SIGKILL meanwhile loses only what was not written). The writer
 * keeps at most one in flight and waits for it before it forces inline, rotates or closes the
 * file. The thread starts with the first force and ends with {@link #close}.
 */
final class BackgroundFsync {

    private final ChannelForce how;
    private final Runnable done;
    private ExecutorService thread;

    /** {@code done} runs on the fsync thread after each force, failed or not (it wakes the writer). */
    BackgroundFsync(ChannelForce how, Runnable done) {
        this.how = how;
        this.done = done;
    }

    /** Forces {@code channel} on the fsync thread; the future fails with the force's error. */
    CompletableFuture<Void> force(FileChannel channel) {
        if (thread == null) {
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "percore-aof-fsync");
                t.setDaemon(true);
                return t;
            });
        }
        CompletableFuture<Void> forced = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                how.force(channel);
                forced.complete(null);
            } catch (Throwable e) {
                forced.completeExceptionally(e);
            } finally {
                done.run();
            }
        });
        return forced;
    }

    /** Lets the thread end once its force (if any) is done; the writer has waited for that already. */
    void close() {
        if (thread != null) {
            thread.shutdown();
        }
    }

    /** The force's error, null when it succeeded. */
    static Throwable failureOf(CompletableFuture<Void> forced) {
        try {
            forced.join();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
