package io.percore.operator;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A simulated service driven through a sequence of faults with a reconcile after each, as the planners' property tests
 * drive it: the service comes up, each step's fault happens and the planner decides (checked at once), then the faults
 * stop and the service must be whole within a bounded number of reconciles. A failing sequence {@link #shrink}s to the
 * fewest steps that still break it.
 *
 * @param <S> one step: a fault with every choice it makes, so that a run replays from its list alone
 */
public abstract class FaultSequence<S> {

    /** Reconciles for the service to come up before the first fault. */
    private static final int COME_UP = 12;

    private final int settleWithin;
    private final StringBuilder trace = new StringBuilder();
    private boolean tracing;

    /** @param settleWithin reconciles the service may take to be whole once the faults stop */
    protected FaultSequence(int settleWithin) {
        this.settleWithin = settleWithin;
    }

    /** One reconcile and the checks after it: the property it broke, or null. */
    protected abstract String reconcile();

    protected abstract void apply(S step);

    /** Time passes: a simulated second of processes starting, syncing, failing over. */
    protected abstract void tick();

    /** The faults stop: every pod back, running, reachable. */
    protected abstract void heal();

    /** Whether the service is whole again (the liveness property holds). */
    protected abstract boolean settled();

    /** Why the service is not whole {@code reconciles} reconciles after the faults stopped: the liveness failure. */
    protected abstract String notSettled(int reconciles);

    /** A line of the trace, kept only when the run is traced. */
    protected void log(String prefix, String line) {
        if (tracing) {
            trace.append("  ").append(prefix).append(' ').append(line).append('\n');
        }
    }

    /** Runs the steps, then a calm phase; returns the first property broken (with the trace when asked), or null. */
    public String run(List<S> steps, boolean withTrace) {
        this.tracing = withTrace;
        String broken = play(steps);
        return broken != null && withTrace ? broken + "\ntrace:\n" + trace : broken;
    }

    private String play(List<S> steps) {
        for (int i = 0; i < COME_UP; i++) {
            String broken = reconcile();
            if (broken != null) {
                return "bootstrap: " + broken;
            }
            tick();
        }
        for (S s : steps) {
            apply(s);
            String broken = reconcile();
            if (broken != null) {
                return "after " + s + ": " + broken;
            }
            tick();
        }
        heal();
        for (int i = 0; i < settleWithin; i++) {
            String broken = reconcile();
            if (broken != null) {
                return "while settling: " + broken;
            }
            if (settled()) {
                return null;
            }
            tick();
            if (settled()) {
                return null;
            }
        }
        return notSettled(settleWithin);
    }

    /** Takes steps out, one at a time, while the run still breaks: the shortest story that does. */
    public static <S> List<S> shrink(List<S> steps, Predicate<List<S>> stillBreaks) {
        List<S> current = new ArrayList<>(steps);
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int i = current.size() - 1; i >= 0; i--) {
                List<S> fewer = new ArrayList<>(current);
                fewer.remove(i);
                if (stillBreaks.test(fewer)) {
                    current = fewer;
                    progress = true;
                }
            }
        }
        return current;
    }

    /**
     * The seeds a property test runs: {@code runs} from {@code base} (the build's range, or a sweep's with
     * {@code -Dpercore.seed} and {@code -Dpercore.runs}), then each seed in {@code found} (past that range, whose runs
     * found a defect, each fixed: replayed by every build).
     */
    public static java.util.stream.LongStream seeds(long base, int runs, long... found) {
        return java.util.stream.LongStream.concat(java.util.stream.LongStream.range(base, base + runs), java.util.Arrays.stream(found));
    }
}
