package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link Shard#callAndWait}: a task that cannot return to its loop (a script) gets another shard's
 * answer in place, with the target asleep or busy; the target's failure comes back as a failed
 * future; what runs while waiting runs, and when it throws the call is given up and, not yet begun,
 * never runs on the target.
 */
class CallAndWaitTest {

    @Test
    void aTaskGetsAnotherShardsAnswersInPlace() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            CompletableFuture<List<Object>> got = new CompletableFuture<>();
            engine.shard(0).execute(() -> {
                Shard here = Shard.current();
                List<Object> answers = new ArrayList<>();
                AtomicInteger waits = new AtomicInteger();
                for (int i = 0; i < 1000; i++) {
                    int n = i;
                    ShardFuture<String> answer = here.callAndWait(1, () -> ShardFuture.completed("on " + Shard.current().id() + ":" + n),
                            waits::incrementAndGet);
                    answers.add(answer.getNow());
                }
                ShardFuture<String> failed = here.callAndWait(1, () -> {
                    throw new IllegalStateException("no");
                }, () -> { });
                answers.add(failed.cause().getMessage());
                got.complete(answers);
            });
            List<Object> answers = got.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(answers).hasSize(1001);
            assertThat(answers.get(0)).isEqualTo("on 1:0");
            assertThat(answers.get(999)).isEqualTo("on 1:999");
            assertThat(answers.get(1000)).isEqualTo("no");
        }
    }

    @Test
    void givingUpWhileWaitingAbandonsTheCall() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            AtomicBoolean ran = new AtomicBoolean();
            CompletableFuture<Void> targetBusy = new CompletableFuture<>();
            CompletableFuture<Void> release = new CompletableFuture<>();
            // the target is busy in a task of its own until released: the call waits behind it
            engine.shard(1).execute(() -> {
                targetBusy.complete(null);
                release.join();
            });
            targetBusy.get(30, java.util.concurrent.TimeUnit.SECONDS);
            CompletableFuture<Throwable> gaveUp = new CompletableFuture<>();
            engine.shard(0).execute(() -> {
                long deadline = System.nanoTime() + 20_000_000L;
                try {
                    Shard.current().callAndWait(1, () -> {
                        ran.set(true);
                        return ShardFuture.completed(1);
                    }, () -> {
                        if (System.nanoTime() > deadline) {
                            throw new IllegalStateException("killed");
                        }
                    });
                    gaveUp.complete(null);
                } catch (IllegalStateException e) {
                    gaveUp.complete(e);
                }
            });
            assertThat(gaveUp.get(30, java.util.concurrent.TimeUnit.SECONDS)).hasMessage("killed");
            release.complete(null);
            // a round trip after the target's own task: the abandoned call came before it and did not run
            assertThat(await(engine.submitTo(1, () -> ran.get()))).isFalse();
        }
    }

    @Test
    void aShardCannotWaitForItself() throws Exception {
        try (Engine engine = TestEngines.start(1)) {
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            engine.shard(0).execute(() -> {
                try {
                    Shard.current().callAndWait(0, () -> ShardFuture.completed(1), () -> { });
                } catch (IllegalArgumentException e) {
                    refused.complete(e);
                }
            });
            assertThat(refused.get(30, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
