package io.percore.engine;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringAdaptiveBufferRingAllocator;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.percore.config.EngineConfig;
import io.percore.config.schema.HostRejectedSettingException;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The I/O transport the shards use, and the Netty channel classes that go with it. Register
 * channels of {@link #serverChannelClass()} / {@link #socketChannelClass()} on
 * {@link Shard#ioEventLoop()}.
 */
public final class ShardTransport {

    public static final String IO_URING = "io_uring";
    public static final String EPOLL = "epoll";
    public static final String NIO = "nio";

    private final String name;
    private final Supplier<IoHandlerFactory> handlerFactory;
    private final Class<? extends ServerSocketChannel> serverChannelClass;
    private final Class<? extends SocketChannel> socketChannelClass;
    private final ChannelOption<Boolean> reusePortOption;
    private final String fallbackReason;
    /** Decided once, so that the shards' handlers and their connections agree ({@link #receiveRing()}). */
    private final boolean receiveRing;
    /** Decided once, like the ring ({@link #hasStandingTimers()}). */
    private final boolean standingTimers;

    private ShardTransport(String name, Supplier<IoHandlerFactory> handlerFactory,
                           Class<? extends ServerSocketChannel> serverChannelClass,
                           Class<? extends SocketChannel> socketChannelClass,
                           ChannelOption<Boolean> reusePortOption, String fallbackReason) {
        this.name = name;
        this.handlerFactory = handlerFactory;
        this.serverChannelClass = serverChannelClass;
        this.socketChannelClass = socketChannelClass;
        this.reusePortOption = reusePortOption;
        this.fallbackReason = fallbackReason;
        this.receiveRing = IO_URING.equals(name) && receiveRing();
        this.standingTimers = IO_URING.equals(name) && Boolean.parseBoolean(System.getProperty(STANDING_TIMERS_PROPERTY, "true"));
    }

    /**
     * Picks the transport for {@code choice}. {@code AUTO} tries io_uring, then epoll, then NIO,
     * and records why each better one was unavailable. An explicit choice that is unavailable is
     * an {@link IllegalStateException} naming the key, the value and the cause.
     */
    static ShardTransport select(EngineConfig.Transport choice) {
        waitsForCompletionsAreNotIoWait();
        oneReceiveAtATime();
        return select(choice, IoUring.isAvailable() ? null : IoUring.unavailabilityCause(),
                Epoll.isAvailable() ? null : Epoll.unavailabilityCause(), !IoUring.isAvailable(), !Epoll.isAvailable());
    }

    /**
     * Netty's switch for io_uring's {@code IORING_ENTER_NO_IOWAIT} (Linux 6.15 and later; read once, when Netty's
     * {@code IoUring} class loads).
     */
    static final String NO_IOWAIT_PROPERTY = "io.netty.iouring.enterNoIoWaitEnabled";

    /**
     * Turns Netty's {@link #NO_IOWAIT_PROPERTY} on unless the application set it. Linux counts a thread waiting in
     * {@code io_uring_enter} for completions as waiting on I/O while any request is in flight, and a shard's ring always
     * has one (its sockets' reads): an idle shard showed as a CPU in iowait, and {@code /proc/pressure/io} at 75-88 %
     * with one idle demo process on this machine (0 % with the flag, 2026-12-04). That made every iowait figure and
     * I/O pressure reading of a Percore host say nothing about its disks. Netty leaves the flag off by default; it
     * changes no I/O, only how the wait is accounted (and the CPU frequency boost some governors give after iowait).
     * It takes effect only if nothing loaded Netty's {@code IoUring} class before the engine: {@link #noIoWait()} says.
     */
    static void waitsForCompletionsAreNotIoWait() {
        if (System.getProperty(NO_IOWAIT_PROPERTY) == null) {
            System.setProperty(NO_IOWAIT_PROPERTY, "true");
        }
    }

    /**
     * Netty's switch for multishot receives into a buffer ring (read once, when Netty's {@code IoUring} class loads).
     */
    static final String RECV_MULTISHOT_PROPERTY = "io.netty.iouring.recvMultiShotEnabled";

    /** Turns the shards' receive ring off ({@code -Dio.percore.iouring.receiveRing=false}): each read then waits for readiness first. */
    static final String RECEIVE_RING_PROPERTY = "io.percore.iouring.receiveRing";

    /**
     * Turns Netty's {@link #RECV_MULTISHOT_PROPERTY} off unless the application set it, so that the shards' receive ring
     * ({@link #receiveRing()}) keeps a paused connection paused. Netty 4.2.18 arms a new multishot receive when the ring
     * runs dry and when the kernel ends one, whatever auto-read says, so a client writing a million commands before it
     * reads filled the query buffer with all of them (29.6 MB in 0.4 s, issue 79). One receive at a time stops with
     * auto-read: at most the one already armed completes after the pause. Only receives into a ring are affected.
     */
    static void oneReceiveAtATime() {
        if (System.getProperty(RECV_MULTISHOT_PROPERTY) == null) {
            System.setProperty(RECV_MULTISHOT_PROPERTY, "false");
        }
    }

    /** The buffer group of the shards' receive ring (one ring per shard's handler, so the same id on each). */
    static final short RECEIVE_RING_GROUP = 1;

    /**
     * Whether the io_uring shards receive into a ring of buffers the kernel picks from (Netty's buffer ring), rather than
     * waiting for a socket's readiness and then submitting its receive. With the ring a connection's next receive is
     * submitted with its reply, and completes with the next request: 1.3 {@code io_uring_enter} a request one at a time
     * instead of 2.1, 4-8 % of the demo's CPU a request on this project's machine (benchmarks/PEERS.md, measurement 50). A
     * connection that waits holds no buffer: the kernel takes one when data comes. Needs Linux 5.19 and one receive at a
     * time ({@link #oneReceiveAtATime()}; off when something loaded Netty's {@code IoUring} class with multishot on).
     */
    static boolean receiveRing() {
        return Boolean.parseBoolean(System.getProperty(RECEIVE_RING_PROPERTY, "true"))
                && IoUring.isAvailable() && IoUring.isRegisterBufferRingSupported() && !IoUring.isRecvMultishotEnabled();
    }

    /** Turns the shards' standing timers off ({@code -Dio.percore.iouring.standingTimers=false}): Netty's timeout with each wait. */
    static final String STANDING_TIMERS_PROPERTY = "io.percore.iouring.standingTimers";

    private IoHandlerFactory ioUringHandlers() {
        IoHandlerFactory netty = nettyIoUringHandlers();
        return standingTimers ? ForwardingIoHandler.wrapping(netty, StandingTimerIoHandler::new) : netty;
    }

    /** Whether the shards' waits leave their deadline to timers standing in the kernel ({@link StandingTimerIoHandler}): io_uring, unless turned off. */
    boolean hasStandingTimers() {
        return standingTimers;
    }

    private IoHandlerFactory nettyIoUringHandlers() {
        if (!receiveRing) {
            return IoUringIoHandler.newFactory();
        }
        // 1-16 KiB a buffer, sized by what arrives; 64 at first, up to 128 when the kernel finds the ring empty. A buffer
        // a receive (not Linux 6.12's incremental use of one buffer by several): 16 deep, incremental cost 3 % a request
        // more than no ring, whole buffers 4 % less (PEERS.md, measurement 50).
        IoUringBufferRingConfig ring = IoUringBufferRingConfig.builder().bufferGroupId(RECEIVE_RING_GROUP)
                .bufferRingSize((short) 128).batchSize(64).incremental(false)
                .allocator(new IoUringAdaptiveBufferRingAllocator(io.netty.buffer.ByteBufAllocator.DEFAULT, 1024, 4096, 16384))
                .build();
        return IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setBufferRingConfig(ring));
    }

    /**
     * Whether connections of this transport can receive into the shards' ring ({@link #useReceiveRing}): io_uring with
     * {@link #receiveRing()}.
     */
    public boolean hasReceiveRing() {
        return receiveRing;
    }

    /**
     * Has the connections {@code bootstrap} accepts receive into the shard's ring. Only for a protocol whose handlers take a
     * read that arrives after they turned auto-read off: the receive armed before the pause still completes once.
     */
    public void useReceiveRing(ServerBootstrap bootstrap) {
        if (receiveRing) {
            bootstrap.childOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, RECEIVE_RING_GROUP);
        }
    }

    /** As {@link #useReceiveRing(ServerBootstrap)}, for a connection accepted elsewhere: before it is registered on its shard. */
    public void useReceiveRing(Channel connection) {
        if (receiveRing) {
            connection.config().setOption(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, RECEIVE_RING_GROUP);
        }
    }

    /** Whether io_uring can run here, asked as the engine asks it (so that asking first does not undo the flag above). */
    public static boolean ioUringAvailable() {
        waitsForCompletionsAreNotIoWait();
        oneReceiveAtATime();
        return IoUring.isAvailable();
    }

    /** Whether this JVM's io_uring waits are kept out of iowait (false on kernels before 6.15, or when turned off). */
    static boolean noIoWait() {
        return IoUring.isAvailable() && IoUring.isIoringEnterNoIoWaitEnabled();
    }

    /** The selection rule, with the probes' outcomes passed in (so fallbacks are testable on any host). */
    static ShardTransport select(EngineConfig.Transport choice, Throwable ioUringCause, Throwable epollCause,
                                 boolean ioUringMissing, boolean epollMissing) {
        EngineConfig.Transport requested = choice == null ? EngineConfig.Transport.AUTO : choice;
        switch (requested) {
            case IO_URING:
                requireAvailable("io_uring", !ioUringMissing, ioUringCause);
                return ioUring(null);
            case EPOLL:
                requireAvailable("epoll", !epollMissing, epollCause);
                return epoll(null);
            case NIO:
                return nio(null);
            default:
                List<String> reasons = new ArrayList<>(2);
                if (!ioUringMissing) {
                    return ioUring(null);
                }
                reasons.add("io_uring unavailable: " + describe(ioUringCause));
                if (!epollMissing) {
                    return epoll(String.join("; ", reasons));
                }
                reasons.add("epoll unavailable: " + describe(epollCause));
                return nio(String.join("; ", reasons));
        }
    }

    private static void requireAvailable(String name, boolean available, Throwable cause) {
        if (!available) {
            throw new HostRejectedSettingException("percore.engine.transport", name, "percore.engine.transport=" + name + " was requested but " + name
                    + " is not available on this host: " + describe(cause)
                    + " (use 'auto' to fall back automatically)");
        }
    }

    private static String describe(Throwable t) {
        if (t == null) {
            return "unknown reason";
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == t ? String.valueOf(t) : t + " (caused by " + root + ")";
    }

    private static ShardTransport ioUring(String reason) {
        // the handlers are the transport's own (ioUringHandlers): with or without the ring it decided on
        return new ShardTransport(IO_URING, null, IoUringServerSocketChannel.class,
                IoUringSocketChannel.class, IoUringChannelOption.SO_REUSEPORT, reason);
    }

    private static ShardTransport epoll(String reason) {
        return new ShardTransport(EPOLL, EpollIoHandler::newFactory, EpollServerSocketChannel.class,
                EpollSocketChannel.class, EpollChannelOption.SO_REUSEPORT, reason);
    }

    private static ShardTransport nio(String reason) {
        // JDK NIO exposes SO_REUSEPORT on Linux (and macOS) as a standard socket option.
        return new ShardTransport(NIO, NioIoHandler::newFactory, NioServerSocketChannel.class,
                NioSocketChannel.class, NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT), reason);
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}. */
    public String name() {
        return name;
    }

    public Class<? extends ServerSocketChannel> serverChannelClass() {
        return serverChannelClass;
    }

    public Class<? extends SocketChannel> socketChannelClass() {
        return socketChannelClass;
    }

    /** Whether several shards can each bind a listener to the same port ({@code SO_REUSEPORT}). */
    public boolean supportsReusePort() {
        return reusePortOption != null;
    }

    /** The channel option that turns on {@code SO_REUSEPORT} for this transport's channels. */
    public ChannelOption<Boolean> reusePortOption() {
        return reusePortOption;
    }

    /** Why {@code auto} fell back to this transport (null if it got the best one or it was explicit). */
    public String fallbackReason() {
        return fallbackReason;
    }

    IoHandlerFactory newHandlerFactory() {
        return IO_URING.equals(name) ? ioUringHandlers() : handlerFactory.get();
    }

    @Override
    public String toString() {
        return name;
    }
}
