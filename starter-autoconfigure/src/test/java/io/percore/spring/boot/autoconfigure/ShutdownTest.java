package io.percore.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.engine.Engine;
import io.percore.spring.boot.autoconfigure.webapp.PercoreTestApplication;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** No engine thread outlives the application: after a normal close, a failed start, or an invalid configuration. */
class ShutdownTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=2", "percore.engine.mode=overprovisioned");

    @Test
    void shardThreadsAreGoneAfterTheContextCloses() throws Exception {
        Set<Thread> before = PercoreThreads.alive();
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            Set<Thread> started = PercoreThreads.alive();
            started.removeAll(before);
            assertThat(started).extracting(Thread::getName).contains("percore-shard-0", "percore-shard-1");
        });
        assertThat(PercoreThreads.startedSince(before)).isEmpty();
    }

    @Test
    void shardThreadsAreGoneWhenABeanFailsAfterTheEngineStarted() throws Exception {
        Set<Thread> before = PercoreThreads.alive();
        runner.withUserConfiguration(FailingBean.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasRootCauseMessage("boom after the engine started");
        });
        assertThat(PercoreThreads.startedSince(before)).isEmpty();
    }

    @Test
    void aFullSpringApplicationStopsItsShardsOnClose() throws Exception {
        Set<Thread> before = PercoreThreads.alive();
        ConfigurableApplicationContext app = new SpringApplicationBuilder(PercoreTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties("percore.engine.shards=1", "spring.main.banner-mode=off")
                .run();
        Engine engine = app.getBean(Engine.class);
        assertThat(engine.isRunning()).isTrue();
        app.close();
        assertThat(engine.isTerminated()).isTrue();
        assertThat(PercoreThreads.startedSince(before)).isEmpty();
    }

    @Test
    void aFullSpringApplicationWithABadKeyFailsAndStartsNothing() throws Exception {
        Set<Thread> before = PercoreThreads.alive();
        SpringApplicationBuilder builder = new SpringApplicationBuilder(PercoreTestApplication.class)
                .web(WebApplicationType.NONE)
                .properties("percore.engine.shardz=1", "spring.main.banner-mode=off");
        org.assertj.core.api.Assertions.assertThatThrownBy(builder::run).hasStackTraceContaining("percore.engine.shardz");
        assertThat(PercoreThreads.startedSince(before)).isEmpty();
    }

    @Configuration(proxyBeanMethods = false)
    static class FailingBean {
        @Bean
        Object failing(Engine engine) {
            assertThat(engine.isRunning()).isTrue();
            throw new IllegalStateException("boom after the engine started");
        }
    }
}
