package io.percore.demo.tracking;

import io.netty.handler.codec.redis.RedisMessage;

/**
 * What the tracking machinery sees of a RESP connection on its own shard: a tracking client, or
 * the connection another one redirects its invalidations to. The connection implements it.
 */
public interface TrackingReceiver {

    /** The client's id (CLIENT ID). */
    long id();

    /** Whether it speaks RESP3, where invalidations are push messages. */
    boolean resp3();

    /** Whether it subscribes to anything: a RESP2 connection then reads invalidations as messages of {@code __redis__:invalidate}. */
    boolean subscribed();

    /**
     * Whether it is going (QUIT, CLIENT KILL, a limit, the socket closed): a redirection to it is
     * broken from now on, as in Redis, where such a client is gone once its last reply is written.
     */
    boolean closing();

    /** Its tracking settings; null while tracking is off. */
    ClientTracking tracking();

    /**
     * Whether one of its own commands is running on this shard now: an invalidation its command
     * caused then waits for that command's reply (Redis's {@code tracking_pending_keys}).
     */
    boolean runningCommand();

    /** Keeps {@code payload} (an invalidation caused by the running command) to be sent once the command has replied. */
    void afterReply(RedisMessage payload);

    /** Writes an out-of-band message (in order with the replies, never muted by CLIENT REPLY OFF). */
    void push(RedisMessage message);
}
