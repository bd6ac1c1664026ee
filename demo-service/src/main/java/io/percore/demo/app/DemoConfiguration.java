package io.percore.demo.app;

import io.percore.config.PercoreConfig;
import io.percore.config.ServerConfig;
import io.percore.demo.DemoService;
import io.percore.demo.DemoSettings;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.PercoreShutdownOrder;
import io.percore.spring.boot.autoconfigure.ShutdownStep;
import io.percore.spring.boot.autoconfigure.live.LiveConfigurationParticipant;
import io.percore.spring.boot.autoconfigure.net.ShardedServerRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.ssl.SslBundles;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The demo on the Percore starter: the {@link Engine} is the starter's (from {@code percore.engine.*},
 * validated at startup), and the RESP and HTTP servers are {@code percore.servers.resp} and
 * {@code percore.servers.http} started through the starter's {@link ShardedServerRegistry}, which
 * meters them ({@code percore_server_*}) and drains them before the engine stops.
 */
@Configuration(proxyBeanMethods = false)
public class DemoConfiguration {

    /** Started while the context refreshes, before the management server accepts requests. */
    @Bean(destroyMethod = "close")
    public DemoService demoService(Engine engine, ShardedServerRegistry servers, PercoreConfig percore, DemoProperties properties,
                                   org.springframework.context.ApplicationContext context, ObjectProvider<SslBundles> bundles) {
        // A missing server section fails in servers.start, which names the configured servers.
        ServerConfig resp = Objects.requireNonNullElseGet(percore.getServers().get(DemoService.RESP_SERVER), ServerConfig::new);
        ServerConfig http = Objects.requireNonNullElseGet(percore.getServers().get(DemoService.HTTP_SERVER), ServerConfig::new);
        DemoSettings settings = properties.toSettings(resp, http).withTls(RespTls.of(resp, bundles.getIfAvailable()));
        DemoService service = DemoService.start(engine, settings, servers::start);
        // SHUTDOWN, as redis-server's: the process ends (the context closes first: drain, engine, Actuator)
        service.onShutdownCommand(() -> System.exit(org.springframework.boot.SpringApplication.exit(context, () -> 0)));
        return service;
    }

    /**
     * {@code percore.demo.*} changed while the service runs: its Redis CONFIG parameters apply as
     * CONFIG SET would apply them (see {@link DemoLiveConfiguration}).
     */
    @Bean
    public LiveConfigurationParticipant demoLiveConfiguration(DemoService demoService, PercoreConfig percore, DemoProperties properties,
                                                              Environment environment, ObjectProvider<jakarta.validation.Validator> validator) {
        return new DemoLiveConfiguration(demoService, percore, properties, environment,
                validator.getIfAvailable(() -> jakarta.validation.Validation.buildDefaultValidatorFactory().getValidator()));
    }

    /**
     * Closes the keyspace, a sharded service, at {@link PercoreShutdownOrder#SERVICES}: after the
     * registry has stopped the servers and drained their requests, before the engine stops (its
     * per-shard parts close on their shards, which needs a running engine).
     */
    @Bean
    public SmartLifecycle demoServiceLifecycle(DemoService demoService) {
        return ShutdownStep.of(PercoreShutdownOrder.SERVICES, demoService::close);
    }

    /**
     * A primary hands its last writes to its replicas before the servers stop (their connections are
     * the replicas' links): Redis 7's {@code shutdown-timeout}, between Spring's web server and
     * {@link PercoreShutdownOrder#SERVERS}.
     */
    @Bean
    public SmartLifecycle demoReplicaHandOffLifecycle(DemoService demoService, DemoProperties properties) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
            }

            @Override
            public void stop() {
                running = false;
                demoService.handOffToReplicas();
                // an operator that manages the pods hands over while this primary still answers it (shutdown-handover)
                demoService.awaitHandover(properties.getReplication().getShutdownHandover());
            }

            @Override
            public boolean isRunning() {
                return running;
            }

            @Override
            public int getPhase() {
                return PercoreShutdownOrder.SERVERS.phase() + 64;
            }
        };
    }

    /** How long the health indicator waits for the shards' figures before it reports DOWN. */
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(1);

    /**
     * UP while both servers listen and every shard answers within {@link #HEALTH_TIMEOUT};
     * details: ports, shards, keys per shard. Never waits longer: a stuck shard makes it DOWN.
     */
    @Bean
    public HealthIndicator demoHealthIndicator(DemoService demoService) {
        return () -> {
            if (demoService.respServer().isClosing() || demoService.httpServer().isClosing()) {
                return Health.down().withDetail("reason", "servers are shutting down").build();
            }
            List<KeyspaceShard.Snapshot> shards;
            try {
                shards = demoService.keyspace().snapshots(HEALTH_TIMEOUT);
            } catch (CompletionException e) {
                return Health.down().withDetail("reason", "a shard did not answer within " + HEALTH_TIMEOUT.toMillis() + " ms").build();
            }
            return Health.up()
                    .withDetail("respPort", demoService.respPort())
                    .withDetail("httpPort", demoService.httpPort())
                    .withDetail("shards", shards.size())
                    .withDetail("keysPerShard", shards.stream().map(KeyspaceShard.Snapshot::keys).toList())
                    .build();
        };
    }

    /**
     * {@code replication}, a member of the readiness group: OUT_OF_SERVICE while this server is a replica whose link to
     * its primary is not up (down, or loading a full sync), so the kubelet takes it out of the Services that spread
     * reads until it has its primary's data; UP for a primary and a replica that streams. application.yml makes it a
     * member of the readiness group; liveness does not include it: a replica waiting for its primary is not broken.
     */
    @Bean
    public HealthIndicator replicationHealthIndicator(DemoService demoService) {
        return () -> {
            io.percore.demo.replication.Replication replication = demoService.replication();
            String why = replication.unservedBecause();
            Health.Builder health = why == null ? Health.up() : Health.outOfService().withDetail("reason", why);
            return health.withDetail("role", replication.isReplica() ? "replica" : "primary").build();
        };
    }

    /** Per-shard memory meters of the keyspace's budget (see {@link DemoMemoryMeters}). */
    @Bean
    public MeterBinder demoMemoryMeters(DemoService demoService) {
        return new DemoMemoryMeters(demoService.keyspace().memoryFigures());
    }
}
