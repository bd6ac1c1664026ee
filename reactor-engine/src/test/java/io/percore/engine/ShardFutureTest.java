package io.percore.engine;

import static io.percore.engine.TestEngines.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShardFutureTest {

    private static Engine engine;

    @BeforeAll
    static void start() {
        engine = TestEngines.start(2);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    private static <T> T onShard(int shard, java.util.concurrent.Callable<ShardFuture<T>> body) throws Exception {
        return await(engine.submitTo(shard, body).thenCompose(ShardFuture::toCompletableFuture));
    }

    @Test
    void mapFlatMapWhenCompleteChainOnTheOwningShard() throws Exception {
        List<String> threads = new ArrayList<>();
        String result = onShard(0, () -> {
            ShardPromise<Integer> p = new ShardPromise<>();
            ShardFuture<String> chain = p
                    .map(v -> v + 1)
                    .flatMap(v -> Shard.current().submitTo(1, () -> v * 10))
                    .map(v -> {
                        threads.add(Thread.currentThread().getName());
                        return "v=" + v;
                    })
                    .whenComplete((v, e) -> threads.add(Thread.currentThread().getName()));
            assertThat(chain.isDone()).isFalse();
            p.complete(4);
            return chain;
        });
        assertThat(result).isEqualTo("v=50");
        assertThat(threads).containsOnly("percore-shard-0").hasSize(2);
    }

    @Test
    void failuresPropagateAndRecover() throws Exception {
        String recovered = onShard(0, () -> ShardFuture.<Integer>failed(new IllegalStateException("x"))
                .map(v -> v + 1)
                .flatMap(v -> ShardFuture.completed(v * 2))
                .recover(e -> -1)
                .map(v -> "got " + v));
        assertThat(recovered).isEqualTo("got -1");

        String handled = onShard(0, () -> Shard.current().submitTo(1, () -> {
            throw new IllegalArgumentException("remote failure");
        }).handle((v, e) -> e.getClass().getSimpleName() + ":" + e.getMessage()));
        assertThat(handled).isEqualTo("IllegalArgumentException:remote failure");

        CompletableFuture<Object> thrownInMap = engine.submitTo(0, () -> ShardFuture.completed(1)
                .map(v -> {
                    throw new UnsupportedOperationException("in map");
                })).thenCompose(ShardFuture::toCompletableFuture);
        assertThatThrownBy(() -> thrownInMap.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(UnsupportedOperationException.class).hasMessage("in map");
    }

    @Test
    void interoperatesWithCompletableFuture() throws Exception {
        CompletableFuture<String> external = new CompletableFuture<>();
        CompletableFuture<String> viaShard = engine.submitTo(1, () -> ShardFuture.fromStage(external)
                .map(v -> v + " on " + Thread.currentThread().getName()))
                .thenCompose(ShardFuture::toCompletableFuture);
        // Completed by a pool thread; the ShardFuture still completes on shard 1.
        ForkJoinPool.commonPool().execute(() -> external.complete("hello"));
        assertThat(await(viaShard)).isEqualTo("hello on percore-shard-1");

        CompletableFuture<Integer> failedExternal = CompletableFuture.failedFuture(new IllegalStateException("ext"));
        CompletableFuture<String> failed = engine.submitTo(0, () -> ShardFuture.fromStage(failedExternal)
                .map(String::valueOf)).thenCompose(ShardFuture::toCompletableFuture);
        assertThatThrownBy(() -> failed.get(30, TimeUnit.SECONDS)).cause()
                .isInstanceOf(IllegalStateException.class).hasMessage("ext");
    }

    @Test
    void completingFromAnotherThreadIsForwardedToTheOwner() throws Exception {
        ShardPromise<String> p = new ShardPromise<>(engine.shard(0));
        CompletableFuture<String> seen = p.map(v -> v + "@" + Thread.currentThread().getName()).toCompletableFuture();
        p.complete("x"); // from the test thread
        assertThat(await(seen)).isEqualTo("x@percore-shard-0");
        assertThat(p.join()).isEqualTo("x");
    }

    @Test
    void longSynchronousChainsDoNotOverflowTheStack() throws Exception {
        int n = 100_000;
        int result = onShard(0, () -> {
            ShardPromise<Integer> head = new ShardPromise<>();
            ShardFuture<Integer> f = head;
            for (int i = 0; i < n; i++) {
                f = f.map(v -> v + 1);
            }
            head.complete(0);
            return f;
        });
        assertThat(result).isEqualTo(n);
    }

    @Test
    void ownerlessCompletedFuturesWorkOffShard() throws Exception {
        ShardFuture<Integer> f = ShardFuture.completed(20).map(v -> v + 1).map(v -> v * 2);
        assertThat(f.isSuccess()).isTrue();
        assertThat(f.getNow()).isEqualTo(42);
        assertThat(f.owner()).isNull();
        assertThat(ShardFuture.failed(new RuntimeException("f")).cause()).hasMessage("f");
        assertThatThrownBy(() -> ShardFuture.fromStage(new CompletableFuture<>())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void submitToAsyncWaitsForTheTargetsFuture() throws Exception {
        String result = onShard(0, () -> Shard.current().submitToAsync(1, () -> {
            Shard target = Shard.current();
            ShardPromise<String> later = new ShardPromise<>();
            target.schedule(java.time.Duration.ofMillis(20), () -> later.complete("late from " + target.id()));
            return later;
        }));
        assertThat(result).isEqualTo("late from 1");
    }

    @Test
    void joinOnAShardThreadIsRefused() throws Exception {
        CompletableFuture<Object> f = engine.submitTo(0, () -> ShardFuture.completed(1).join());
        assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class);
    }
}
