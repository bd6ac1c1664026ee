package io.percore.net.server;

import io.netty.channel.Channel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * When the kernel last sent data to a connection's peer ({@code tcpi_last_data_sent} of Linux's
 * {@code TCP_INFO}): output that leaves the process in one write can take long to reach a peer that
 * reads slowly, and io_uring reports such a write done only when all of it has gone, so only the
 * kernel can say whether bytes still move out. One {@code getsockopt} per call; the idle timeout
 * asks once per period. And whether the peer's kernel has taken everything sent ({@link #peerHasAll}): the
 * lingering close asks it while it waits.
 */
final class TcpSendClock {

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_INFO = 11;
    /** Offset of {@code __u32 tcpi_last_data_sent} (milliseconds) in {@code struct tcp_info}. */
    private static final int LAST_DATA_SENT = 44;
    private static final RawUnixChannelOption OPTION = new RawUnixChannelOption("TCP_INFO", IPPROTO_TCP, TCP_INFO, LAST_DATA_SENT + 4);

    /** Offsets of {@code __u32 tcpi_unacked} (segments sent, not acknowledged) and {@code tcpi_notsent_bytes} (Linux 4.6). */
    private static final int UNACKED = 24;
    private static final int NOTSENT_BYTES = 144;
    private static final RawUnixChannelOption DELIVERY = new RawUnixChannelOption("TCP_INFO", IPPROTO_TCP, TCP_INFO, NOTSENT_BYTES + 4);

    private TcpSendClock() {
    }

    /**
     * Milliseconds since the kernel last sent data on {@code channel}, or -1 when its transport cannot
     * tell (NIO) or the socket is gone.
     */
    static long millisSinceDataSent(Channel channel) {
        try {
            ByteBuffer info = channel.config().getOption(OPTION);
            if (info == null || info.remaining() < LAST_DATA_SENT + 4) {
                return -1;
            }
            return Integer.toUnsignedLong(info.order(ByteOrder.nativeOrder()).getInt(info.position() + LAST_DATA_SENT));
        } catch (RuntimeException e) {
            return -1; // not a native socket, or already closed
        }
    }

    /**
     * Whether the peer's kernel has acknowledged everything sent on {@code channel}, the end of stream included: nothing
     * waits in the socket's send queue and no segment is unacknowledged. Null when its transport cannot tell (NIO), the
     * kernel is older than 4.6, or the socket is gone.
     */
    static Boolean peerHasAll(Channel channel) {
        try {
            ByteBuffer info = channel.config().getOption(DELIVERY);
            if (info == null || info.remaining() < NOTSENT_BYTES + 4) {
                return null;
            }
            ByteBuffer le = info.order(ByteOrder.nativeOrder());
            return le.getInt(info.position() + UNACKED) == 0 && le.getInt(info.position() + NOTSENT_BYTES) == 0;
        } catch (RuntimeException e) {
            return null;
        }
    }
}
