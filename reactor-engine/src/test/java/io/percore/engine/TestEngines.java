package io.percore.engine;

import io.percore.config.EngineConfig;
import io.percore.config.SchedulingGroupConfig;
import io.percore.engine.topology.ShardPlacement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Engines for tests: unpinned and not busy-polling, since the build machine is small and shared. */
final class TestEngines {

    private TestEngines() {
    }

    static EngineConfig config() {
        EngineConfig c = new EngineConfig();
        c.setMode(EngineConfig.Mode.OVERPROVISIONED);
        c.setIdlePoll(Duration.ZERO);
        return c;
    }

    static EngineConfig config(SchedulingGroupConfig... groups) {
        EngineConfig c = config();
        c.setSchedulingGroups(new java.util.ArrayList<>(List.of(groups)));
        return c;
    }

    static Engine start(int shards) {
        return start(config(), shards);
    }

    static Engine start(EngineConfig config, int shards) {
        return Engine.start(config, ShardPlacement.unpinned(shards, "test"));
    }

    /** An engine on io_uring; the test is skipped where io_uring is not available. */
    static Engine startOnIoUring(int shards) {
        org.junit.jupiter.api.Assumptions.assumeTrue(ShardTransport.ioUringAvailable(), "io_uring is not available here");
        EngineConfig c = config();
        c.setTransport(EngineConfig.Transport.IO_URING);
        return start(c, shards);
    }

    /** A TCP server on {@code shard}'s own loop (loopback, ephemeral port) whose connections run {@code handler}. */
    static io.netty.channel.Channel serveOn(Shard shard, java.util.function.Supplier<io.netty.channel.ChannelHandler> handler)
            throws InterruptedException {
        return new io.netty.bootstrap.ServerBootstrap()
                .group(shard.ioEventLoop(), shard.ioEventLoop())
                .channel(shard.transport().serverChannelClass())
                .childHandler(new io.netty.channel.ChannelInitializer<io.netty.channel.Channel>() {
                    @Override
                    protected void initChannel(io.netty.channel.Channel ch) {
                        ch.pipeline().addLast(handler.get());
                    }
                })
                .bind(new java.net.InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    static <T> T await(ShardFuture<T> f) throws Exception {
        return await(f.toCompletableFuture());
    }
}
