package io.percore.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.config.EngineConfig;
import io.percore.config.PercoreConfig;
import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.engine.topology.HostTopology;
import io.percore.engine.topology.ShardPlacement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class PercoreAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=1");

    @Test
    void startsTheEngineFromProperties() {
        runner.withPropertyValues("percore.engine.task-quota=200us", "percore.engine.scheduling-groups[0].name=main",
                        "percore.engine.scheduling-groups[1].name=batch", "percore.engine.scheduling-groups[1].shares=200")
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(Engine.class).hasSingleBean(PercoreEngineLifecycle.class)
                            .hasSingleBean(ShardPlacement.class).hasSingleBean(HostTopology.class);
                    Engine engine = context.getBean(Engine.class);
                    assertThat(engine.isRunning()).isTrue();
                    assertThat(engine.shardCount()).isEqualTo(1);
                    assertThat(engine.settings().taskQuota()).isEqualTo(Duration.ofNanos(200_000));
                    assertThat(engine.groups()).extracting(g -> g.name()).containsExactly("main", "batch");
                    assertThat(context.getBean(PercoreConfig.class).getEngine().getSchedulingGroups().get(1).getShares()).isEqualTo(200);
                    assertThat(engine.submitTo(0, () -> 40 + 2).get()).isEqualTo(42);
                });
    }

    @Test
    void stopsTheEngineWithTheContext() {
        Engine[] seen = new Engine[1];
        runner.run(context -> seen[0] = context.getBean(Engine.class));
        assertThat(seen[0].isRunning()).isFalse();
        assertThat(seen[0].isTerminated()).isTrue();
    }

    @Test
    void enabledFalseTurnsEverythingOff() {
        runner.withPropertyValues("percore.enabled=false").run(context -> assertThat(context).hasNotFailed()
                .doesNotHaveBean(Engine.class).doesNotHaveBean(PercoreConfig.class).doesNotHaveBean(PercoreEngineLifecycle.class)
                .doesNotHaveBean(ShardedServiceRegistry.class));
    }

    @Test
    void enabledFalseSkipsValidationOfTheOtherKeys() {
        runner.withPropertyValues("percore.enabled=false", "percore.engine.shards=lots")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(Engine.class));
    }

    @Test
    void aUserSuppliedEngineReplacesTheStartersAndIsStillStoppedWithTheApp() {
        Engine[] seen = new Engine[1];
        runner.withUserConfiguration(OwnEngine.class).run(context -> {
            assertThat(context).hasSingleBean(Engine.class);
            Engine engine = context.getBean(Engine.class);
            assertThat(engine).isSameAs(context.getBean("myEngine"));
            assertThat(engine.settings().shards()).isEqualTo(2);
            assertThat(context.getBean(PercoreEngineLifecycle.class).isRunning()).isTrue();
            seen[0] = engine;
        });
        assertThat(seen[0].isRunning()).isFalse();
    }

    @Test
    void aUserSuppliedTopologyIsUsedForPlanning() {
        runner.withUserConfiguration(OwnTopology.class).withPropertyValues("percore.engine.shards=0", "percore.engine.mode=pinned")
                .run(context -> {
                    HostTopology own = context.getBean(HostTopology.class);
                    assertThat(own).isSameAs(OwnTopology.TOPOLOGY);
                    assertThat(context.getBean(Engine.class).shardCount()).isGreaterThanOrEqualTo(1);
                });
    }

    @Test
    void shardedBeansAreCreatedOnTheirShardsAndStoppedBeforeTheEngine() {
        CloseLog.EVENTS.clear();
        runner.withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned")
                .withUserConfiguration(ShardedServiceConfig.class).run(context -> {
                    @SuppressWarnings("unchecked")
                    Sharded<CloseLog> service = context.getBean(Sharded.class);
                    assertThat(service.shardCount()).isEqualTo(2);
                    assertThat(service.fromOutside().invokeOn(1, s -> s.shard).get()).isEqualTo(1);
                    assertThat(context.getBean(ShardedServiceRegistry.class).serviceNames()).containsExactly("counters");
                });
        // Closed on their own shards while the engine still ran.
        assertThat(CloseLog.EVENTS).containsExactlyInAnyOrder("closed 0 on percore-shard-0 running=true",
                "closed 1 on percore-shard-1 running=true");
    }

    @Test
    void shardedHelperRefusesAStoppedEngine() {
        runner.run(context -> {
            Engine engine = context.getBean(Engine.class);
            engine.close();
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> PercoreSharded.of(engine, i -> "x"))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("not running");
        });
    }

    @Test
    void enginePhaseIsBelowTheWebServersSoItStartsBeforeAndStopsAfterIt() {
        assertThat(PercoreShutdownOrder.ENGINE.phase()).isLessThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
        assertThat(PercoreShutdownOrder.ENGINE.phase()).isLessThan(WebServerApplicationContext.GRACEFUL_SHUTDOWN_PHASE);
        assertThat(PercoreShutdownOrder.SERVICES.phase()).isGreaterThan(PercoreShutdownOrder.ENGINE.phase())
                .isLessThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
        // Every step stops after the web server, each before the next one (Spring stops higher phases first).
        PercoreShutdownOrder[] steps = PercoreShutdownOrder.values();
        assertThat(steps).containsExactly(PercoreShutdownOrder.SERVERS, PercoreShutdownOrder.IN_FLIGHT_DRAIN,
                PercoreShutdownOrder.CLIENTS, PercoreShutdownOrder.SERVICES, PercoreShutdownOrder.ENGINE);
        assertThat(PercoreShutdownOrder.SERVERS.phase()).isLessThan(WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE);
        for (int i = 1; i < steps.length; i++) {
            assertThat(steps[i].phase()).as("%s below %s", steps[i], steps[i - 1]).isLessThan(steps[i - 1].phase());
        }
        runner.run(context -> assertThat(context.getBean(PercoreEngineLifecycle.class).getPhase())
                .isEqualTo(PercoreShutdownOrder.ENGINE.phase()));
    }

    @Test
    void drainTimeoutFollowsTheShutdownPhaseTimeout() {
        runner.withPropertyValues("spring.lifecycle.timeout-per-shutdown-phase=10s").run(context ->
                assertThat(PercoreAutoConfiguration.drainTimeout(context.getEnvironment())).isEqualTo(Duration.ofSeconds(9)));
        runner.run(context ->
                assertThat(PercoreAutoConfiguration.drainTimeout(context.getEnvironment())).isEqualTo(Duration.ofSeconds(27)));
    }

    @Test
    void gracefulStopRunsQueuedWorkBeforeTheEngineStops() throws Exception {
        List<String> done = new CopyOnWriteArrayList<>();
        runner.run(context -> {
            Engine engine = context.getBean(Engine.class);
            for (int i = 0; i < 50; i++) {
                int n = i;
                engine.shard(0).execute(() -> {
                    long until = System.nanoTime() + 200_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    done.add("task " + n);
                });
            }
        });
        assertThat(done).hasSize(50);
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnEngine {
        @Bean(destroyMethod = "close")
        Engine myEngine() {
            EngineConfig config = new EngineConfig();
            config.setShards(2);
            config.setMode(EngineConfig.Mode.OVERPROVISIONED);
            return Engine.start(config, ShardPlacement.unpinned(2, "test"));
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnTopology {
        static final HostTopology TOPOLOGY = HostTopology.detect();

        @Bean
        HostTopology myTopology() {
            return TOPOLOGY;
        }
    }

    static final class CloseLog implements AutoCloseable {
        static final List<String> EVENTS = new CopyOnWriteArrayList<>();
        final int shard;

        CloseLog(int shard) {
            this.shard = shard;
        }

        @Override
        public void close() {
            Shard current = Shard.current();
            EVENTS.add("closed " + shard + " on " + Thread.currentThread().getName() + " running=" + current.engine().isRunning());
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class ShardedServiceConfig {
        @Bean
        Sharded<CloseLog> counters(Engine engine) {
            return PercoreSharded.of(engine, CloseLog::new);
        }
    }
}
