package io.percore.demo.kv;

/**
 * A pending entry of a consumer group (Redis's {@code streamNACK}): delivered and not acknowledged.
 * One object is shared by the group's pending entries list and its consumer's, as in Redis.
 */
public final class StreamNack {

    /** Heap of a pending entry: this object and its slots in the group's and the consumer's indexes (measured in StreamValueTest). */
    static final long BYTES = 80;

    long deliveryTime;
    long deliveryCount;
    /** Null only while an RDB payload is read, before its consumers are. */
    StreamConsumer consumer;

    StreamNack(long deliveryTime, long deliveryCount, StreamConsumer consumer) {
        this.deliveryTime = deliveryTime;
        this.deliveryCount = deliveryCount;
        this.consumer = consumer;
    }

    public long deliveryTime() {
        return deliveryTime;
    }

    public long deliveryCount() {
        return deliveryCount;
    }

    public StreamConsumer consumer() {
        return consumer;
    }
}
