package io.percore.demo.persistence;

import io.percore.demo.resp.RespError;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SHUTDOWN's sequence (Redis's {@code prepareForShutdown} and {@code finishShutdown}): one at a time,
 * writes held and the replicas waited for ({@link ShutdownPrelude}), the final save, then the stop on a
 * thread of its own; or, when the save failed without FORCE or SHUTDOWN ABORT came while it waited,
 * called off with writes going on.
 */
final class ShutdownCommand {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownCommand.class);

    private volatile ShutdownPrelude prelude = new ShutdownPrelude() { }; // none until the service sets one
    private volatile Runnable exit = () -> { };
    /** A SHUTDOWN under way (its abort flag), or null. */
    private final AtomicReference<AtomicBoolean> underWay = new AtomicReference<>();
    /** SHUTDOWN saved already (or was told not to): the close that follows does not save again. */
    private volatile boolean decided;

    void prelude(ShutdownPrelude prelude) {
        this.prelude = prelude;
    }

    void exit(Runnable exit) {
        this.exit = exit;
    }

    boolean decided() {
        return decided;
    }

    /**
     * Runs one SHUTDOWN: {@code finalSave} when {@code saving}; completes with whether the service stops.
     * @throws RespError when another SHUTDOWN is under way
     */
    CompletableFuture<Boolean> run(boolean saving, boolean force, boolean now, Supplier<CompletableFuture<Boolean>> finalSave) {
        AtomicBoolean aborted = new AtomicBoolean();
        if (!underWay.compareAndSet(null, aborted)) {
            throw new RespError("ERR Errors trying to SHUTDOWN. Check logs.");
        }
        ShutdownPrelude p = prelude;
        return CompletableFuture.runAsync(() -> p.before(now, aborted::get), ShutdownCommand::onItsOwnThread)
                .thenCompose(v -> aborted.get() ? CompletableFuture.completedFuture(false)
                        : !saving ? CompletableFuture.completedFuture(true) : finalSave.get())
                .handle((ok, failure) -> {
                    if (failure != null) {
                        LOG.error("SHUTDOWN failed", failure);
                    }
                    boolean stopping = failure == null && !aborted.get() && (ok || force);
                    if (!stopping) {
                        if (aborted.get()) {
                            LOG.warn("SHUTDOWN ABORT: the shutdown is called off; writes go on");
                        } else {
                            LOG.error("SHUTDOWN: the final save failed; the service stays up (SHUTDOWN NOSAVE or FORCE stops it without)");
                        }
                        underWay.set(null);
                        p.abandoned();
                        return false;
                    }
                    LOG.info("SHUTDOWN{}: stopping the service", saving ? " after the final save" : " without saving");
                    decided = true;
                    onItsOwnThread(exit);
                    return true;
                });
    }

    /** SHUTDOWN ABORT: calls off a SHUTDOWN that waits for its replicas. @return whether one was waiting */
    boolean abort() {
        AtomicBoolean waiting = underWay.get();
        if (waiting == null || decided) {
            return false;
        }
        waiting.set(true);
        return true;
    }

    private static void onItsOwnThread(Runnable task) {
        new Thread(task, "percore-shutdown").start();
    }
}
