package io.percore.demo;

import io.percore.demo.http.HttpServerInitializer;
import io.percore.demo.resp.CommandTable;
import io.percore.demo.resp.RespCommands;
import io.percore.demo.resp.RespServerInitializer;
import io.percore.demo.shard.ShardedKeyspace;
import io.percore.engine.Engine;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ShardedServer;

/**
 * The demo as a plain object on an {@link Engine}: the sharded keyspace, the RESP server and the
 * HTTP server, each server with one listener per shard ({@link ShardedServer}). The Spring Boot
 * application wraps this; tests start it directly.
 */
public final class DemoService implements AutoCloseable {

    private final ShardedKeyspace keyspace;
    private final ShardedServer resp;
    private final ShardedServer http;

    private DemoService(ShardedKeyspace keyspace, ShardedServer resp, ShardedServer http) {
        this.keyspace = keyspace;
        this.resp = resp;
        this.http = http;
    }

    /** Starts both servers on {@code engine} (blocks until bound; call off the shard threads). */
    public static DemoService start(Engine engine, DemoSettings settings) {
        ShardedKeyspace keyspace = ShardedKeyspace.start(engine);
        ShardedServer resp = null;
        try {
            ServerOptions respOptions = ServerOptions.builder()
                    .bindAddress(settings.respBindAddress())
                    .port(settings.respPort())
                    .maxConnectionsPerShard(settings.maxConnectionsPerShard())
                    .idleTimeout(settings.respIdleTimeout())
                    .build();
            // CONFIG GET port / INFO report the configured port; with port 0 (tests) the chosen one is not known yet.
            CommandTable commands = RespCommands.table(settings.respPort());
            resp = ShardedServer.start(engine, respOptions, new RespServerInitializer(keyspace, commands, settings.resp()));
            ServerOptions httpOptions = ServerOptions.builder()
                    .bindAddress(settings.httpBindAddress())
                    .port(settings.httpPort())
                    .maxConnectionsPerShard(settings.maxConnectionsPerShard())
                    .idleTimeout(settings.httpIdleTimeout())
                    .build();
            ShardedServer http = ShardedServer.start(engine, httpOptions, new HttpServerInitializer(keyspace, settings.httpMaxBodySize()));
            return new DemoService(keyspace, resp, http);
        } catch (RuntimeException e) {
            if (resp != null) {
                resp.close();
            }
            keyspace.close();
            throw e;
        }
    }

    public ShardedKeyspace keyspace() {
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

    @Override
    public void close() {
        try {
            http.close();
        } finally {
            try {
                resp.close();
            } finally {
                keyspace.close();
            }
        }
    }
}
