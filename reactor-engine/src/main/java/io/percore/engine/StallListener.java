package io.percore.engine;

/**
 * Hears about reactor stalls as the stall detector sees them: every stall over the threshold,
 * reported while it grows (at 1×, 2×, 4×, 8×, … the threshold) and once more with its total
 * when the loop turns again. Called on the detector's thread, never on a shard.
 */
interface StallListener {

    /**
     * A stall still going on.
     *
     * @param stalledNanos how long the loop turn has lasted so far
     * @param stack        the shard thread's stack sampled now, or null when stacks are rate-limited
     */
    void growing(int shard, long stalledNanos, StackTraceElement[] stack);

    /** The stalled turn is over after {@code totalNanos} (its true length, not the detection time). */
    void ended(int shard, long totalNanos);
}
