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
 * on shutdown this bean stops it after the web server has drained and stopped
 * ({@link #PHASE} is below the web server's phases) and after the sharded services
 * ({@link #SHARDED_SERVICES_PHASE}), letting queued work finish within
 * {@code spring.lifecycle.timeout-per-shutdown-phase}.
 *
 * <p>An engine cannot be restarted: {@code start()} after {@code stop()} (a context stop and
 * start) leaves it stopped and says so.
 */
public final class PercoreEngineLifecycle implements SmartLifecycle {

    /**
     * 1024 below the web server's start/stop phase ({@code WebServerApplicationContext.START_STOP_LIFECYCLE_PHASE},
     * {@code Integer.MAX_VALUE - 2048}; its graceful shutdown runs at {@code Integer.MAX_VALUE - 1024}),
     * so the engine stops after the web server. Written as a number because the starter must
     * not need spring-boot-web-server; a test checks it against the real constants.
     */
    public static final int PHASE = Integer.MAX_VALUE - 3072;

    /**
     * Sharded services and Percore servers: start after the engine, stop before it, and stop
     * after the web server that may still call them.
     */
    public static final int SHARDED_SERVICES_PHASE = PHASE + 512;

    /**
     * Upstream clients ({@code percore.clients}): stop after the servers and sharded services
     * whose handlers may still send through them while draining, and before the engine whose
     * shards own their pools.
     */
    public static final int UPSTREAM_CLIENTS_PHASE = PHASE + 256;

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
        return PHASE;
    }

    /** The engine runs from creation; nothing to start, but Spring must call {@link #stop}. */
    @Override
    public boolean isAutoStartup() {
        return true;
    }
}
