package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, row 1: an Error escaping a task on a shard must end the process, never leave a
 * zombie whose listeners accept and never answer. Before this, the scheduler logged it as a
 * failed task and the loop went on (or, escaping the loop, the shard thread died quietly).
 */
class FatalErrorTest {

    record Report(Shard shard, Throwable error, boolean loopStillTurning) {
    }

    @Test
    void anOutOfMemoryErrorInATaskStopsTheShardAndCallsTheHandlerOnce() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            CompletableFuture<Report> reported = new CompletableFuture<>();
            AtomicInteger calls = new AtomicInteger();
            engine.onFatalError((shard, error) -> {
                calls.incrementAndGet();
                reported.complete(new Report(shard, error, !shard.stopRequested()));
            });
            OutOfMemoryError oom = new OutOfMemoryError("test: Java heap space");
            engine.shard(1).execute(() -> {
                throw oom;
            });
            Report report = reported.get(30, TimeUnit.SECONDS);
            assertThat(report.shard().id()).isEqualTo(1);
            assertThat(report.error()).isSameAs(oom);
            assertThat(report.loopStillTurning()).as("the loop stopped before the handler ran").isFalse();
            engine.shard(1).termination().awaitUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
            assertThat(engine.shard(1).isTerminated()).as("shard 1 stopped").isTrue();
            assertThat(engine.isRunning()).isFalse();
            assertThat(engine.fatalError()).containsSame(oom);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void aStackOverflowInATimerOrAContinuationIsFatalToo() throws Exception {
        for (int variant = 0; variant < 2; variant++) {
            try (Engine engine = TestEngines.start(1)) {
                CompletableFuture<Throwable> reported = new CompletableFuture<>();
                engine.onFatalError((shard, error) -> reported.complete(error));
                StackOverflowError soe = new StackOverflowError("test");
                if (variant == 0) {
                    // Netty runs timers and would only log what they throw.
                    engine.submitTo(0, () -> Shard.current().schedule(Duration.ofMillis(1), () -> {
                        throw soe;
                    }));
                } else {
                    engine.submitTo(0, () -> ShardFuture.completed(1).map(v -> {
                        throw soe;
                    }));
                }
                assertThat(reported.get(30, TimeUnit.SECONDS)).as("variant %s", variant).isSameAs(soe);
            }
        }
    }

    @Test
    void exceptionsAndOtherErrorsInATaskAreLoggedAndTheLoopGoesOn() throws Exception {
        try (Engine engine = TestEngines.start(1)) {
            List<Throwable> fatal = new ArrayList<>();
            engine.onFatalError((shard, error) -> fatal.add(error));
            engine.shard(0).execute(() -> {
                throw new IllegalStateException("test: a bug in one task");
            });
            engine.shard(0).execute(() -> {
                throw new AssertionError("test: a failed check in one task");
            });
            assertThat(TestEngines.await(engine.submitTo(0, () -> 7))).isEqualTo(7);
            assertThat(engine.isRunning()).isTrue();
            assertThat(fatal).isEmpty();
        }
    }

    /** The default handler, for real: a child JVM whose shard throws OutOfMemoryError exits non-zero by itself. */
    @Test
    void theDefaultHandlerHaltsTheProcessWithExitCode3() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                FatalErrorMain.class.getName())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            boolean exited = p.waitFor(20, TimeUnit.SECONDS);
            assertThat(exited).as("the process exited within 20 s (a zombie would not)").isTrue();
            assertThat(p.exitValue()).isEqualTo(FatalErrorHandler.EXIT_CODE);
        } finally {
            p.destroyForcibly();
        }
    }
}
