package io.percore.demo.kv;

/** A consumer of a group (Redis's {@code streamConsumer}): its name, when it was last seen, its pending entries. */
public final class StreamConsumer {

    /** Heap of a consumer besides its name and pending entries: the object, its index and its map entry in the group. */
    static final long BYTES = 112;

    private final byte[] name;
    long seenTime;
    final IdIndex<StreamNack> pending = new IdIndex<>();

    StreamConsumer(byte[] name, long seenTime) {
        this.name = name;
        this.seenTime = seenTime;
    }

    public byte[] name() {
        return name;
    }

    public long seenTime() {
        return seenTime;
    }

    public int pendingCount() {
        return pending.size();
    }

    long bytes() {
        return BYTES + HeapSizes.arrayBytes(name.length) + pending.bytes();
    }
}
