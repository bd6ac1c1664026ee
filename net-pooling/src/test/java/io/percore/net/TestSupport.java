package io.percore.net;

import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.engine.ShardFuture;
import io.percore.engine.topology.ShardPlacement;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Engines and waiting for tests: unpinned, not busy-polling (the build machine is small and shared). */
public final class TestSupport {

    private TestSupport() {
    }

    public static Engine engine(int shards) {
        EngineConfig c = new EngineConfig();
        c.setMode(EngineConfig.Mode.OVERPROVISIONED);
        c.setIdlePoll(Duration.ZERO);
        return Engine.start(c, ShardPlacement.unpinned(shards, "test"));
    }

    public static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** Runs {@code task} (which returns a future owned by that shard) on {@code shard} and waits. */
    public static <T> T onShard(Engine engine, int shard, Callable<ShardFuture<T>> task) throws Exception {
        CompletableFuture<CompletableFuture<T>> outer = engine.submitTo(shard, () -> task.call().toCompletableFuture());
        return await(await(outer));
    }

    public static void eventually(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
