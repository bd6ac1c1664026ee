package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.Container;
import io.percore.operator.sizing.SizingPlan;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the scenarios add to the pods' template ({@link Scenario#shapePods}): environment variables, set after the spec's,
 * the plan's and the persistence contract's (so theirs win; a name the spec already has keeps its place), pod labels, init
 * containers, and whether the operator rolls the pods. A scenario reads the plan the pods are rendered for and the
 * operator's own image (what its init containers run).
 * In the order of {@link Scenarios#ALL}: the rendered template, and so its hash, stays the same from one reconcile to the
 * next.
 */
final class PodShape {

    private final SizingPlan plan;
    private final String operatorImage;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<Container> initContainers = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private boolean rolledByOperator;

    private PodShape(SizingPlan plan, String operatorImage) {
        this.plan = plan;
        this.operatorImage = operatorImage;
    }

    static PodShape of(io.percore.operator.crd.PercoreService s, SizingPlan plan, String operatorImage) {
        PodShape shape = new PodShape(plan, operatorImage);
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

    PodShape initContainer(Container container) {
        initContainers.add(container);
        return this;
    }

    SizingPlan plan() {
        return plan;
    }

    String operatorImage() {
        return operatorImage;
    }

    List<Container> initContainers() {
        return initContainers;
    }

    Map<String, String> env() {
        return env;
    }

    Map<String, String> labels() {
        return labels;
    }
}
