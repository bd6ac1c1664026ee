package io.percore.engine;

/**
 * Pinned mode with {@code idle-poll: 0}: the core is the shard's own and the user asked for no
 * spinning, so the shard goes straight to sleep in the I/O poll. Nothing is gained by yielding
 * first: with the core to itself a yield finds no one to run and is one more system call each
 * time the shard runs out of work; on a core shared anyway (several pinned processes on one CPU,
 * as {@code run-cluster.sh} lays out three nodes) it hands the CPU to a sibling that has nothing
 * for this shard, an involuntary context switch per idle entry. The blocking poll submits what
 * tasks queued on io_uring in the same {@code io_uring_enter} that waits, so no reply waits
 * behind the sleep.
 */
final class SleepingIdle implements IdleStrategy {

    static final SleepingIdle INSTANCE = new SleepingIdle();

    private SleepingIdle() {
    }

    @Override
    public long beforeSleep(Shard shard, long idleStart) {
        return 0;
    }
}
