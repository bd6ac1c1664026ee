package io.percore.spring.boot.autoconfigure.web;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shards' loops as one Netty group, for the transport without SO_REUSEPORT (NIO): the single
 * acceptor registers each connection on the next shard, round robin, as net-pooling's sharded
 * servers do. A view only: the engine owns the loops, so shutting the group down does nothing.
 */
final class ShardLoops extends AbstractEventExecutorGroup implements EventLoopGroup {

    private final List<EventLoop> loops = new ArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Future<?> never = ImmediateEventExecutor.INSTANCE.newPromise();

    ShardLoops(Engine engine) {
        for (Shard shard : engine.shards()) {
            loops.add((EventLoop) shard.ioEventLoop());
        }
    }

    @Override
    public EventLoop next() {
        return loops.get(Math.floorMod(next.getAndIncrement(), loops.size()));
    }

    @Override
    public Iterator<EventExecutor> iterator() {
        return List.<EventExecutor>copyOf(loops).iterator();
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return next().register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return next().register(promise);
    }

    @Override
    @Deprecated
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return next().register(channel, promise);
    }

    @Override
    public boolean isShuttingDown() {
        return false;
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return never;
    }

    @Override
    public Future<?> terminationFuture() {
        return never;
    }

    @Override
    @Deprecated
    public void shutdown() {
    }

    @Override
    public boolean isShutdown() {
        return false;
    }

    @Override
    public boolean isTerminated() {
        return false;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return false;
    }
}
