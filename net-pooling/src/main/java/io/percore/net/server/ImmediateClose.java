package io.percore.net.server;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;
import java.io.IOException;

/**
 * Closes a connection now, giving up what it still had to send: a peer that reads nothing (a replica that stopped, a
 * pod gone with its network) must not keep it open.
 *
 * <p>{@link Channel#close()} alone is not enough on io_uring: Netty defers the close of a socket until the operations
 * it has in the ring complete, and asks the kernel to cancel them. On the real node a stopping primary's replica link,
 * its peer's pod deleted too, was still open 7 s after its close ("1 write(s) not taken by the socket"), and the pod's
 * stop ran to its grace period (FaultCampaignIT, 2026-12-05). {@code shutdown(2)} acts on the socket itself: every
 * operation waiting on it, in the ring or not, completes at once (the send with an error, the receive with end of
 * stream), and the deferred close goes on. On epoll the peer sees the same as after a close: what the kernel already
 * took, then the end of stream. NIO's channels are only closed.
 */
public final class ImmediateClose {

    private ImmediateClose() {
    }

    /** Shuts the socket down (both directions), then closes the channel. Call it on the channel's event loop. */
    public static ChannelFuture of(Channel channel) {
        if (channel instanceof UnixChannel unix && channel.isOpen()) {
            FileDescriptor fd = unix.fd();
            // not once its descriptor is marked closed: the number may be another socket's by now
            if (fd instanceof Socket socket && fd.isOpen()) {
                try {
                    socket.shutdown();
                } catch (IOException e) {
                    // not connected any more (the peer reset it): nothing is waiting on it, the close suffices
                }
            }
        }
        return channel.close();
    }
}
