package io.percore.demo.pubsub;

/** A connection subscribed to channels or patterns, on the shard where its {@link PubSubShard} lives. */
@FunctionalInterface
public interface Subscriber {

    /**
     * Sends a pub/sub message (a push in RESP3), whose encoding other subscribers share: the
     * subscriber takes what it needs of it now (it is released after the delivery) and may close
     * itself if it cannot keep up.
     */
    void push(SharedPush message);

    /**
     * Writes the messages pushed so far to the socket now instead of at the end of the loop turn: a
     * keyspace event must leave before the reply of the write that caused it (Redis queues it to the
     * subscribers before that reply). Nothing to do for a subscriber without a socket.
     */
    default void flushPushes() {
    }
}
