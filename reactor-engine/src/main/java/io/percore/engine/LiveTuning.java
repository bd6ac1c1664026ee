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
 * when it charges a slice), the stall detector's threshold, and each shard's task quota, budget for Netty's tasks
 * and longest sleep (plain fields of the loop, so each shard takes them on its own thread between two
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

    /**
     * How long a turn may run Netty's own tasks (step 4: Reactor Netty's hand-offs, write completions'
     * continuations) before polling I/O again: a quarter of the stall threshold, never less than the
     * task quota. Cut at the task quota, a burst of hand-offs (a 16-deep HTTP pipeline on 64
     * connections is ~1,000 of them) was answered in slices of ~500 µs, each followed by an I/O poll
     * that sent what the slice wrote: three times the submissions of Netty's own loop (which runs its
     * tasks for up to a second), each waking the peer for fewer replies (benchmarks/results/webflux.md,
     * issue 29's WebFlux profile). A quarter of the threshold keeps the longest such step well
     * inside what the stall detector reports.
     */
    static long ioTaskBudgetNanos(long taskQuotaNanos, Duration stallThreshold) {
        return Math.max(taskQuotaNanos, stallThreshold.toNanos() / 4);
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
        long ioTaskBudget = ioTaskBudgetNanos(quota, next.stallThreshold());
        long maxSleep = maxSleepNanos(next.stallThreshold());
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (Shard shard : engine.shards()) {
            applied.add(engine.submitTo(shard.id(), () -> {
                shard.applyTiming(quota, ioTaskBudget, maxSleep);
                return null;
            }));
        }
        LOG.info("Percore engine: live settings applied: {}", String.join(", ", changes.live()));
        return CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new));
    }
}
