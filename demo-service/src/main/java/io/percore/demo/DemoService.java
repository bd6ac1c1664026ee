package io.percore.demo;

import io.netty.channel.ChannelHandler;
import io.percore.demo.http.HttpServerInitializer;
import io.percore.demo.resp.CommandTable;
import io.percore.demo.resp.ConfigValues;
import io.percore.demo.resp.PubSub;
import io.percore.demo.resp.RespCommands;
import io.percore.demo.resp.RespServerInitializer;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Engine;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ShardedServer;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The demo as a plain object on an {@link Engine}: the sharded keyspace, the RESP server and the
 * HTTP server, each server with one listener per shard ({@link ShardedServer}). The Spring Boot
 * application starts it on the starter's engine and server registry; tests start it directly.
 */
public final class DemoService implements AutoCloseable {

    private final Keyspace keyspace;
    private final PubSub pubsub;
    private final ShardedServer resp;
    private final ShardedServer http;
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoService(Keyspace keyspace, PubSub pubsub, ShardedServer resp, ShardedServer http) {
        this.keyspace = keyspace;
        this.pubsub = pubsub;
        this.resp = resp;
        this.http = http;
    }

    /** Name of the RESP server ({@code percore.servers.resp} in the Spring app). */
    public static final String RESP_SERVER = "resp";
    /** Name of the HTTP server ({@code percore.servers.http} in the Spring app). */
    public static final String HTTP_SERVER = "http";

    /**
     * Starts one of the demo's servers: {@code name} is {@link #RESP_SERVER} or {@link #HTTP_SERVER},
     * {@code initializer} sets up each accepted connection on its shard. The Spring app passes the
     * starter's {@code ShardedServerRegistry::start}, which takes the listener's options from
     * {@code percore.servers.<name>}, meters the server and drains it on shutdown.
     */
    @FunctionalInterface
    public interface ServerLauncher {
        ShardedServer start(String name, ChannelHandler initializer, RequestKinds requestKinds);
    }

    /**
     * Starts both servers on {@code engine} with the addresses, ports and limits of {@code settings}
     * (blocks until bound; call off the shard threads). Closing the service closes them.
     */
    public static DemoService start(Engine engine, DemoSettings settings) {
        return start(engine, settings, (name, initializer, kinds) -> ShardedServer.start(engine, options(name, settings), initializer, kinds));
    }

    /**
     * Starts the keyspace on {@code engine} and both servers through {@code servers}, which decides
     * where they listen; {@code settings} supplies the RESP and HTTP limits and the port that
     * {@code CONFIG GET port} and {@code INFO} report. Blocks until bound; call off the shard threads.
     */
    public static DemoService start(Engine engine, DemoSettings settings, ServerLauncher servers) {
        Keyspace keyspace = Keyspace.start(engine);
        PubSub pubsub = PubSub.start(engine);
        ShardedServer resp = null;
        try {
            // CONFIG GET port / INFO report the configured port; with port 0 (tests) the chosen one is not known yet.
            CommandTable commands = RespCommands.table(settings.respPort(), settings.resp().maxBulkLength());
            long maxClients = (long) settings.maxConnectionsPerShard() * engine.shardCount();
            keyspace.startIntrospection(ConfigValues.initial(settings.respPort(), settings.respBindAddress(), maxClients,
                    settings.memory(), settings.resp(), settings.http().password(), settings.respIdleTimeout().toSeconds()),
                    commands.size());
            resp = servers.start(RESP_SERVER, new RespServerInitializer(keyspace, pubsub, commands, settings.resp()), commands.requestKinds());
            keyspace.attachRespServer(resp);
            ShardedServer http = servers.start(HTTP_SERVER, new HttpServerInitializer(keyspace, settings.http()), HttpServerInitializer.requestKinds());
            return new DemoService(keyspace, pubsub, resp, http);
        } catch (RuntimeException e) {
            if (resp != null) {
                resp.close();
            }
            pubsub.close();
            keyspace.close();
            throw e;
        }
    }

    private static ServerOptions options(String name, DemoSettings settings) {
        boolean isResp = RESP_SERVER.equals(name);
        ServerOptions.Builder options = ServerOptions.builder()
                .bindAddress(isResp ? settings.respBindAddress() : settings.httpBindAddress())
                .port(isResp ? settings.respPort() : settings.httpPort())
                .maxConnectionsPerShard(settings.maxConnectionsPerShard())
                .idleTimeout(isResp ? settings.respIdleTimeout() : settings.httpIdleTimeout());
        return options.build();
    }

    public Keyspace keyspace() {
        return keyspace;
    }

    public ShardedServer respServer() {
        return resp;
    }

    public ShardedServer httpServer() {
        return http;
    }

    public int respPort() {
        return resp.port();
    }

    public int httpPort() {
        return http.port();
    }

    /** Closes the servers, then the keyspace; later calls do nothing. Needs the engine still running. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            http.close();
        } finally {
            try {
                resp.close();
            } finally {
                try {
                    pubsub.close();
                } finally {
                    keyspace.close();
                }
            }
        }
    }
}
