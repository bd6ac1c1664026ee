package io.percore.demo.support;

import io.percore.config.EngineConfig;
import io.percore.demo.DemoService;
import io.percore.demo.DemoSettings;
import io.percore.engine.Engine;
import io.percore.engine.topology.ShardPlacement;
import java.time.Duration;

/** A demo service on a fresh unpinned engine with ephemeral ports, closed together. */
public final class TestServices implements AutoCloseable {

    public final Engine engine;
    public final DemoService service;

    private TestServices(Engine engine, DemoService service) {
        this.engine = engine;
        this.service = service;
    }

    public static TestServices start(int shards, DemoSettings settings) {
        return start(shards, settings, EngineConfig.Transport.AUTO);
    }

    /** ... on the I/O transport {@code transport} (io_uring, epoll or NIO; AUTO picks the first the host has). */
    public static TestServices start(int shards, DemoSettings settings, EngineConfig.Transport transport) {
        EngineConfig config = new EngineConfig();
        config.setTransport(transport);
        config.setMode(EngineConfig.Mode.OVERPROVISIONED);
        config.setShards(shards);
        config.setIdlePoll(Duration.ZERO);
        Engine engine = Engine.start(config, ShardPlacement.unpinned(shards, "test"));
        try {
            return new TestServices(engine, DemoService.start(engine, settings));
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    public int respPort() {
        return service.respPort();
    }

    public int httpPort() {
        return service.httpPort();
    }

    /** A key owned by {@code shard}: {@code prefix} plus a counter until it hashes there. */
    public String keyOn(int shard, String prefix) {
        for (int i = 0; ; i++) {
            String key = prefix + i;
            if (service.keyspace().shardOf(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)) == shard) {
                return key;
            }
        }
    }

    /**
     * A RESP connection the kernel placed on {@code shard} (SO_REUSEPORT spreads connections over the
     * shards' listeners): connects until one lands there, closing the others.
     */
    public RespTestClient clientOn(int shard) throws java.io.IOException {
        for (int attempt = 0; attempt < 200; attempt++) {
            RespTestClient c = new RespTestClient(respPort());
            if (((String) c.cmd("CLIENT", "INFO")).matches("(?s).* shard=" + shard + "\\s.*")) {
                return c;
            }
            c.close();
        }
        throw new AssertionError("no connection landed on shard " + shard);
    }

    @Override
    public void close() {
        try {
            service.close();
        } finally {
            engine.close();
        }
    }
}
