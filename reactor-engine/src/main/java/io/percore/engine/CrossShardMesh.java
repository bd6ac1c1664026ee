package io.percore.engine;

import org.jctools.queues.SpscArrayQueue;

/**
 * The rings between shards: one bounded single-producer/single-consumer queue per ordered pair
 * (source, target). Only the source shard's thread offers to a ring and only the target's
 * thread polls it, so neither side ever takes a lock or a CAS.
 */
final class CrossShardMesh {

    private final int shards;
    private final SpscArrayQueue<Object>[] rings;

    @SuppressWarnings("unchecked")
    CrossShardMesh(int shards, int ringCapacity) {
        this.shards = shards;
        this.rings = new SpscArrayQueue[shards * shards];
        for (int from = 0; from < shards; from++) {
            for (int to = 0; to < shards; to++) {
                if (from != to) {
                    rings[from * shards + to] = new SpscArrayQueue<>(ringCapacity);
                }
            }
        }
    }

    SpscArrayQueue<Object> ring(int from, int to) {
        return rings[from * shards + to];
    }

    /** The rings shard {@code to} drains, indexed by sender; null at {@code to} itself. */
    @SuppressWarnings("unchecked")
    SpscArrayQueue<Object>[] ringsTo(int to) {
        SpscArrayQueue<Object>[] in = new SpscArrayQueue[shards];
        for (int from = 0; from < shards; from++) {
            in[from] = ring(from, to);
        }
        return in;
    }

    int shards() {
        return shards;
    }
}
