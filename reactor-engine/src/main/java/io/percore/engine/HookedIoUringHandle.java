package io.percore.engine;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A socket's io_uring handle as Netty's ring sees it: the socket's own handle, with the shard told
 * before each completion is handed to it. Netty 4.2's io_uring handler reaps and submits for up to
 * 128 rounds in one poll while completions keep coming, so under saturation the loop would not turn
 * for tens of milliseconds; between two completions the shard may run the rest of its loop
 * ({@link ShardLoop#beforeIoCompletion}).
 *
 * <p>A completion whose next read buffer cannot be had because the direct memory is spent closes this socket
 * instead of the shard: Netty's epoll and NIO reads catch that error and close the channel through its pipeline,
 * its io_uring read re-arm does not, and the error would stop the shard's loop (and the process) for one peer's
 * flood. A heap {@link OutOfMemoryError} still ends the loop. Everything else is the socket's handle, unchanged.
 */
final class HookedIoUringHandle implements IoUringIoHandle {

    private static final Logger LOG = LoggerFactory.getLogger(HookedIoUringHandle.class);

    private final IoUringIoHandle handle;
    private final Runnable beforeCompletion;

    HookedIoUringHandle(IoUringIoHandle handle, Runnable beforeCompletion) {
        this.handle = handle;
        this.beforeCompletion = beforeCompletion;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent ioEvent) {
        beforeCompletion.run();
        try {
            handle.handle(registration, ioEvent);
        } catch (OutOfMemoryError e) {
            if (!DirectMemory.spent(e)) {
                throw e;
            }
            LOG.warn("Closing {}: no direct memory for its next read ({})", handle, e.getMessage());
            try {
                handle.close();
            } catch (Exception closing) {
                LOG.warn("Closing {} failed", handle, closing);
            }
        }
    }

    @Override
    public void registered() {
        handle.registered();
    }

    @Override
    public void unregistered() {
        handle.unregistered();
    }

    @Override
    public void close() throws Exception {
        handle.close();
    }

    @Override
    public String toString() {
        return handle.toString();
    }
}
