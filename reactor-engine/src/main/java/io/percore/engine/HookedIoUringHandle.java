package io.percore.engine;

import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoHandle;

/**
 * A socket's io_uring handle as Netty's ring sees it: the socket's own handle, with the shard told
 * before each completion is handed to it. Netty 4.2's io_uring handler reaps and submits for up to
 * 128 rounds in one poll while completions keep coming, so under saturation the loop would not turn
 * for tens of milliseconds; between two completions the shard may run the rest of its loop
 * ({@link Shard#beforeIoCompletion}). Everything else is the socket's handle, unchanged.
 */
final class HookedIoUringHandle implements IoUringIoHandle {

    private final IoUringIoHandle handle;
    private final Runnable beforeCompletion;

    HookedIoUringHandle(IoUringIoHandle handle, Runnable beforeCompletion) {
        this.handle = handle;
        this.beforeCompletion = beforeCompletion;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent ioEvent) {
        beforeCompletion.run();
        handle.handle(registration, ioEvent);
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
