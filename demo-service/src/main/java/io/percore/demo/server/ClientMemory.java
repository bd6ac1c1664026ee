package io.percore.demo.server;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What one client holds in memory (Redis's {@code tot-mem}): its output not yet sent (replies
 * encoded, written to the channel, waiting behind an earlier one), its requests read and not yet
 * run (query buffer, commands held back, arguments of commands travelling to another shard), its
 * queued MULTI commands, and the replies other shards are making for it.
 *
 * <p>Its connection's shard owns the figures and publishes their sum ({@link #publish}); the shards
 * that make its replies add what those hold while they travel ({@link #addElsewhere}) and read the
 * published sum before making more: that is how a client on one shard that asks another shard for a
 * hundred million-element ranges is stopped after the first few, not after the other shard has
 * built them all. The only state two shards share for a client: an atomic counter and two published
 * words. Everything else the connection's shard keeps to itself.
 */
public final class ClientMemory {

    /** A client's own objects and buffers besides what it sends and receives (Redis counts its client struct). */
    public static final long FIXED_BYTES = 1024;

    private static final VarHandle PUBLISHED;

    static {
        try {
            PUBLISHED = MethodHandles.lookup().findVarHandle(ClientMemory.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Bytes of replies other shards made for this client that have not reached it yet. */
    private final AtomicLong elsewhere = new AtomicLong();
    /** The connection's shard's last total (without what travels to it), for other shards: opaque. */
    @SuppressWarnings("unused")
    private long published;
    /** The client is being closed (limits, eviction, gone): other shards stop making its replies. */
    private volatile boolean closing;

    /** On the connection's shard: its figures changed; {@code bytes} is their sum. */
    public void publish(long bytes) {
        PUBLISHED.setOpaque(this, bytes);
    }

    /** Any shard: the client's memory as last published, plus what travels to it. */
    public long total() {
        return (long) PUBLISHED.getOpaque(this) + elsewhere.get();
    }

    /** A shard made a reply of about {@code bytes} for this client (positive), or it arrived (negative). */
    public void addElsewhere(long bytes) {
        if (bytes != 0) {
            elsewhere.addAndGet(bytes);
        }
    }

    /** Any shard: the client is to be closed; its connection's shard closes it. */
    public void markClosing() {
        closing = true;
    }

    public boolean closing() {
        return closing;
    }
}
