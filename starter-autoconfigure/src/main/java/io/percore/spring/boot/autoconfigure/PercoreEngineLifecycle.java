package io.percore.spring.boot.autoconfigure;

import io.percore.engine.Engine;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Ties the engine to the application's lifecycle. The engine bean starts its shards when it is
 * created, so it runs before any lifecycle bean starts, in particular before the web server;
 * on shutdown this bean stops it last, at {@link PercoreShutdownOrder#ENGINE}: after the web
 * server, the Percore servers, the upstream clients and the sharded services, letting queued
 * work finish within {@code spring.lifecycle.timeout-per-shutdown-phase}.
 *
 * <p>An engine cannot be restarted: {@code start()} after {@code stop()} (a context stop and
 * start) leaves it stopped and says so.
 */
public final class PercoreEngineLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(PercoreEngineLifecycle.class);

    private final Engine engine;
    private final Duration shutdownTimeout;

    /**
     * @param shutdownTimeout how long the engine may drain queued work; the lifecycle processor
     *                        waits {@code spring.lifecycle.timeout-per-shutdown-phase}, so pass
     *                        a little less to finish inside it
     */
    public PercoreEngineLifecycle(Engine engine, Duration shutdownTimeout) {
        this.engine = engine;
        this.shutdownTimeout = shutdownTimeout;
    }

    @Override
    public void start() {
        if (!engine.isRunning()) {
            LOG.warn("The Percore engine was stopped and cannot be restarted; restart the application instead");
        }
    }

    @Override
    public void stop() {
        try {
            engine.shutdownGracefully(shutdownTimeout).get(shutdownTimeout.toMillis() + 2_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            engine.close(Duration.ofSeconds(1));
        } catch (Exception e) {
            LOG.warn("Percore engine did not drain within {}; closing it", shutdownTimeout, e);
            engine.close(Duration.ofSeconds(1));
        }
    }

    @Override
    public void stop(Runnable callback) {
        // Asynchronous so other beans of this phase stop in parallel; the lifecycle processor
        // waits for the callback up to the per-phase timeout.
        engine.shutdownGracefully(shutdownTimeout).whenComplete((ok, failure) -> {
            if (failure != null) {
                LOG.warn("Percore engine shutdown failed; closing it", failure);
                engine.close(Duration.ofSeconds(1));
            }
            callback.run();
        });
    }

    @Override
    public boolean isRunning() {
        return engine.isRunning();
    }

    @Override
    public int getPhase() {
        return PercoreShutdownOrder.ENGINE.phase();
    }

    /** The engine runs from creation; nothing to start, but Spring must call {@link #stop}. */
    @Override
    public boolean isAutoStartup() {
        return true;
    }
}
