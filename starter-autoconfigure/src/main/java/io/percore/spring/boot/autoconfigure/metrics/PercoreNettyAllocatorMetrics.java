package io.percore.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import java.util.Locale;

/**
 * Memory of Netty's buffer allocators, which hold the shards' network buffers:
 * {@link PooledByteBufAllocator#DEFAULT} (arenas, thread caches, used and pinned memory) and,
 * when it is another allocator (Netty 4.2 defaults to the adaptive one), {@link ByteBufAllocator#DEFAULT}.
 * Tagged {@code allocator} ({@code pooled}, {@code adaptive}, ...) and {@code memory.type}
 * ({@code heap}, {@code direct}).
 */
public final class PercoreNettyAllocatorMetrics implements MeterBinder {

    private final PooledByteBufAllocator pooled;
    private final ByteBufAllocator defaultAllocator;

    public PercoreNettyAllocatorMetrics() {
        this(PooledByteBufAllocator.DEFAULT, ByteBufAllocator.DEFAULT);
    }

    PercoreNettyAllocatorMetrics(PooledByteBufAllocator pooled, ByteBufAllocator defaultAllocator) {
        this.pooled = pooled;
        this.defaultAllocator = defaultAllocator;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Tags pooledTags = Tags.of("allocator", "pooled");
        PooledByteBufAllocatorMetric metric = pooled.metric();
        used(registry, pooledTags, metric);
        Gauge.builder(PercoreMeterNames.NETTY_MEMORY_PINNED, pooled, PooledByteBufAllocator::pinnedHeapMemory)
                .description("Memory of the pooled allocator held by buffers in use").baseUnit("bytes")
                .tags(pooledTags.and("memory.type", "heap")).register(registry);
        Gauge.builder(PercoreMeterNames.NETTY_MEMORY_PINNED, pooled, PooledByteBufAllocator::pinnedDirectMemory)
                .description("Memory of the pooled allocator held by buffers in use").baseUnit("bytes")
                .tags(pooledTags.and("memory.type", "direct")).register(registry);
        Gauge.builder(PercoreMeterNames.NETTY_ARENAS, metric, PooledByteBufAllocatorMetric::numHeapArenas)
                .description("Arenas of the pooled allocator").tags(pooledTags.and("memory.type", "heap")).register(registry);
        Gauge.builder(PercoreMeterNames.NETTY_ARENAS, metric, PooledByteBufAllocatorMetric::numDirectArenas)
                .description("Arenas of the pooled allocator").tags(pooledTags.and("memory.type", "direct")).register(registry);
        Gauge.builder(PercoreMeterNames.NETTY_THREAD_LOCAL_CACHES, metric, PooledByteBufAllocatorMetric::numThreadLocalCaches)
                .description("Thread-local caches of the pooled allocator").tags(pooledTags).register(registry);
        Gauge.builder(PercoreMeterNames.NETTY_CHUNK_SIZE, metric, PercoreNettyAllocatorMetrics::chunkSize)
                .description("Chunk size of the pooled allocator's arenas").baseUnit("bytes").tags(pooledTags).register(registry);

        if (defaultAllocator != pooled && defaultAllocator instanceof ByteBufAllocatorMetricProvider provider) {
            used(registry, Tags.of("allocator", allocatorName(defaultAllocator)), provider.metric());
        }
    }

    private static void used(MeterRegistry registry, Tags tags, ByteBufAllocatorMetric metric) {
        Gauge.builder(PercoreMeterNames.NETTY_MEMORY_USED, metric, ByteBufAllocatorMetric::usedHeapMemory)
                .description("Memory the Netty allocator has reserved").baseUnit("bytes")
                .tags(tags.and("memory.type", "heap")).register(registry);
        Gauge.builder(PercoreMeterNames.NETTY_MEMORY_USED, metric, ByteBufAllocatorMetric::usedDirectMemory)
                .description("Memory the Netty allocator has reserved").baseUnit("bytes")
                .tags(tags.and("memory.type", "direct")).register(registry);
    }

    @SuppressWarnings("deprecation")
    private static double chunkSize(PooledByteBufAllocatorMetric metric) {
        return metric.chunkSize();
    }

    /** {@code AdaptiveByteBufAllocator} as {@code adaptive}, {@code UnpooledByteBufAllocator} as {@code unpooled}. */
    static String allocatorName(ByteBufAllocator allocator) {
        String simple = allocator.getClass().getSimpleName();
        String base = simple.endsWith("ByteBufAllocator") ? simple.substring(0, simple.length() - "ByteBufAllocator".length()) : simple;
        return base.isEmpty() ? simple.toLowerCase(Locale.ROOT) : base.toLowerCase(Locale.ROOT);
    }
}
