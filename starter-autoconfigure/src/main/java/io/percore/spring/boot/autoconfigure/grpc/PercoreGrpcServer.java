package io.percore.spring.boot.autoconfigure.grpc;

import io.grpc.ServerServiceDefinition;
import io.percore.config.ServerConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ServerTls;
import io.percore.net.server.ShardedGrpcServer;
import io.percore.spring.boot.autoconfigure.InFlightDrain;
import io.percore.spring.boot.autoconfigure.PercoreShutdownOrder;
import io.percore.spring.boot.autoconfigure.ShutdownStep;
import io.percore.spring.boot.autoconfigure.net.ShardedServerMeters;
import java.util.List;

/**
 * The application's gRPC services on the shards ({@link ShardedGrpcServer}), with the options of
 * {@code percore.servers.<name>}: started when the bean is made, metered with every other server
 * ({@code server=<name>}), and stopped in the {@link PercoreShutdownOrder}: at
 * {@link PercoreShutdownOrder#SERVERS} it stops accepting connections and calls (with the other
 * servers), and {@link InFlightDrain} waits for the calls in flight, within the drain timeout.
 */
public final class PercoreGrpcServer extends ShutdownStep {

    private final String name;
    private final ShardedGrpcServer server;
    private final InFlightDrain drain;
    private final ShardedServerMeters meters;

    /**
     * @param tls the server's TLS context (from its {@code ssl.bundle}, offering h2 by ALPN), or null for plain text
     * @param meters the servers' meters, or null without Micrometer
     */
    public PercoreGrpcServer(Engine engine, String name, ServerConfig config, ServerTls tls, List<ServerServiceDefinition> services,
                             InFlightDrain drain, ShardedServerMeters meters) {
        super(PercoreShutdownOrder.SERVERS);
        this.name = name;
        this.drain = drain;
        this.meters = meters;
        ServerOptions options = ServerOptions.from(name, config);
        this.server = ShardedGrpcServer.start(engine, tls == null ? options : options.withTls(tls), services);
        if (meters != null) {
            meters.addServer(name, server.shardCount(), server::metrics, false);
        }
    }

    public ShardedGrpcServer server() {
        return server;
    }

    @Override
    protected void shutDown() {
        drain.add("gRPC server " + name, server.shutdownGracefully(drain.timeout()), () -> {
            if (meters != null) {
                meters.removeServer(name);
            }
        });
    }
}
