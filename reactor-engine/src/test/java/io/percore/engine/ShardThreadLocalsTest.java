package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.Recycler;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A shard's thread removes its fast thread-locals when it ends, and says so, so Netty pools its
 * recycled objects there (it pools only on threads that say so): a write to a channel reuses its
 * outbound-buffer entry instead of allocating one.
 */
class ShardThreadLocalsTest {

    private static final class Pooled {
        final Recycler.Handle<Pooled> handle;

        Pooled(Recycler.Handle<Pooled> handle) {
            this.handle = handle;
        }
    }

    private static final Recycler<Pooled> RECYCLER = new Recycler<>() {
        @Override
        protected Pooled newObject(Handle<Pooled> handle) {
            return new Pooled(handle);
        }
    };

    @Test
    void nettysRecyclerReusesObjectsOnAShard() throws Exception {
        try (Engine engine = TestEngines.start(1)) {
            boolean reused = TestEngines.await(engine.submitTo(0, () -> {
                Pooled first = RECYCLER.get();
                first.handle.recycle(first);
                return RECYCLER.get() == first;
            }));
            assertThat(reused).as("the object recycled on the shard comes back from the pool").isTrue();
        }
    }

    @Test
    void theShardsFastThreadLocalsAreRemovedWhenItEnds() throws Exception {
        CountDownLatch removed = new CountDownLatch(1);
        FastThreadLocal<String> local = new FastThreadLocal<>() {
            @Override
            protected void onRemoval(String value) {
                if ("set on the shard".equals(value)) {
                    removed.countDown();
                }
            }
        };
        try (Engine engine = TestEngines.start(1)) {
            TestEngines.await(engine.submitTo(0, () -> {
                local.set("set on the shard");
                return null;
            }));
        }
        assertThat(removed.await(10, TimeUnit.SECONDS)).as("removed when the shard's thread ended").isTrue();
    }
}
