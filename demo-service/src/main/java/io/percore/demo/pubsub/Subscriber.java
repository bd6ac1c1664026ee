package io.percore.demo.pubsub;

import io.netty.handler.codec.redis.RedisMessage;

/** A connection subscribed to channels or patterns, on the shard where its {@link ChannelTable} lives. */
public interface Subscriber {

    /** Sends a pub/sub message (a push in RESP3); the subscriber may close itself if it cannot keep up. */
    void push(RedisMessage message);
}
