package io.percore.engine;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The default {@link StallListener}: one WARN line per report; stacks when the detector sampled one. */
final class StallLog implements StallListener {

    private static final Logger LOG = LoggerFactory.getLogger(StallDetector.class);

    @Override
    public void growing(int shard, long stalledNanos, StackTraceElement[] stack) {
        if (stack == null) {
            LOG.warn("Reactor stalled on shard {} for {} ms so far (stack suppressed: one per shard per {} s)", shard,
                    TimeUnit.NANOSECONDS.toMillis(stalledNanos), TimeUnit.NANOSECONDS.toSeconds(StallDetector.STACK_INTERVAL_NANOS));
            return;
        }
        StringBuilder text = new StringBuilder();
        for (StackTraceElement e : stack) {
            text.append("\n\tat ").append(e);
        }
        LOG.warn("Reactor stalled on shard {} for {} ms so far; shard thread stack:{}", shard,
                TimeUnit.NANOSECONDS.toMillis(stalledNanos), text);
    }

    @Override
    public void ended(int shard, long totalNanos) {
        LOG.warn("Reactor stall on shard {} ended after {} ms", shard, TimeUnit.NANOSECONDS.toMillis(totalNanos));
    }
}
