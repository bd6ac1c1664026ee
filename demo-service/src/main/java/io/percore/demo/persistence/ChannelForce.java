package io.percore.demo.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * How the append-only file's writer forces its file to the disk: {@link #DISK} in service, a slow
 * or failing one in tests (a seam on the fsync alone, once a second or once a batch with
 * {@code always}, never on a write).
 */
@FunctionalInterface
interface ChannelForce {

    ChannelForce DISK = channel -> channel.force(false);

    void force(FileChannel channel) throws IOException;

    /**
     * {@code how}, telling {@code slow} the milliseconds of each force that took {@code threshold} or longer (failed or
     * not): a busy disk, which with {@code appendfsync always} holds every reply as long, is then in the log rather than
     * only in the clients' latency.
     */
    static ChannelForce reportingSlow(ChannelForce how, Duration threshold, LongConsumer slow) {
        long thresholdNanos = threshold.toNanos();
        return channel -> {
            long began = System.nanoTime();
            try {
                how.force(channel);
            } finally {
                long took = System.nanoTime() - began;
                if (took >= thresholdNanos) {
                    slow.accept(took / 1_000_000);
                }
            }
        };
    }
}
