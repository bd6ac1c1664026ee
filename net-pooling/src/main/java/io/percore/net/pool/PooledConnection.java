package io.percore.net.pool;

import io.netty.channel.Channel;

/**
 * A connection lent by a {@link ConnectionPool}. Use it on the pool's shard, then give it back
 * exactly once with {@link #release()} (reusable) or {@link #discard()} (broken: close it).
 */
public final class PooledConnection {

    final ConnectionPool pool;
    final Channel channel;
    long idleSinceNanos;
    boolean leased;
    /** Free slot for the protocol layer (the client keeps its response dispatcher here). */
    Object attachment;

    PooledConnection(ConnectionPool pool, Channel channel) {
        this.pool = pool;
        this.channel = channel;
    }

    public Channel channel() {
        return channel;
    }

    public ConnectionPool pool() {
        return pool;
    }

    public Object attachment() {
        return attachment;
    }

    public void attach(Object attachment) {
        this.attachment = attachment;
    }

    public boolean isUsable() {
        return channel.isActive();
    }

    /** Returns the connection to the pool for reuse. */
    public void release() {
        pool.release(this, false);
    }

    /** Closes the connection instead of reusing it (after a protocol error or a timeout). */
    public void discard() {
        pool.release(this, true);
    }

    @Override
    public String toString() {
        return "PooledConnection[" + channel + "]";
    }
}
