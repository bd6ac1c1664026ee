package io.percore.engine;

import io.percore.config.schema.EngineSettings;
import io.percore.config.schema.LiveSettings;
import io.percore.config.schema.SchedulingGroupSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine settings that change while it runs (config-schema's {@code x-live}), handed to the
 * parts that use them: the scheduling groups' shares (one volatile field each, read by every shard
 * when it charges a slice), the stall detector's threshold, and each shard's task quota and
 * longest sleep (plain fields of the loop, so each shard takes them on its own thread between two
 * turns).
 */
final class LiveTuning {

    private static final Logger LOG = LoggerFactory.getLogger(LiveTuning.class);

    private LiveTuning() {
    }

    /** A shard wakes at least once per stall threshold, so its last-turn time stays fresh when idle. */
    static long maxSleepNanos(Duration stallThreshold) {
        return Math.max(TimeUnit.MILLISECONDS.toNanos(1), stallThreshold.toNanos());
    }

    /** @throws IllegalArgumentException naming the settings {@code next} changes that need a restart (nothing applied) */
    static CompletableFuture<Void> apply(Engine engine, EngineSettings current, EngineSettings next, SchedulingGroup[] groups,
                                         StallDetector detector) {
        LiveSettings.Changes changes = current.changesTo(next);
        if (changes.needsRestart()) {
            throw new IllegalArgumentException("These engine settings need a restart, not a live change: " + String.join(", ", changes.restart()));
        }
        if (changes.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        List<SchedulingGroupSettings> configured = next.schedulingGroups();
        for (int i = 0; i < groups.length; i++) {
            groups[i].shares(configured.get(i).shares());
        }
        detector.threshold(next.stallThreshold());
        long quota = next.taskQuota().toNanos();
        long maxSleep = maxSleepNanos(next.stallThreshold());
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (Shard shard : engine.shards()) {
            applied.add(engine.submitTo(shard.id(), () -> {
                shard.applyTiming(quota, maxSleep);
                return null;
            }));
        }
        LOG.info("Percore engine: live settings applied: {}", String.join(", ", changes.live()));
        return CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new));
    }
}
