package io.percore.operator.reconcile;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * What the scenarios keep from one reconcile to the next (a scenario object keeps nothing): one object of each kind per
 * reconciler, made at its first use. Reconciles of different services run at once, so what is kept here must be safe
 * for that.
 */
final class ScenarioMemory {

    private final Map<Class<?>, Object> kept = new ConcurrentHashMap<>();

    <T> T of(Class<T> kind, Supplier<T> make) {
        return kind.cast(kept.computeIfAbsent(kind, k -> make.get()));
    }

    /** What is kept of that kind, or null when nothing was made yet. */
    <T> T peek(Class<T> kind) {
        return kind.cast(kept.get(kind));
    }
}
