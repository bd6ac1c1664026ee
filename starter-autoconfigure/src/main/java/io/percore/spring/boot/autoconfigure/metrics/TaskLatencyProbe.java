package io.percore.spring.boot.autoconfigure.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.percore.engine.Cancellable;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.spring.boot.autoconfigure.PercoreShutdownOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.springframework.context.SmartLifecycle;

/**
 * Measures {@code percore.task.latency}: how long a task queued on a shard waits before it runs.
 * The engine does not time every task, so on each shard a timer queues a probe task in the
 * default scheduling group every {@link #DEFAULT_PERIOD} and records the time from queueing to
 * running. The probe waits behind whatever is queued and whatever the loop does before it
 * reaches the group (I/O, other groups, timers), so it shows what real tasks wait on a busy
 * shard. Costs per shard: one timer and one task per period (visible in
 * {@code percore.timers.fired} and {@code percore.tasks.run}).
 */
public final class TaskLatencyProbe implements MeterBinder, SmartLifecycle {

    public static final Duration DEFAULT_PERIOD = Duration.ofMillis(100);

    private final Engine engine;
    private final Duration period;
    /** One array of per-shard timers per registry the binder was bound to. */
    private final List<Timer[]> timers = new CopyOnWriteArrayList<>();
    private final List<Cancellable> scheduled = new ArrayList<>();
    private volatile boolean running;

    public TaskLatencyProbe(Engine engine, Duration period) {
        this.engine = engine;
        this.period = period;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Timer[] perShard = new Timer[engine.shardCount()];
        for (Shard shard : engine.shards()) {
            perShard[shard.id()] = Timer.builder(PercoreMeterNames.TASK_LATENCY)
                    .description("Time a task queued on the shard waits before it runs (sampled by a probe task every "
                            + period.toMillis() + " ms)")
                    .tag(PercoreMeterNames.SHARD_TAG, Integer.toString(shard.id()))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofNanos(1_000))
                    .maximumExpectedValue(Duration.ofSeconds(1))
                    .register(registry);
        }
        timers.add(perShard);
    }

    @Override
    public synchronized void start() {
        if (running || !engine.isRunning()) {
            return;
        }
        for (Shard shard : engine.shards()) {
            int id = shard.id();
            scheduled.add(shard.scheduleAtFixedRate(period, period, () -> {
                long queuedAt = System.nanoTime();
                shard.execute(() -> record(id, System.nanoTime() - queuedAt));
            }));
        }
        running = true;
    }

    private void record(int shard, long nanos) {
        for (Timer[] perShard : timers) {
            perShard[shard].record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        for (Cancellable c : scheduled) {
            try {
                c.cancel();
            } catch (RuntimeException ignored) {
                // The engine is already closed: its timers are gone with it.
            }
        }
        scheduled.clear();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Starts after the engine and stops before it, with the sharded services. */
    @Override
    public int getPhase() {
        return PercoreShutdownOrder.SERVICES.phase();
    }
}
