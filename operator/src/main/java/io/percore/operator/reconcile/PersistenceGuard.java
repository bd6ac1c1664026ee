package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.reconcile.WorkloadRenderer.DataClaim;
import io.percore.operator.sizing.Quantities;
import io.percore.operator.sizing.SizingPlan;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The rules that keep a persistent service's data, as pure functions of the spec, the plan and the
 * live StatefulSet (the reconciler reads it, fresh, and writes what these decide):
 *
 * <ul>
 *   <li>a re-plan to fewer pods than the StatefulSet runs is refused: each pod's claim holds that
 *       pod's data, and a pod scaled away stops serving it ({@link #guardScaleDown});</li>
 *   <li>switching a persistent service back to {@code mode: none} is refused: the Deployment that
 *       would replace the StatefulSet starts empty ({@link #removalRefusal});</li>
 *   <li>the claim template of a live StatefulSet is kept: the API server refuses any change to it
 *       ({@link #claimTemplate}).</li>
 * </ul>
 */
public final class PersistenceGuard {

    public static final String SCALE_DOWN_REFUSED = "ScaleDownWouldOrphanData";
    public static final String REMOVAL_REFUSED = "PersistenceRemovalRefused";
    public static final String STORAGE_NOT_CHANGED = "StorageChangeNotApplied";

    private PersistenceGuard() {
    }

    /**
     * @param plan     the plan to apply, never with fewer replicas than the StatefulSet runs
     * @param refusal  why the planned scale-down was refused (null when none was)
     * @param hold     true when even the StatefulSet's own pod count cannot be planned: nothing may be written
     */
    public record Guarded(SizingPlan plan, String refusal, boolean hold) {
    }

    /**
     * @param liveReplicas     the persistent StatefulSet's replicas; null when there is none
     * @param withLiveReplicas plans the same request with the pod count fixed
     */
    public static Guarded guardScaleDown(PercoreService s, SizingPlan plan, Integer liveReplicas, IntFunction<SizingPlan> withLiveReplicas) {
        if (liveReplicas == null || !plan.feasible() || plan.replicas() >= liveReplicas) {
            return new Guarded(plan, null, false);
        }
        String name = s.getMetadata().getName();
        String namespace = s.getMetadata().getNamespace();
        int planned = plan.replicas();
        String orphaned = ordinals(name, planned, liveReplicas, "");
        String claims = ordinals(name, planned, liveReplicas, WorkloadRenderer.DATA_VOLUME + "-");
        String why = "the plan wants " + planned + " replica(s) but StatefulSet " + name + " runs " + liveReplicas
                + ", and pod(s) " + orphaned + " keep data on claim(s) " + claims + " that no pod would serve; the scale-down is refused";
        String howTo = "To scale down on purpose, move the data off " + orphaned + ", then kubectl -n " + namespace
                + " scale statefulset " + name + " --replicas=" + planned + " (the claims are kept); or set spec.replicas: "
                + liveReplicas + " to make this the plan.";
        SizingPlan kept = withLiveReplicas.apply(liveReplicas);
        if (!kept.feasible()) {
            return new Guarded(plan, why + ", and " + liveReplicas + " pods cannot be planned either (" + String.join("; ", kept.reasons())
                    + "): StatefulSet " + name + " is left as it is. " + howTo, true);
        }
        String shape = kept.replicas() + " pod(s) x " + kept.shardsPerPod() + " shards";
        return new Guarded(kept.withReason("scale-down to " + planned + " refused (persistent data): kept " + liveReplicas + " pods, " + shape),
                why + " and the StatefulSet keeps " + liveReplicas + " replicas, planned as " + shape + ". " + howTo, false);
    }

    /** Why a persistent service may not drop persistence now; null when it may (no live StatefulSet). */
    public static String removalRefusal(PercoreService s, StatefulSet live) {
        if (live == null || Persistence.enabled(s.getSpec()) || DataClaim.of(live) == null) {
            // no StatefulSet, or one without claims (replication without persistence): nothing on disk to keep
            return null;
        }
        String name = s.getMetadata().getName();
        int replicas = live.getSpec() == null || live.getSpec().getReplicas() == null ? 1 : live.getSpec().getReplicas();
        return "spec.persistence.mode is none, but StatefulSet " + name + " keeps the data of " + replicas + " pod(s) on claims "
                + ordinals(name, 0, replicas, WorkloadRenderer.DATA_VOLUME + "-") + "; a Deployment in its place would start empty, so "
                + "the operator leaves the StatefulSet as it is and changes nothing. To drop persistence on purpose: kubectl -n "
                + s.getMetadata().getNamespace() + " delete statefulset " + name + " (the claims are kept; delete them yourself when "
                + "the data may go); or set spec.persistence back.";
    }

    /**
     * @param claim      the claim template to render
     * @param notApplied why the spec's size or class was not applied (null when it was)
     */
    public record ClaimTemplate(DataClaim claim, String notApplied) {
    }

    /**
     * The spec's claim template for a new StatefulSet; for a live one, the template it has, which
     * the API server will not let change (claims already made would not follow anyway).
     */
    public static ClaimTemplate claimTemplate(PercoreService s, StatefulSet live) {
        DataClaim wanted = DataClaim.of(s.getSpec().getPersistence());
        DataClaim existing = live == null ? null : DataClaim.of(live);
        if (existing == null || existing.equals(wanted)) {
            return new ClaimTemplate(wanted, null);
        }
        String name = s.getMetadata().getName();
        List<String> differences = new ArrayList<>();
        if (!Objects.equals(existing.size(), wanted.size())) {
            differences.add("size " + wanted.size() + " (claims have " + existing.size() + "; grow each claim data-" + name
                    + "-<n> by editing the PVC if its StorageClass allows expansion)");
        }
        if (!Objects.equals(existing.storageClassName(), wanted.storageClassName())) {
            differences.add("storageClassName " + describe(wanted.storageClassName()) + " (claims have "
                    + describe(existing.storageClassName()) + "; a new class needs new claims: copy the data)");
        }
        return new ClaimTemplate(existing, "spec.persistence asks for " + String.join(" and ", differences)
                + ", but a StatefulSet's claim template cannot change: StatefulSet " + name + " keeps its own. Set spec.persistence"
                + " back to match to clear this.");
    }

    private static String describe(String storageClassName) {
        return storageClassName == null ? "<cluster default>" : storageClassName.isEmpty() ? "\"\"" : storageClassName;
    }

    /**
     * What the CRD's schema checks at admission (pattern, bounds, size required), checked again here:
     * the operator must not act on a resource a looser or older CRD let through.
     */
    public static List<String> specProblems(Persistence p) {
        List<String> problems = new ArrayList<>();
        if (p == null) {
            return problems;
        }
        if (!java.util.regex.Pattern.matches(Persistence.MODE_PATTERN, p.modeOrNone())) {
            problems.add("spec.persistence.mode: '" + p.getMode() + "' is not one of none, snapshot, aof");
        } else if (!Persistence.NONE.equals(p.modeOrNone())) {
            if (p.getSize() == null) {
                problems.add("spec.persistence.size: required when mode is " + p.getMode() + " (e.g. 10Gi)");
            } else {
                try {
                    if ("0".equals(Quantities.canonicalBytes(p.getSize(), "spec.persistence.size"))) {
                        problems.add("spec.persistence.size: must be more than 0");
                    }
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        Integer grace = p.getTerminationGracePeriodSeconds();
        if (grace != null && (grace < Persistence.MIN_TERMINATION_GRACE_SECONDS
                || grace > Persistence.MAX_TERMINATION_GRACE_SECONDS)) {
            problems.add("spec.persistence.terminationGracePeriodSeconds: " + grace + " is outside "
                    + Persistence.MIN_TERMINATION_GRACE_SECONDS + ".." + Persistence.MAX_TERMINATION_GRACE_SECONDS
                    + " (the service's shutdown phase, with its final save, takes up to 75 s)");
        }
        return problems;
    }

    /** "kv-2, kv-3" for ordinals [from, to). */
    private static String ordinals(String name, int from, int to, String prefix) {
        List<String> names = new ArrayList<>();
        for (int i = from; i < to; i++) {
            names.add(prefix + name + "-" + i);
        }
        if (names.size() > 6) {
            return String.join(", ", names.subList(0, 3)) + ", ... " + names.get(names.size() - 1);
        }
        return String.join(", ", names);
    }
}
