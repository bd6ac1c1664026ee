package io.percore.demo.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * How the append-only file's writer forces its file to the disk: {@link #DISK} in service, a slow
 * or failing one in tests (a seam on the fsync alone, once a second or once a batch with
 * {@code always}, never on a write).
 */
@FunctionalInterface
interface ChannelForce {

    ChannelForce DISK = channel -> channel.force(false);

    void force(FileChannel channel) throws IOException;
}
