package io.percore.spring.boot.autoconfigure;

import java.util.Objects;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * A lifecycle bean that does its work when the context stops, at its step of the
 * {@link PercoreShutdownOrder}. Starting only marks it running: the resources it closes were
 * created by the time the context refreshes. The registries, the in-flight drain and an
 * application's own sharded services (e.g. the demo's keyspace) are all such steps, so the
 * running flag and the phase live here once.
 */
public abstract class ShutdownStep implements SmartLifecycle {

    private final PercoreShutdownOrder step;
    private volatile boolean running;

    protected ShutdownStep(PercoreShutdownOrder step) {
        this.step = Objects.requireNonNull(step, "step");
    }

    /** A step that runs {@code onStop} when the context stops. */
    public static ShutdownStep of(PercoreShutdownOrder step, Runnable onStop) {
        Objects.requireNonNull(onStop, "onStop");
        return new ShutdownStep(step) {
            @Override
            protected void shutDown() {
                onStop.run();
            }
        };
    }

    /** This step's work: close, drain or stop what it owns. Called once per context stop. */
    protected abstract void shutDown();

    @Override
    public final void start() {
        running = true;
    }

    @Override
    public final void stop() {
        running = false;
        shutDown();
    }

    /**
     * Runs {@link #shutDown()} on a thread of its own and signals Spring when it is done, so
     * Spring's {@code spring.lifecycle.timeout-per-shutdown-phase} (default 30 s) bounds every
     * step: a step that cannot finish (a shard stuck in a task never answers its drain) is left
     * behind after the timeout and the shutdown goes on to the next step, instead of hanging the
     * JVM's shutdown (SIGTERM) for ever. The thread is a daemon: it cannot keep the process alive.
     */
    @Override
    public final void stop(Runnable callback) {
        running = false;
        Thread worker = new Thread(() -> {
            try {
                shutDown();
            } catch (RuntimeException | Error e) {
                LoggerFactory.getLogger(ShutdownStep.class).error("Shutdown step {} failed", step, e);
            } finally {
                callback.run();
            }
        }, "percore-shutdown-" + step.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        worker.setDaemon(true);
        worker.start();
    }

    @Override
    public final boolean isRunning() {
        return running;
    }

    @Override
    public final int getPhase() {
        return step.phase();
    }
}
