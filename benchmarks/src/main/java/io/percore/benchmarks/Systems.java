package io.percore.benchmarks;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.engine.topology.ShardPlacement;

/** How the systems under comparison are started, identically for every benchmark. */
final class Systems {

    private Systems() {
    }

    /**
     * A two-shard engine. {@code -Dpercore.mode=PINNED|OVERPROVISIONED} (default PINNED: busy-poll
     * for the default idle-poll) and {@code -Dpercore.pin=false} (keep busy-polling but let the OS
     * move the threads, for shared machines). Falls back to unpinned if the planner cannot place
     * two shards here (it says why on stderr).
     */
    static Engine percore() {
        EngineConfig config = new EngineConfig();
        config.setShards(2);
        String mode = System.getProperty("percore.mode", "PINNED");
        config.setMode(EngineConfig.Mode.valueOf(mode));
        if (!Boolean.parseBoolean(System.getProperty("percore.pin", "true"))) {
            return Engine.start(config, ShardPlacement.unpinned(2, "percore.pin=false"));
        }
        try {
            return Engine.start(config);
        } catch (IllegalArgumentException e) {
            System.err.println("Placement failed (" + e.getMessage() + "); running unpinned");
            return Engine.start(config, ShardPlacement.unpinned(2, e.getMessage()));
        }
    }

    /** The I/O handler a plain Netty server would use here: epoll if available, else NIO. */
    static IoHandlerFactory nettyHandler() {
        return Epoll.isAvailable() ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
    }
}
