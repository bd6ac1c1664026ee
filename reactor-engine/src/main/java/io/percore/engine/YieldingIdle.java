package io.percore.engine;

/**
 * Overprovisioned mode: no busy-poll, but give the CPU away once before sleeping. On a shared
 * core the peer that is about to send us work often runs right now, and a yield costs far less
 * than a sleep in the poll plus the eventfd wakeup it would then need.
 *
 * <p>With io_uring, what a task wrote since the last poll (a WebFlux reply completed by a
 * cross-shard answer, a timer's write) is only queued for submission: Netty submits it at the
 * next poll. Yielding first kept those replies unsent while other processes ran, a whole time
 * slice on a loaded host (the hopped half of {@code run-webflux-state.sh}'s requests), so the
 * shard polls once without blocking before it yields: that submits them, and costs no system
 * call when nothing is queued. Epoll and NIO write at flush, where a poll would only add one.
 */
final class YieldingIdle implements IdleStrategy {

    private final boolean submitBeforeYield;

    YieldingIdle(boolean submitBeforeYield) {
        this.submitBeforeYield = submitBeforeYield;
    }

    @Override
    public long beforeSleep(Shard shard, long idleStart) {
        if (submitBeforeYield && shard.tracker().hasRegistrations()) {
            long ioStart = System.nanoTime();
            if (shard.pollIo(shard.eventLoop()) > 0) {
                return Math.max(1, System.nanoTime() - ioStart); // handlers ran: busy, and the loop turns again
            }
        }
        if (!shard.stopRequested() && !shard.hasLocalWork()) {
            Thread.yield();
        }
        return 0;
    }
}
