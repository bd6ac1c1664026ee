package io.percore.engine;

import java.util.concurrent.CountDownLatch;

/**
 * For {@link FatalErrorTest}: an engine whose shard throws OutOfMemoryError from a task, and a
 * main thread that never ends (a non-daemon thread, as a server's would be). Only the engine's
 * fatal-error handling can end this process; it exits with code 3.
 */
public final class FatalErrorMain {

    private FatalErrorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Engine engine = TestEngines.start(2);
        engine.shard(1).execute(() -> {
            throw new OutOfMemoryError("FatalErrorMain: simulated");
        });
        new CountDownLatch(1).await();
    }
}
