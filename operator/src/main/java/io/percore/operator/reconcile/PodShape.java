package io.percore.operator.reconcile;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the scenarios add to the pods' template ({@link Scenario#shapePods}): environment variables, set after the spec's,
 * the plan's and the persistence contract's (so theirs win; a name the spec already has keeps its place), pod labels, and
 * whether the operator rolls the pods.
 * In the order of {@link Scenarios#ALL}: the rendered template, and so its hash, stays the same from one reconcile to the
 * next.
 */
final class PodShape {

    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private boolean rolledByOperator;

    static PodShape of(io.percore.operator.crd.PercoreService s) {
        PodShape shape = new PodShape();
        Scenarios.ALL.forEach(scenario -> scenario.shapePods(s, shape));
        return shape;
    }

    PodShape env(String name, String value) {
        env.put(name, value);
        return this;
    }

    PodShape label(String name, String value) {
        labels.put(name, value);
        return this;
    }

    /**
     * The operator rolls the pods itself (a StatefulSet {@code OnDelete}): a pod is deleted only once its copies are in sync,
     * a primary only after a switchover.
     */
    PodShape rolledByOperator() {
        rolledByOperator = true;
        return this;
    }

    boolean isRolledByOperator() {
        return rolledByOperator;
    }

    Map<String, String> env() {
        return env;
    }

    Map<String, String> labels() {
        return labels;
    }
}
