package io.percore.engine;

/**
 * Overprovisioned mode: no busy-poll, but give the CPU away once before sleeping. On a shared
 * core the peer that is about to send us work often runs right now, and a yield costs far less
 * than a sleep in the poll plus the eventfd wakeup it would then need.
 */
final class YieldingIdle implements IdleStrategy {

    @Override
    public long beforeSleep(Shard shard, long idleStart) {
        if (!shard.stopRequested() && !shard.hasLocalWork()) {
            Thread.yield();
        }
        return 0;
    }
}
