package io.percore.demo.pubsub;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Which shards have a subscription a keyspace event could reach: per shard, its patterns plus its
 * channels named {@code __keyspace@...} or {@code __keyevent@...}. Each shard writes only its own
 * slot (when its subscriptions change) and reads the others' before sending them an event, so a
 * shard nobody listens on gets no message at all (a DEL of a million keys with notifications on and
 * no subscriber there costs no mesh traffic). A slot is published with release and read with
 * acquire: a subscription whose reply a client has read is seen by the writes that follow it.
 */
final class KeyspaceInterest {

    private final AtomicIntegerArray subscriptions;

    KeyspaceInterest(int shards) {
        this.subscriptions = new AtomicIntegerArray(shards);
    }

    /** Shard {@code shard}'s own count, written by that shard only. */
    void publish(int shard, int count) {
        subscriptions.setRelease(shard, count);
    }

    /** Whether shard {@code shard} has a subscription a keyspace event could reach. */
    boolean listens(int shard) {
        return subscriptions.getAcquire(shard) != 0;
    }
}
