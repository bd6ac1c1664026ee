package io.percore.spring.boot.autoconfigure.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.logging.LogbackMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.percore.spring.boot.autoconfigure.PercoreAutoConfiguration;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.logging.logback.LogbackMetricsAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Spring Boot's {@code logback.events}, counted without a turbo filter on every level check. */
class LogbackEventMetricsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(PercoreAutoConfiguration.class, PercoreLogbackMetricsAutoConfiguration.class,
                    MetricsAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                    SimpleMetricsExportAutoConfiguration.class, LogbackMetricsAutoConfiguration.class))
            .withPropertyValues("percore.engine.shards=1");

    @Test
    void withTheEngineBootsLogbackEventsAreCountedAndNoTurboFilterIsAdded() {
        LoggerContext global = (LoggerContext) LoggerFactory.getILoggerFactory();
        long filtersBefore = global.getTurboFilterList().size();
        runner.run(context -> {
            assertThat(context).hasSingleBean(LogbackMetrics.class);
            assertThat(context.getBean(LogbackMetrics.class)).isInstanceOf(LogbackEventMetrics.class);
            assertThat(global.getTurboFilterList()).as("the context's turbo filters, which every level check runs").hasSize((int) filtersBefore);
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            double errors = registry.get("logback.events").tag("level", "error").counter().count();
            LoggerFactory.getLogger(LogbackEventMetricsTest.class).error("counted (a test's deliberate error)");
            assertThat(registry.get("logback.events").tag("level", "error").counter().count()).isEqualTo(errors + 1);
            assertThat(registry.get("logback.events").tag("level", "error").counter().getId().getDescription())
                    .isEqualTo("Number of log events that were enabled by the effective log level");
        });
        assertThat(global.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LogbackEventMetrics.APPENDER_NAME))
                .as("detached when the application context closes").isNull();
    }

    @Test
    void anApplicationsOwnLogbackMetricsWins() {
        runner.withUserConfiguration(OwnLogbackMetrics.class).run(context -> {
            assertThat(context).hasSingleBean(LogbackMetrics.class);
            assertThat(context.getBean(LogbackMetrics.class)).isNotInstanceOf(LogbackEventMetrics.class);
        });
    }

    @Test
    void countsWhatIsLoggedByLevelNotWhatIsOnlyAskedAndKeepsCountingAfterAReset() {
        LoggerContext context = new LoggerContext();
        context.start();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        LogbackEventMetrics metrics = new LogbackEventMetrics(context);
        metrics.bindTo(registry);
        Logger logger = context.getLogger("io.percore.test");
        logger.setLevel(Level.INFO);

        logger.warn("one");
        logger.info("two");
        logger.debug("not enabled");
        assertThat(logger.isTraceEnabled()).isFalse();
        assertThat(count(registry, "warn")).isEqualTo(1);
        assertThat(count(registry, "info")).isEqualTo(1);
        assertThat(count(registry, "debug")).isZero();
        assertThat(count(registry, "trace")).isZero();
        assertThat(context.getTurboFilterList()).isEmpty();

        // Spring Boot's logging initialisation and a configuration's reload reset the context: every appender goes
        context.reset();
        context.getLogger("io.percore.test").setLevel(Level.DEBUG);
        context.getLogger("io.percore.test").error("after the reset");
        context.getLogger("io.percore.test").debug("enabled now");
        assertThat(count(registry, "error")).isEqualTo(1);
        assertThat(count(registry, "debug")).isEqualTo(1);

        metrics.close();
        context.getLogger("io.percore.test").error("after close");
        assertThat(count(registry, "error")).isEqualTo(1);
        assertThat(context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(LogbackEventMetrics.APPENDER_NAME)).isNull();
        context.stop();
    }

    private static double count(MeterRegistry registry, String level) {
        return registry.get("logback.events").tag("level", level).counter().count();
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnLogbackMetrics {
        @Bean
        LogbackMetrics ownLogbackMetrics() {
            return new LogbackMetrics();
        }
    }
}
