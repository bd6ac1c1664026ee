package io.percore.engine;

import io.netty.channel.Channel;
import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.nio.NioIoHandle;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.uring.IoUringIoHandle;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.SelectionKey;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers which I/O handles (sockets) are registered on a shard, so that a shard whose thread
 * is stuck in a task and must be abandoned at close can still have its sockets closed from the
 * closing thread. On a healthy shard Netty closes them itself when the loop shuts down. It is also
 * where a socket meets the ring: an io_uring socket is registered as a {@link HookedIoUringHandle},
 * which tells the shard before each of its completions.
 */
final class RegistrationTracker {

    private static final Logger LOG = LoggerFactory.getLogger(RegistrationTracker.class);

    private final Map<IoHandle, IoRegistration> registrations = new ConcurrentHashMap<>();
    private final Runnable beforeIoCompletion;
    private int pruneAt = 64;

    /** @param beforeIoCompletion run before each completion Netty hands to an io_uring socket of the shard */
    RegistrationTracker(Runnable beforeIoCompletion) {
        this.beforeIoCompletion = beforeIoCompletion;
    }

    IoHandlerFactory wrap(IoHandlerFactory factory) {
        return ForwardingIoHandler.wrapping(factory, TrackingIoHandler::new);
    }

    /** Closes every still-registered socket from a thread that is not the shard's. */
    int forceCloseAll() {
        int closed = 0;
        for (Map.Entry<IoHandle, IoRegistration> e : registrations.entrySet()) {
            if (!e.getValue().isValid()) {
                continue;
            }
            if (forceClose(e.getKey(), e.getValue())) {
                closed++;
            }
        }
        registrations.clear();
        return closed;
    }

    private static boolean forceClose(IoHandle handle, IoRegistration registration) {
        try {
            if (handle instanceof NioIoHandle) {
                ((NioIoHandle) handle).selectableChannel().close();
                // The JDK defers the real close of a registered channel until its selector
                // deregisters it, which the stuck thread never will: close the selector too.
                Object key = registration.attachment();
                if (key instanceof SelectionKey) {
                    ((SelectionKey) key).selector().close();
                }
                return true;
            }
            if (handle instanceof EpollIoHandle) {
                ((EpollIoHandle) handle).fd().close();
                return true;
            }
            // io_uring handles do not expose their descriptor; they are the inner "unsafe" of
            // the channel, which does.
            Channel channel = outerChannel(handle);
            if (channel instanceof UnixChannel) {
                FileDescriptor fd = ((UnixChannel) channel).fd();
                if (fd instanceof Socket) {
                    // Operations in flight in the ring hold references to the socket, so closing
                    // the descriptor alone would not release it; shutdown() completes them.
                    try {
                        ((Socket) fd).shutdown();
                    } catch (IOException e) {
                        LOG.debug("shutdown() of {} failed", fd, e);
                    }
                }
                fd.close();
                return true;
            }
            handle.close();
            return true;
        } catch (Exception e) {
            LOG.warn("Could not force-close {} of an abandoned shard", handle, e);
            return false;
        }
    }

    private static Channel outerChannel(IoHandle handle) {
        for (Class<?> c = handle.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (f.isSynthetic() && Channel.class.isAssignableFrom(f.getType())) {
                    try {
                        f.setAccessible(true);
                        return (Channel) f.get(handle);
                    } catch (RuntimeException | IllegalAccessException e) {
                        return null;
                    }
                }
            }
        }
        return null;
    }

    int size() {
        return registrations.size();
    }

    /** Whether any socket is registered (a shard without any can skip its non-blocking I/O poll). */
    boolean hasRegistrations() {
        return !registrations.isEmpty();
    }

    private final class TrackingIoHandler extends ForwardingIoHandler {

        TrackingIoHandler(IoHandler delegate) {
            super(delegate);
        }

        @Override
        public void destroy() {
            delegate.destroy();
            registrations.clear();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            IoRegistration registration = delegate.register(handle instanceof IoUringIoHandle
                    ? new HookedIoUringHandle((IoUringIoHandle) handle, beforeIoCompletion) : handle);
            registrations.put(handle, registration);
            if (registrations.size() >= pruneAt) {
                // Closed sockets leave invalid registrations behind; drop them now and then.
                registrations.values().removeIf(r -> !r.isValid());
                pruneAt = Math.max(64, registrations.size() * 2);
            }
            return registration;
        }
    }
}
