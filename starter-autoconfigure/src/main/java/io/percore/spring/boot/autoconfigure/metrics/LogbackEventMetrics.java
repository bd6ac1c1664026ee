package io.percore.spring.boot.autoconfigure.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggerContextListener;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.binder.logging.LogbackMetrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Micrometer's {@code logback.events} (the same counters: name, {@code level} tag, description), counted by an
 * appender on the root logger instead of a turbo filter. Micrometer's {@link LogbackMetrics} adds a
 * {@code MetricsTurboFilter} to the logger context, and logback runs a context's turbo filters on every level check,
 * disabled or not: Netty's io_uring transport asks {@code isTraceEnabled()} for each submission and completion, so on a
 * shard answering one request at a time the filter chain was 1.7 % of the CPU, the second-largest Java frame
 * (benchmarks/PEERS.md, measurement 46). An appender sees only events that are logged, and level checks keep logback's
 * fast path (no turbo filter: a comparison).
 *
 * <p>What differs: an event is counted when it reaches the root logger's appenders, so one from a logger with
 * {@code additivity="false"} in the application's own logback configuration is not counted (Spring Boot's logging
 * configuration has none), nor one a turbo filter or the root's filters deny. The appender survives a reset of the
 * logger context (Spring Boot's logging initialisation, a configuration reload), as Micrometer's filter does.
 *
 * <p>A subclass of {@link LogbackMetrics} so that Spring Boot's {@code LogbackMetricsAutoConfiguration}, which binds one
 * when the application has none, backs off.
 */
public class LogbackEventMetrics extends LogbackMetrics {

    static final String APPENDER_NAME = "percore-logback-events";

    private final LoggerContext context;
    private final Iterable<Tag> tags;
    private final List<EventCounter> counters = new ArrayList<>();

    public LogbackEventMetrics(LoggerContext context) {
        this(List.of(), context);
    }

    public LogbackEventMetrics(Iterable<Tag> tags, LoggerContext context) {
        super(tags, context); // its reset listener re-adds the turbo filters it bound: none here
        this.context = context;
        this.tags = tags;
        context.addListener(new Reattach());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        EventCounter counter = new EventCounter(registry, tags);
        counter.setContext(context);
        counter.setName(APPENDER_NAME);
        synchronized (counters) {
            counters.add(counter);
            attach(counter);
        }
    }

    @Override
    public void close() {
        synchronized (counters) {
            for (EventCounter counter : counters) {
                context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).detachAppender(counter);
                counter.stop();
            }
            counters.clear();
        }
        super.close();
    }

    private void attach(EventCounter counter) {
        counter.start();
        context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).addAppender(counter);
    }

    /** A reset detaches and stops every appender; the counters go back on the root logger after it. */
    private final class Reattach implements LoggerContextListener {

        @Override
        public boolean isResetResistant() {
            return true;
        }

        @Override
        public void onReset(LoggerContext resetContext) {
            synchronized (counters) {
                for (EventCounter counter : counters) {
                    attach(counter);
                }
            }
        }

        @Override
        public void onStart(LoggerContext startedContext) {
        }

        @Override
        public void onStop(LoggerContext stoppedContext) {
        }

        @Override
        public void onLevelChange(ch.qos.logback.classic.Logger logger, Level level) {
        }
    }

    /** One registry's five counters. */
    static final class EventCounter extends UnsynchronizedAppenderBase<ILoggingEvent> {

        private final Counter error;
        private final Counter warn;
        private final Counter info;
        private final Counter debug;
        private final Counter trace;

        EventCounter(MeterRegistry registry, Iterable<Tag> tags) {
            error = counter(registry, tags, "error");
            warn = counter(registry, tags, "warn");
            info = counter(registry, tags, "info");
            debug = counter(registry, tags, "debug");
            trace = counter(registry, tags, "trace");
        }

        private static Counter counter(MeterRegistry registry, Iterable<Tag> tags, String level) {
            return Counter.builder("logback.events").tags(tags).tag("level", level)
                    .description("Number of log events that were enabled by the effective log level").baseUnit("events")
                    .register(registry);
        }

        @Override
        protected void append(ILoggingEvent event) {
            switch (event.getLevel().toInt()) {
                case Level.ERROR_INT -> error.increment();
                case Level.WARN_INT -> warn.increment();
                case Level.INFO_INT -> info.increment();
                case Level.DEBUG_INT -> debug.increment();
                case Level.TRACE_INT -> trace.increment();
                default -> {
                }
            }
        }
    }
}
