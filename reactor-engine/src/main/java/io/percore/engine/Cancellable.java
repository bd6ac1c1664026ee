package io.percore.engine;

/** Something scheduled that can be called off: a timer, a periodic task. */
@FunctionalInterface
public interface Cancellable {

    /**
     * Cancels the action if it has not run yet (or stops future runs of a periodic action).
     *
     * @return {@code true} if this call cancelled it, {@code false} if it had already run or been cancelled
     */
    boolean cancel();
}
