package io.percore.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link PercoreShutdownOrder#IN_FLIGHT_DRAIN} step: work that has stopped being accepted
 * (a server that closed its listeners at {@link PercoreShutdownOrder#SERVERS}) is handed here
 * and finishes, within the drain timeout, before the upstream clients close. Then each piece's
 * closing action runs, drained or not.
 *
 * <p>It is a bean of its own that the server registry depends on, not the other way round:
 * Spring stops a lifecycle bean's dependents before the bean itself, whatever their phases, so a
 * drain that depended on the registry would run before the servers stop accepting.
 */
public final class InFlightDrain extends ShutdownStep {

    private static final Logger LOG = LoggerFactory.getLogger(InFlightDrain.class);

    private final Duration timeout;
    /** Guarded by itself. */
    private final List<Draining> draining = new ArrayList<>();

    private record Draining(String name, CompletableFuture<?> drained, Runnable afterwards) {
    }

    /** @param timeout how long the in-flight work may take, in all */
    public InFlightDrain(Duration timeout) {
        super(PercoreShutdownOrder.IN_FLIGHT_DRAIN);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }

    /**
     * Hands over work named {@code name} that no longer takes anything new: {@code drained}
     * completes when what it had is done; {@code afterwards} runs then, or once the timeout is up.
     */
    public void add(String name, CompletableFuture<?> drained, Runnable afterwards) {
        synchronized (draining) {
            draining.add(new Draining(name, drained, afterwards));
        }
    }

    /** Waits for everything handed over so far (at most the timeout plus a second), then closes it. */
    public void awaitAll() {
        List<Draining> pieces;
        synchronized (draining) {
            pieces = new ArrayList<>(draining);
            draining.clear();
        }
        if (pieces.isEmpty()) {
            return;
        }
        try {
            CompletableFuture.allOf(pieces.stream().map(Draining::drained).toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("In-flight work did not drain within {}; closing it ({})", timeout,
                    pieces.stream().filter(p -> !p.drained().isDone()).map(Draining::name).toList());
        }
        for (Draining piece : pieces) {
            try {
                piece.afterwards().run();
            } catch (RuntimeException e) {
                LOG.warn("Closing '{}' after the drain failed", piece.name(), e);
            }
        }
    }

    @Override
    protected void shutDown() {
        awaitAll();
    }
}
