package io.percore.spring.boot.autoconfigure.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.reactor.netty.NettyReactiveWebServerFactory;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ReactiveWebApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.web.server.reactive.ReactiveWebServerFactory;
import org.springframework.http.server.reactive.observation.ServerRequestObservationConvention;
import reactor.netty.http.server.HttpServer;

/** Issue 16: every condition of {@link PercoreWebAutoConfiguration}. */
class PercoreWebAutoConfigurationTest {

    private final ReactiveWebApplicationContextRunner reactive = new ReactiveWebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreWebAutoConfiguration.class,
                    NettyReactiveWebServerAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned");

    @Test
    void aReactiveAppWithTheEngineGetsTheShardedServerAndTheShardTag() {
        reactive.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context.getBean(ReactiveWebServerFactory.class)).isInstanceOf(ShardedNettyReactiveWebServerFactory.class);
            assertThat(context).hasSingleBean(ReactiveWebServerFactory.class);
            assertThat(context.getBean(ServerRequestObservationConvention.class)).isInstanceOf(ShardServerRequestObservationConvention.class);
        });
    }

    @Test
    void applicationNettyCustomizersReachTheShardedFactory() {
        NettyServerCustomizer mine = server -> server;
        reactive.withBean(NettyServerCustomizer.class, () -> mine).run(context ->
                assertThat(context.getBean(ShardedNettyReactiveWebServerFactory.class).getServerCustomizers()).contains(mine));
    }

    @Test
    void theSwitchOffLeavesSpringBootsFactory() {
        reactive.withPropertyValues("percore.web.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(ShardedNettyReactiveWebServerFactory.class);
            assertThat(context.getBean(ReactiveWebServerFactory.class)).isExactlyInstanceOf(NettyReactiveWebServerFactory.class);
            assertThat(context).doesNotHaveBean(ShardServerRequestObservationConvention.class);
        });
    }

    @Test
    void withoutTheEngineSpringBootsFactoryStays() {
        reactive.withPropertyValues("percore.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(ShardedNettyReactiveWebServerFactory.class);
            assertThat(context.getBean(ReactiveWebServerFactory.class)).isExactlyInstanceOf(NettyReactiveWebServerFactory.class);
        });
    }

    @Test
    void anApplicationsOwnFactoryWins() {
        NettyReactiveWebServerFactory own = new NettyReactiveWebServerFactory(0);
        reactive.withBean(ReactiveWebServerFactory.class, () -> own).run(context -> {
            assertThat(context).doesNotHaveBean(ShardedNettyReactiveWebServerFactory.class);
            assertThat(context.getBean(ReactiveWebServerFactory.class)).isSameAs(own);
        });
    }

    @Test
    void anApplicationsOwnObservationConventionWins() {
        ServerRequestObservationConvention own = new org.springframework.http.server.reactive.observation.DefaultServerRequestObservationConvention();
        reactive.withBean(ServerRequestObservationConvention.class, () -> own).run(context ->
                assertThat(context.getBean(ServerRequestObservationConvention.class)).isSameAs(own));
    }

    @Test
    void withoutReactorNettyNothingIsConfigured() {
        reactive.withClassLoader(new FilteredClassLoader(HttpServer.class)).run(context ->
                assertThat(context).doesNotHaveBean(ShardedNettyReactiveWebServerFactory.class));
    }

    @Test
    void aServletAppIsLeftAlone() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreWebAutoConfiguration.class))
                .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned")
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ShardedNettyReactiveWebServerFactory.class));
    }
}
