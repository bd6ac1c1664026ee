package io.percore.spring.boot.autoconfigure.health;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * UP while the engine runs and every shard's loop has turned within
 * {@code stall-threshold × stall-multiplier}; DOWN otherwise, with per-shard details (age of
 * the last loop turn, utilization, stalls, pinned CPU) so the stuck shard is easy to find.
 * DOWN with {@code fatalError} once a fatal error stopped a shard's loop (the process is exiting).
 */
public final class PercoreHealthIndicator implements HealthIndicator {

    private final Engine engine;
    private final int stallMultiplier;

    public PercoreHealthIndicator(Engine engine, int stallMultiplier) {
        this.engine = engine;
        this.stallMultiplier = stallMultiplier;
    }

    @Override
    public Health health() {
        long now = System.nanoTime();
        // read each time: the live configuration may have changed the stall threshold
        long limitNanos = Math.multiplyExact(engine.settings().stallThreshold().toNanos(), (long) stallMultiplier);
        boolean allTurning = true;
        List<Map<String, Object>> shards = new ArrayList<>(engine.shardCount());
        for (Shard shard : engine.shards()) {
            ShardStats stats = shard.stats();
            long age = Math.max(0, now - stats.lastLoopTurnNanos());
            boolean turning = age <= limitNanos;
            allTurning &= turning;
            Map<String, Object> detail = new LinkedHashMap<>();
            detail.put("shard", shard.id());
            detail.put("status", turning ? "UP" : "STALLED");
            detail.put("lastLoopTurnAgeMillis", age / 1_000_000.0);
            detail.put("utilization", stats.utilization());
            detail.put("stalls", stats.stalls());
            // As the endpoint says it: null when the shard is not pinned (not -1).
            detail.put("pinnedCpu", stats.pinnedCpu() < 0 ? null : stats.pinnedCpu());
            shards.add(detail);
        }
        boolean running = engine.isRunning();
        Health.Builder builder = running && allTurning ? Health.up() : Health.down();
        engine.fatalError().ifPresent(e -> builder.withDetail("fatalError", String.valueOf(e)));
        builder.withDetail("running", running)
                .withDetail("transport", engine.transport())
                .withDetail("loopTurnLimitMillis", Duration.ofNanos(limitNanos).toNanos() / 1_000_000.0)
                .withDetail("shards", shards);
        return builder.build();
    }
}
