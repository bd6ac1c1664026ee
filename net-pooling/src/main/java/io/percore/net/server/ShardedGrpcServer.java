package io.percore.net.server;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannel;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardTransport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC on the shards: one grpc-java Netty server per shard, each on its shard's event loop (as
 * boss and worker), all bound to one port with SO_REUSEPORT, so the kernel spreads connections and
 * every call of a connection is received, served and answered on one shard. Services run on the
 * event loop itself ({@code directExecutor}): a service method must not block, exactly as a
 * WebFlux handler on the shards; {@code Shard.current()} and a {@code Sharded<T>}'s
 * {@code local()} work in it.
 *
 * <p>Per shard, in the servers' meters ({@link #metrics(int)}): connections open and accepted,
 * calls by service and status code ({@link #requestKinds()}), and the latency of every call, from
 * its headers to its close. {@code max-connections-per-shard} bounds the connections a shard
 * serves: gRPC gives no hook to refuse a connection at accept, so the calls of a connection over
 * the limit are refused with RESOURCE_EXHAUSTED. {@code max-request-size} is the largest message,
 * {@code idle-timeout} closes a connection with no call for that long.
 *
 * <p>With {@link ServerOptions#tls()} the port speaks TLS only: one context shared by the shards,
 * offering h2 by ALPN (build it with {@code GrpcSslContexts.configure}), each handshake on its
 * connection's shard; a {@link ServerTls#replace replaced} context is taken by new connections
 * while open ones keep theirs. There is no plain port next to it ({@code ssl.port} is refused).
 *
 * <p>{@link #shutdownGracefully(Duration)} stops accepting connections and calls at once, lets the
 * calls in flight finish, and cancels what is left at the timeout.
 *
 * <p>grpc-netty is an optional dependency of this module: an application that serves gRPC brings
 * it (1.85 or later, built on Netty 4.2).
 */
public final class ShardedGrpcServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ShardedGrpcServer.class);
    /** The kind of a call whose service was not known at start (never: services are fixed; kept as the bound's catch-all). */
    static final String OTHER_SERVICE = "other";
    /** On a transport's attributes once it is counted as open. */
    private static final io.grpc.Attributes.Key<Boolean> COUNTED = io.grpc.Attributes.Key.create("percore.counted");

    private final ServerOptions options;
    private final RequestKinds kinds;
    /** Each counted service's index among the kinds, looked up once per call. */
    private final java.util.Map<String, Integer> serviceIndex = new java.util.HashMap<>();
    private final ShardServerMetrics[] metrics;
    private final List<Server> servers = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private int port;

    private ShardedGrpcServer(Engine engine, ServerOptions options, RequestKinds kinds) {
        this.options = options;
        this.kinds = kinds;
        for (int i = 0; i < kinds.kinds().size(); i++) {
            serviceIndex.put(kinds.kinds().get(i), i);
        }
        this.metrics = new ShardServerMetrics[engine.shardCount()];
        for (int i = 0; i < metrics.length; i++) {
            metrics[i] = new ShardServerMetrics(i, kinds);
        }
    }

    /**
     * Binds the server on every shard and starts it with {@code services} (each as it is: apply
     * your interceptors with {@code ServerInterceptors.intercept} first). Call it off the shards.
     *
     * @throws IllegalStateException when a shard cannot bind, or the transport has no SO_REUSEPORT with more than one shard
     */
    public static ShardedGrpcServer start(Engine engine, ServerOptions options, List<ServerServiceDefinition> services) {
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(options, "options");
        if (Shard.currentOrNull() != null) {
            throw new IllegalStateException("ShardedGrpcServer.start blocks until every shard is bound; call it off the shard threads");
        }
        ShardTransport transport = engine.shard(0).transport();
        if (engine.shardCount() > 1 && (!transport.supportsReusePort() || !options.reusePort())) {
            throw new IllegalStateException("gRPC on the shards binds one server per shard with SO_REUSEPORT, which the "
                    + transport.name() + " transport here does not offer (or reuse-port is false for server " + options.name() + ")");
        }
        if (options.tls() != null && options.tlsPort() >= 0) {
            throw new IllegalStateException("percore.servers." + options.name() + ".ssl.port: gRPC on the shards serves TLS on its port itself, "
                    + "not on a port of its own next to a plain one; leave ssl.port unset");
        }
        if (options.tls() == null && options.tlsBundle() != null) {
            throw new IllegalArgumentException("percore.servers." + options.name() + ".ssl.bundle names the SSL bundle '" + options.tlsBundle()
                    + "', but the gRPC server was started without its TLS context: give it with ServerOptions.withTls");
        }
        ShardedGrpcServer server = new ShardedGrpcServer(engine, options, kindsOf(services));
        try {
            server.bind(engine, transport, services);
        } catch (RuntimeException e) {
            server.servers.forEach(Server::shutdownNow);
            throw e;
        }
        return server;
    }

    /** Calls are counted by service (the services served, the first 63; calls of the others as {@value #OTHER_SERVICE}) and by status code. */
    private static RequestKinds kindsOf(List<ServerServiceDefinition> services) {
        Set<String> names = new LinkedHashSet<>();
        for (ServerServiceDefinition service : services) {
            if (names.size() < RequestKinds.MAX_LABELS - 1) {
                names.add(service.getServiceDescriptor().getName());
            }
        }
        names.add(OTHER_SERVICE);
        List<String> outcomes = new ArrayList<>();
        for (Status.Code code : Status.Code.values()) {
            outcomes.add(code.name().toLowerCase(Locale.ROOT));
        }
        return RequestKinds.of("service", List.copyOf(names), "code", outcomes);
    }

    @SuppressWarnings("unchecked")
    private void bind(Engine engine, ShardTransport transport, List<ServerServiceDefinition> services) {
        InetAddress address;
        try {
            address = InetAddress.getByName(options.bindAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException("bind-address '" + options.bindAddress() + "' cannot be resolved", e);
        }
        port = options.port();
        GrpcTlsNegotiator tls = options.tls() == null ? null : new GrpcTlsNegotiator(options.tls());
        for (Shard shard : engine.shards()) {
            ShardServerMetrics m = metrics[shard.id()];
            ShardCalls calls = new ShardCalls(m);
            NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(address, port))
                    .channelType((Class<? extends ServerChannel>) transport.serverChannelClass())
                    .bossEventLoopGroup(shard.ioEventLoop())
                    .workerEventLoopGroup(shard.ioEventLoop())
                    .withChildOption(ChannelOption.TCP_NODELAY, true)
                    .directExecutor()
                    .maxInboundMessageSize(options.maxRequestSize())
                    .addTransportFilter(calls);
            if (tls != null) {
                builder.protocolNegotiator(tls);
            }
            if (transport.supportsReusePort()) {
                builder.withOption(transport.reusePortOption(), true);
            }
            if (!options.idleTimeout().isZero()) {
                builder.maxConnectionIdle(options.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
            }
            for (ServerServiceDefinition service : services) {
                builder.addService(ServerInterceptors.intercept(service, calls));
            }
            Server server = builder.build();
            try {
                server.start();
            } catch (IOException e) {
                throw new IllegalStateException("Cannot bind gRPC server " + options.name() + " to " + address.getHostAddress() + ":" + port
                        + " on shard " + shard.id() + ": " + e.getMessage(), e);
            }
            servers.add(server);
            if (port == 0) {
                port = server.getPort(); // shard 0 takes an ephemeral port; every other shard joins it
            }
        }
        LOG.info("gRPC server {} listening on {}{}:{} with {} shard(s), transport {}, {} service(s)", options.name(),
                tls == null ? "" : "TLS (" + GrpcTlsNegotiator.engine(options.tls().context()) + ") ", address.getHostAddress(), port,
                servers.size(), transport.name(), services.size());
    }

    public ServerOptions options() {
        return options;
    }

    /** The port every shard listens on (the chosen one when the options said 0). */
    public int port() {
        return port;
    }

    public int shardCount() {
        return metrics.length;
    }

    /** Counters of shard {@code shard}: connections, calls by service and status code, latency. Any thread. */
    public ShardServerMetrics metrics(int shard) {
        return metrics[shard];
    }

    /** The labels calls are counted by: {@code service} (the services served, and {@value #OTHER_SERVICE}) and {@code code}. */
    public RequestKinds requestKinds() {
        return kinds;
    }

    public boolean isClosing() {
        return closing.get();
    }

    /**
     * Stops accepting connections and calls on every shard at once; the calls in flight go on and
     * the servers terminate when they are done; at {@code timeout} what is left is cancelled. Any
     * thread; completes when every shard's server has terminated.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        if (!closing.compareAndSet(false, true)) {
            return terminated;
        }
        servers.forEach(Server::shutdown);
        Thread waiter = new Thread(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Server server : servers) {
                try {
                    if (!server.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                        server.shutdownNow();
                        server.awaitTermination(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    server.shutdownNow();
                    Thread.currentThread().interrupt();
                }
            }
            terminated.complete(null);
        }, "percore-grpc-drain-" + options.name());
        waiter.setDaemon(true);
        waiter.start();
        return terminated;
    }

    /** Graceful shutdown with the configured graceful-shutdown-timeout, waiting for it. */
    @Override
    public void close() {
        try {
            shutdownGracefully(options.gracefulShutdownTimeout()).get(options.gracefulShutdownTimeout().toMillis() + 10_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("gRPC server " + options.name() + " did not shut down cleanly", e);
        }
    }

    /**
     * One shard's connections and calls: counted on the shard's thread (transport callbacks and
     * calls run on its loop), the connection bound enforced on each call, the latency of each call
     * recorded at its close.
     */
    private final class ShardCalls extends io.grpc.ServerTransportFilter implements ServerInterceptor {
        private final ShardServerMetrics m;

        ShardCalls(ShardServerMetrics m) {
            this.m = m;
        }

        @Override
        public io.grpc.Attributes transportReady(io.grpc.Attributes attributes) {
            m.open.increment();
            m.accepted.increment();
            return attributes.toBuilder().set(COUNTED, Boolean.TRUE).build();
        }

        /** Also called for a transport that never got ready (its raw attributes): only a counted one was open. */
        @Override
        public void transportTerminated(io.grpc.Attributes attributes) {
            if (attributes != null && attributes.get(COUNTED) != null) {
                m.open.decrement();
            }
        }

        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Integer known = serviceIndex.get(call.getMethodDescriptor().getServiceName());
            int kind = known != null ? known : serviceIndex.get(OTHER_SERVICE);
            if (m.connectionsOpen() > options().maxConnectionsPerShard()) {
                m.rejected.increment();
                m.requests.count(kind, Status.Code.RESOURCE_EXHAUSTED.ordinal());
                call.close(Status.RESOURCE_EXHAUSTED.withDescription("this shard serves at most " + options().maxConnectionsPerShard()
                        + " connections (max-connections-per-shard)"), new Metadata());
                return new ServerCall.Listener<>() { };
            }
            CountedCall<Q, R> counted = new CountedCall<>(call, m, kind);
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(counted, headers)) {
                @Override
                public void onCancel() {
                    // the client went, or the deadline passed: the service may never close the call itself. A client's
                    // deadline mostly shows as its cancellation, which comes before the server's copy of the deadline ends.
                    counted.finished(io.grpc.Context.current().getDeadline() != null && io.grpc.Context.current().getDeadline().isExpired()
                            ? Status.Code.DEADLINE_EXCEEDED : Status.Code.CANCELLED);
                    super.onCancel();
                }
            };
        }
    }

    /** A call counted once, with its latency, when the service closes it or the client cancels it. */
    private static final class CountedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
        private final ShardServerMetrics m;
        private final int kind;
        private final long start = System.nanoTime();
        private boolean counted;

        CountedCall(ServerCall<Q, R> call, ShardServerMetrics m, int kind) {
            super(call);
            this.m = m;
            this.kind = kind;
        }

        @Override
        public void close(Status status, Metadata trailers) {
            finished(status.getCode());
            super.close(status, trailers);
        }

        void finished(Status.Code code) {
            if (!counted) {
                counted = true;
                m.requests.count(kind, code.ordinal());
                m.requests.recordLatency(System.nanoTime() - start, 1);
            }
        }
    }
}
