package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.NodeSelector;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The scheduler's hard placement rules the planner must agree with, so it never plans pods for
 * nodes they cannot land on: unschedulable nodes, nodeSelector, required node affinity and
 * NoSchedule/NoExecute taints.
 */
final class PlacementFilter {

    private PlacementFilter() {
    }

    /** Why {@code node} cannot host the pods, or empty when it can. */
    static Optional<String> rejection(NodeShape node, SizingRequest request) {
        if (node.unschedulable()) {
            return Optional.of("cordoned (spec.unschedulable)");
        }
        for (Map.Entry<String, String> e : request.nodeSelector().entrySet()) {
            if (!e.getValue().equals(node.labels().get(e.getKey()))) {
                return Optional.of("nodeSelector " + e.getKey() + "=" + e.getValue() + " does not match");
            }
        }
        if (!matchesRequiredAffinity(node, request.affinity())) {
            return Optional.of("required node affinity does not match");
        }
        for (Taint taint : node.taints()) {
            String effect = taint.getEffect();
            boolean blocking = "NoSchedule".equals(effect) || "NoExecute".equals(effect);
            if (blocking && request.tolerations().stream().noneMatch(t -> tolerates(t, taint))) {
                return Optional.of("taint " + taint.getKey() + (taint.getValue() == null ? "" : "=" + taint.getValue()) + ":" + effect + " not tolerated");
            }
        }
        return Optional.empty();
    }

    static boolean tolerates(Toleration toleration, Taint taint) {
        if (toleration.getEffect() != null && !toleration.getEffect().isEmpty() && !toleration.getEffect().equals(taint.getEffect())) {
            return false;
        }
        String op = toleration.getOperator() == null ? "Equal" : toleration.getOperator();
        if (toleration.getKey() == null || toleration.getKey().isEmpty()) {
            return "Exists".equals(op);
        }
        if (!toleration.getKey().equals(taint.getKey())) {
            return false;
        }
        if ("Exists".equals(op)) {
            return true;
        }
        String want = toleration.getValue() == null ? "" : toleration.getValue();
        String have = taint.getValue() == null ? "" : taint.getValue();
        return want.equals(have);
    }

    private static boolean matchesRequiredAffinity(NodeShape node, Affinity affinity) {
        if (affinity == null || affinity.getNodeAffinity() == null) {
            return true;
        }
        NodeSelector required = affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required == null || required.getNodeSelectorTerms() == null) {
            return true;
        }
        // Terms are ORed, expressions inside a term ANDed; an empty term matches nothing.
        for (NodeSelectorTerm term : required.getNodeSelectorTerms()) {
            List<NodeSelectorRequirement> exprs = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
            List<NodeSelectorRequirement> fields = term.getMatchFields() == null ? List.of() : term.getMatchFields();
            if (exprs.isEmpty() && fields.isEmpty()) {
                continue;
            }
            boolean all = exprs.stream().allMatch(r -> matches(r, node.labels().get(r.getKey())))
                    && fields.stream().allMatch(r -> matches(r, "metadata.name".equals(r.getKey()) ? node.name() : null));
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(NodeSelectorRequirement r, String value) {
        List<String> values = r.getValues() == null ? List.of() : r.getValues();
        switch (r.getOperator()) {
            case "In":
                return value != null && values.contains(value);
            case "NotIn":
                return value == null || !values.contains(value);
            case "Exists":
                return value != null;
            case "DoesNotExist":
                return value == null;
            case "Gt":
            case "Lt":
                if (value == null || values.size() != 1) {
                    return false;
                }
                try {
                    long have = Long.parseLong(value);
                    long bound = Long.parseLong(values.get(0));
                    return "Gt".equals(r.getOperator()) ? have > bound : have < bound;
                } catch (NumberFormatException e) {
                    return false;
                }
            default:
                return false;
        }
    }
}
