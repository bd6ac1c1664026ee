package io.percore.engine;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ManualIoEventLoop;

/**
 * Netty's manual loop, told not to block in the I/O poll while the shard has work of its own
 * (tasks, inbound messages) that Netty cannot see.
 */
final class ShardEventLoop extends ManualIoEventLoop {

    private final Shard shard;

    ShardEventLoop(Shard shard, Thread owner, IoHandlerFactory factory) {
        super(owner, factory);
        this.shard = shard;
    }

    @Override
    protected boolean canBlock() {
        return !shard.hasLocalWork() && !shard.stopRequested();
    }
}
