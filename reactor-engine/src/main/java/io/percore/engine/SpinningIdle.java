package io.percore.engine;

/**
 * Pinned mode: the core is the shard's own, so spin for the idle-poll time before sleeping,
 * polling the sockets now and then. Work that arrives during the spin is picked up without the
 * eventfd wakeup and the scheduler round trip a sleep would cost.
 */
final class SpinningIdle implements IdleStrategy {

    /** Spins between two looks at the clock and the sockets. */
    private static final int SPINS_PER_CHECK = 64;

    private final long idlePollNanos;

    SpinningIdle(long idlePollNanos) {
        this.idlePollNanos = idlePollNanos;
    }

    @Override
    public long beforeSleep(Shard shard, long idleStart) {
        final ShardEventLoop loop = shard.eventLoop();
        final long spinEnd = idleStart + idlePollNanos;
        int spins = 0;
        while (!shard.stopRequested() && !shard.hasLocalWork()) {
            Thread.onSpinWait();
            if (++spins % SPINS_PER_CHECK == 0) {
                if (shard.tracker().hasRegistrations()) {
                    long ioStart = System.nanoTime();
                    if (shard.pollIo(loop) > 0) {
                        return Math.max(1, System.nanoTime() - ioStart); // handlers ran: busy time
                    }
                }
                if (System.nanoTime() - spinEnd >= 0) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
