package io.percore.net.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardTransport;
import io.percore.config.schema.LiveSettings;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TCP server with a listener on every shard. With SO_REUSEPORT (io_uring, epoll, NIO on
 * Linux) each shard binds its own socket to the same port and the kernel spreads connections;
 * otherwise shard 0 accepts and hands connections to the shards round-robin. Either way a
 * connection is registered on exactly one shard's loop, so its handlers only ever run on that
 * shard's thread.
 *
 * <pre>{@code
 * ShardedServer server = ShardedServer.start(engine, ServerOptions.builder().port(6379).build(),
 *         new ChannelInitializer<SocketChannel>() {
 *             protected void initChannel(SocketChannel ch) {
 *                 ch.pipeline().addLast(new LineBasedFrameDecoder(ServerChannelContext.of(ch).maxRequestSize()), new EchoHandler());
 *             }
 *         });
 * }</pre>
 */
public final class ShardedServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedServer.class);

    /** How connections reach the shards. */
    public enum AcceptMode {
        /** One listening socket per shard on the same port; the kernel picks the shard. */
        REUSE_PORT,
        /** Shard 0's listener accepts and hands connections to the shards round-robin. */
        SINGLE_ACCEPTOR
    }

    private final Engine engine;
    /** Replaced by {@link #applyLiveOptions} (live configuration); read by the shards at each accept. */
    private volatile ServerOptions options;
    private final ShardServerMetrics[] metrics;
    private final RequestKinds requestKinds;
    private final List<ShardListener> listeners = new ArrayList<>();
    private final List<Channel> serverChannels = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private final AtomicBoolean stoppedListening = new AtomicBoolean();
    private final CompletableFuture<Void> unbound = new CompletableFuture<>();
    private AcceptMode acceptMode;
    /** The port of {@code port}: plain text, or TLS when the server has TLS on its port itself. */
    private InetSocketAddress localAddress;
    /** Where TLS is served, or null without TLS. */
    private InetSocketAddress tlsAddress;
    final TlsFailureLog tlsFailures;

    private ShardedServer(Engine engine, ServerOptions options, RequestKinds requestKinds) {
        this.engine = engine;
        this.options = options;
        this.requestKinds = requestKinds;
        this.tlsFailures = new TlsFailureLog(options.name());
        this.metrics = new ShardServerMetrics[engine.shardCount()];
        for (int i = 0; i < metrics.length; i++) {
            metrics[i] = new ShardServerMetrics(i, requestKinds);
        }
    }

    /**
     * Binds the server on every shard of {@code engine} and returns once all listeners are bound.
     * {@code initializer} (usually a {@link ChannelInitializer}, which is sharable) is added to
     * every accepted connection on the connection's shard; read limits from
     * {@link ServerChannelContext#of(Channel)}.
     *
     * @throws IllegalStateException on a shard thread (binding blocks), or when binding fails
     */
    public static ShardedServer start(Engine engine, ServerOptions options, ChannelHandler initializer) {
        return start(engine, options, initializer, null);
    }

    /**
     * As {@link #start(Engine, ServerOptions, ChannelHandler)}, for a protocol that counts its
     * requests by {@code requestKinds} ({@link ServerChannelContext#requestMetrics()}); null when it
     * does not.
     */
    public static ShardedServer start(Engine engine, ServerOptions options, ChannelHandler initializer,
                                      RequestKinds requestKinds) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(initializer, "initializer");
        if (options.tlsBundle() != null && options.tls() == null) {
            throw new IllegalArgumentException("percore.servers." + options.name() + ".ssl.bundle names the SSL bundle '" + options.tlsBundle()
                    + "', but the server was started without its TLS context: give it with ServerOptions.withTls");
        }
        if (Shard.currentOrNull() != null) {
            throw new IllegalStateException("ShardedServer.start blocks until every shard is bound; call it off the shard threads");
        }
        if (!initializer.getClass().isAnnotationPresent(ChannelHandler.Sharable.class)
                && !(initializer instanceof ChannelInitializer)) {
            throw new IllegalArgumentException("The server initializer " + initializer.getClass().getName()
                    + " is added to every connection, so it must be a ChannelInitializer or @Sharable");
        }
        ShardedServer server = new ShardedServer(engine, options, requestKinds);
        ConnectionErrorTail tail = new ConnectionErrorTail(server.metrics);
        for (Shard shard : engine.shards()) {
            server.listeners.add(new ShardListener(server, shard, server.metrics[shard.id()], initializer, tail));
        }
        try {
            server.bind();
        } catch (RuntimeException e) {
            server.closeListenersQuietly();
            throw e;
        }
        return server;
    }

    private void bind() {
        ShardTransport transport = engine.shard(0).transport();
        InetAddress address;
        try {
            address = InetAddress.getByName(options.bindAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bind-address '" + options.bindAddress() + "' cannot be resolved", e);
        }
        acceptMode = options.reusePort() && transport.supportsReusePort() && listeners.size() > 1
                ? AcceptMode.REUSE_PORT : AcceptMode.SINGLE_ACCEPTOR;
        if (options.plainPortOpen()) {
            localAddress = bindEndpoint(address, options.port(), false, transport);
        }
        if (options.tls() != null) {
            tlsAddress = bindEndpoint(address, options.tlsPort() >= 0 ? options.tlsPort() : options.port(), true, transport);
            if (localAddress == null) {
                localAddress = tlsAddress;
            }
        }
        LOG.info("Server {} listening on {}{} with {} shard(s), transport {}, {}", options.name(),
                options.plainPortOpen() ? localAddress : "TLS " + localAddress,
                options.plainPortOpen() && tlsAddress != null ? " and TLS " + tlsAddress : "", listeners.size(), transport.name(), acceptMode);
    }

    /** Binds one port on every shard (or on shard 0 for them all); {@code tls}: its connections speak TLS. */
    private InetSocketAddress bindEndpoint(InetAddress address, int port, boolean tls, ShardTransport transport) {
        Channel first = null;
        if (acceptMode == AcceptMode.REUSE_PORT) {
            for (ShardListener l : listeners) {
                ServerBootstrap b = bootstrap(l, transport).option(transport.reusePortOption(), true)
                        .handler(new AcceptFailureBackoff(l.metrics))
                        .childHandler(l.childInitializer(tls));
                if (l.readsAfterPause()) {
                    transport.useReceiveRing(b);
                }
                Channel ch = await(b.bind(address, port), address, port);
                serverChannels.add(ch);
                if (first == null) {
                    first = ch;
                    // Port 0: shard 0 takes an ephemeral port; every other shard joins it.
                    port = ((InetSocketAddress) ch.localAddress()).getPort();
                }
            }
        } else {
            ShardListener l0 = listeners.get(0);
            ServerBootstrap b = bootstrap(l0, transport)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new AcceptFailureBackoff(l0.metrics), new AcceptorHandoff(listeners, tls));
                        }
                    })
                    // Never used: AcceptorHandoff consumes accepted channels before ServerBootstrap's acceptor.
                    .childHandler(l0.childInitializer(tls));
            first = await(b.bind(address, port), address, port);
            serverChannels.add(first);
        }
        return (InetSocketAddress) first.localAddress();
    }

    private static ServerBootstrap bootstrap(ShardListener l, ShardTransport transport) {
        return new ServerBootstrap()
                .group(l.shard.ioEventLoop(), l.shard.ioEventLoop())
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true);
    }

    private static Channel await(ChannelFuture f, InetAddress address, int port) {
        try {
            f.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while binding " + address + ":" + port, e);
        }
        if (!f.isSuccess()) {
            throw new IllegalStateException("Cannot bind server to " + address.getHostAddress() + ":" + port
                    + ": " + (f.cause() == null ? "timed out" : f.cause().getMessage()), f.cause());
        }
        return f.channel();
    }

    /**
     * Takes the limits and timeouts of {@code next} that change live (config-schema's {@code x-live}):
     * max-connections-per-shard and TLS's max-handshakes-per-shard count from the next accept; the
     * idle timeout, max-request-size, max-pending-replies and the TLS handshake timeout apply to
     * connections accepted from now on (each connection keeps the values it was accepted with); the
     * graceful-shutdown timeout to the next shutdown. The server keeps its TLS context.
     *
     * @throws IllegalArgumentException naming the settings that differ and need a restart (nothing is applied then)
     */
    public synchronized LiveSettings.Changes applyLiveOptions(ServerOptions next) {
        ServerOptions current = options;
        LiveSettings.Changes changes = current.changesTo(next);
        if (changes.needsRestart()) {
            throw new IllegalArgumentException("These settings of server " + current.name() + " need a restart, not a live change: "
                    + String.join(", ", changes.restart()));
        }
        if (!changes.isEmpty()) {
            options = current.tls() == null ? next : next.withTls(current.tls());
            LOG.info("Server {}: live settings applied: {}", current.name(), String.join(", ", changes.live()));
        }
        return changes;
    }

    // ------------------------------------------------------------------ accessors

    public ServerOptions options() {
        return options;
    }

    /**
     * The port every shard listens on (the chosen one when the options said 0): plain text, or TLS
     * when the server speaks TLS on its port itself.
     */
    public int port() {
        return localAddress.getPort();
    }

    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** The port TLS is served on (the same as {@link #port()} when TLS has no port of its own), or -1 without TLS. */
    public int tlsPort() {
        return tlsAddress == null ? -1 : tlsAddress.getPort();
    }

    /** Whether {@link #port()} speaks plain text (no TLS, or TLS on a port of its own). */
    public boolean plainPortOpen() {
        return options.plainPortOpen();
    }

    public AcceptMode acceptMode() {
        return acceptMode;
    }

    public int shardCount() {
        return metrics.length;
    }

    /** Counters of shard {@code shard}; readable from any thread. */
    /** The labels the protocol counts requests with, or null when it does not count them. */
    public RequestKinds requestKinds() {
        return requestKinds;
    }

    public ShardServerMetrics metrics(int shard) {
        return metrics[shard];
    }

    /** Counters of every shard, indexed by shard id. */
    public List<ShardServerMetrics> metrics() {
        return List.of(metrics);
    }

    /** Connections open over all shards. */
    public long connectionsOpen() {
        long sum = 0;
        for (ShardServerMetrics m : metrics) {
            sum += m.connectionsOpen();
        }
        return sum;
    }

    public boolean isClosing() {
        return closing.get();
    }

    // ------------------------------------------------------------------ shutdown

    /** Graceful shutdown with the configured graceful-shutdown-timeout. */
    public CompletableFuture<Void> shutdownGracefully() {
        return shutdownGracefully(options.gracefulShutdownTimeout());
    }

    /**
     * Stops accepting at once, lets every connection finish the requests in flight (see
     * {@link ServerChannelContext#requestTracker()}), closes each as soon as it is idle, and closes
     * whatever is left after {@code timeout}. Callable from any thread; completes when every
     * connection is closed.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (!closing.compareAndSet(false, true)) {
            return terminated;
        }
        stopListening().whenComplete((v, e) -> {
            List<CompletableFuture<Void>> drains = new ArrayList<>();
            for (ShardListener l : listeners) {
                l.shard.execute(() -> l.beginDrain(timeout));
                drains.add(l.drained);
            }
            CompletableFuture.allOf(drains.toArray(new CompletableFuture<?>[0]))
                    .whenComplete((v2, e2) -> terminated.complete(null));
        });
        return terminated;
    }

    /**
     * Graceful shutdown's first step on its own: stops accepting, and completes once every listener is closed, so that the
     * port is free for another listener while the open connections go on (a slow reader can hold the drain for the whole
     * graceful-shutdown-timeout). Connections are left as they are until {@link #shutdownGracefully}. Later calls return
     * the same future.
     */
    public CompletableFuture<Void> stopListening() {
        if (stoppedListening.compareAndSet(false, true)) {
            List<CompletableFuture<Void>> steps = new ArrayList<>();
            for (Channel ch : serverChannels) {
                CompletableFuture<Void> closed = new CompletableFuture<>();
                ch.close().addListener(f -> closed.complete(null));
                steps.add(closed);
            }
            CompletableFuture.allOf(steps.toArray(new CompletableFuture<?>[0])).whenComplete((v, e) -> unbound.complete(null));
        }
        return unbound;
    }

    /** Graceful shutdown, waiting for it (at most the configured timeout plus a margin). */
    @Override
    public void close() {
        try {
            shutdownGracefully().get(options.gracefulShutdownTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("Server on {} did not shut down cleanly", localAddress, e);
        }
    }

    private void closeListenersQuietly() {
        for (Channel ch : serverChannels) {
            ch.close();
        }
    }

    /** Runs on shard 0's listener: hands each accepted connection to the next shard. */
    private static final class AcceptorHandoff extends ChannelInboundHandlerAdapter {
        private final List<ShardListener> listeners;
        private final boolean tls;
        private int next;

        AcceptorHandoff(List<ShardListener> listeners, boolean tls) {
            this.listeners = Collections.unmodifiableList(new ArrayList<>(listeners));
            this.tls = tls;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            ShardListener target = listeners.get(next);
            next = next + 1 == listeners.size() ? 0 : next + 1;
            child.config().setOption(ChannelOption.TCP_NODELAY, true);
            if (target.readsAfterPause()) {
                // Netty picks a connection's ring when it registers it: set here, or never
                target.shard.transport().useReceiveRing(child);
            }
            child.pipeline().addLast(target.childInitializer(tls));
            target.shard.ioEventLoop().register(child).addListener(f -> {
                if (!f.isSuccess()) {
                    LOG.warn("Could not hand connection {} to shard {}", child, target.shard.id(), f.cause());
                    child.unsafe().closeForcibly();
                }
            });
        }
    }
}
