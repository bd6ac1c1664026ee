package io.percore.demo.app;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.percore.demo.kv.MemoryFigures;
import java.util.List;

/**
 * {@code percore.demo.memory.used} and {@code percore.demo.memory.max} (bytes: the budget's estimate
 * and limit) and {@code percore.demo.keys.evicted}, each per shard (tag {@code shard}). The views
 * read figures each shard publishes for other threads; this bean holds them, as Micrometer keeps
 * only weak references to a meter's state.
 */
final class DemoMemoryMeters implements MeterBinder {

    private final List<MemoryFigures> figures;

    DemoMemoryMeters(List<MemoryFigures> figures) {
        this.figures = List.copyOf(figures);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (int shard = 0; shard < figures.size(); shard++) {
            MemoryFigures view = figures.get(shard);
            Tags tags = Tags.of("shard", Integer.toString(shard));
            Gauge.builder("percore.demo.memory.used", view, MemoryFigures::usedBytes).tags(tags).baseUnit("bytes")
                    .description("Estimated bytes of the shard's keys and values (INFO used_memory)").register(registry);
            Gauge.builder("percore.demo.memory.max", view, MemoryFigures::maxBytes).tags(tags).baseUnit("bytes")
                    .description("The shard's memory budget (maxmemory / shards); 0 = none").register(registry);
            FunctionCounter.builder("percore.demo.keys.evicted", view, MemoryFigures::evictedKeys).tags(tags)
                    .description("Keys evicted to stay within the budget").register(registry);
        }
    }
}
