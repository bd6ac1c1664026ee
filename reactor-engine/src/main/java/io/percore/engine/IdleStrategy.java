package io.percore.engine;

/**
 * What a shard does in the moment between finding no work and sleeping in the I/O poll (after
 * Agrona's {@code IdleStrategy}): the shard sleeps afterwards only if still no work showed up.
 * One implementation per engine mode.
 */
interface IdleStrategy {

    /**
     * Waits a little for work to show up; returns early as soon as it does. Returns the time spent
     * handling I/O meanwhile (more than zero whenever handlers ran: then the shard turns its loop
     * again, to send what they sent to other shards, rather than sleeping): the shard counts it as
     * busy, not idle. Shard thread only.
     */
    long beforeSleep(Shard shard, long idleStart);

    static IdleStrategy forMode(boolean pinnedMode, long idlePollNanos, boolean transportQueuesWrites) {
        if (!pinnedMode) {
            return new YieldingIdle(transportQueuesWrites);
        }
        return idlePollNanos > 0 ? new SpinningIdle(idlePollNanos) : SleepingIdle.INSTANCE;
    }
}
