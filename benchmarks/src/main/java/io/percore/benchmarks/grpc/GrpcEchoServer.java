package io.percore.benchmarks.grpc;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.net.server.ServerOptions;
import io.percore.net.server.ShardedGrpcServer;
import java.util.List;

/**
 * The server side of benchmarks/run-grpc.sh: {@code shards <port>} serves the echo with Percore's
 * {@link ShardedGrpcServer} (one shard per CPU the process may use, pinned, no idle spinning);
 * {@code default <port>} with grpc-java's default Netty server ({@code NettyServerBuilder.forPort}:
 * its own event loops, calls on its default executor), as an application would start it. Prints
 * {@code ready} when it listens, then runs until killed.
 */
public final class GrpcEchoServer {

    private GrpcEchoServer() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int port = Integer.parseInt(args[1]);
        if (mode.equals("shards")) {
            EngineConfig config = new EngineConfig();
            config.setMode(EngineConfig.Mode.PINNED);
            config.setIdlePoll(java.time.Duration.ZERO);
            Engine engine = Engine.start(config);
            ShardedGrpcServer.start(engine, ServerOptions.builder("grpc").port(port).build(), List.of(EchoService.definition()));
            System.out.println("ready shards=" + engine.shardCount());
        } else {
            Server server = NettyServerBuilder.forPort(port).addService(EchoService.definition()).build().start();
            System.out.println("ready default");
            Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        }
        System.out.flush();
        Thread.currentThread().join();
    }
}
