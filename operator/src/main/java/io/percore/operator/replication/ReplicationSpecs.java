package io.percore.operator.replication;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Replication;
import io.percore.operator.sizing.SizingRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What a replicated spec must satisfy, and how it is sized: pure, like {@code PersistenceGuard}. */
public final class ReplicationSpecs {

    public static final String ENABLE_REFUSED = "ReplicationWouldOverwriteData";

    private ReplicationSpecs() {
    }

    /**
     * What the CRD checks at admission (bounds, pattern), checked again, and what it cannot:
     * failoverAfter's bounds, one primary, a RESP port.
     */
    public static List<String> specProblems(PercoreServiceSpec spec) {
        List<String> problems = new ArrayList<>();
        Replication r = spec.getReplication();
        if (r == null) {
            return problems;
        }
        if (r.getReplicas() == null || r.getReplicas() < 1 || r.getReplicas() > Replication.MAX_REPLICAS) {
            problems.add("spec.replication.replicas: " + r.getReplicas() + " is not in 1.." + Replication.MAX_REPLICAS);
        }
        try {
            Duration after = r.failoverAfterOrDefault();
            if (after.compareTo(Replication.MIN_FAILOVER_AFTER) < 0 || after.compareTo(Replication.MAX_FAILOVER_AFTER) > 0) {
                problems.add("spec.replication.failoverAfter: " + r.getFailoverAfter() + " is outside 1s..1h");
            }
        } catch (IllegalArgumentException e) {
            problems.add("spec.replication.failoverAfter: " + e.getMessage());
        }
        if (spec.getReplicas() != null && spec.getReplicas() != 1 && !io.percore.operator.crd.Cluster.enabled(spec)) {
            problems.add("spec.replicas: " + spec.getReplicas() + " primaries with spec.replication; replication has one primary"
                    + " (leave spec.replicas unset or 1; replica pods are spec.replication.replicas)");
        }
        try {
            spec.respPort();
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        return problems;
    }

    /**
     * The sizing request of a replicated service: 1 + replicas pods of one shape, every pod holding
     * every shard ({@code shards}, or {@code shardsPerPod}, per pod; neither: the largest pod the pool
     * holds 1 + replicas of).
     */
    public static SizingRequest sizing(PercoreServiceSpec spec, SizingRequest fromSpec) {
        int pods = 1 + spec.getReplication().getReplicas();
        Integer perPod = spec.getShardsPerPod() != null ? spec.getShardsPerPod() : spec.getShards();
        return fromSpec.withShape(null, pods, perPod);
    }

    /**
     * The pod count of a clustered, replicated service: each of the {@code primaries} the sizing plan gives the
     * cluster gets {@code spec.replication.replicas} replica pods of the same shape.
     */
    public static SizingRequest clusterSizing(PercoreServiceSpec spec, SizingRequest fromSpec, int primaries, int shardsPerPod) {
        int pods = primaries * (1 + spec.getReplication().getReplicas());
        return fromSpec.withShape(null, pods, shardsPerPod);
    }

    /**
     * Why replication may not be switched on now: a persistent StatefulSet that was not replicated and
     * runs several pods keeps different data on each, and all but the elected primary would replace
     * theirs with a copy of the primary's. Null when it may.
     */
    public static String enableRefusal(PercoreService s, StatefulSet live) {
        if (live == null || !Replication.enabled(s.getSpec()) || replicated(live) || io.percore.operator.crd.Cluster.enabled(s.getSpec())) {
            return null;
        }
        int replicas = live.getSpec() == null || live.getSpec().getReplicas() == null ? 1 : live.getSpec().getReplicas();
        boolean claims = live.getSpec() != null && live.getSpec().getVolumeClaimTemplates() != null
                && !live.getSpec().getVolumeClaimTemplates().isEmpty();
        if (replicas <= 1 || !claims) {
            return null;
        }
        String name = s.getMetadata().getName();
        return "spec.replication is set, but StatefulSet " + name + " runs " + replicas + " independent pods with their own data;"
                + " as replicas of one primary all but one would discard theirs. Move the data to one pod and scale the StatefulSet"
                + " to 1 (kubectl -n " + s.getMetadata().getNamespace() + " scale statefulset " + name + " --replicas=1), or remove"
                + " spec.replication.";
    }

    /** Whether a live StatefulSet was rendered for replication (its pod template carries the label). */
    /**
     * A replica's full sync starts within a second of its asking, at once when every replica of its primary asks
     * (see {@link Replication#DISKLESS_SYNC_DELAY_ENV}): the variables a replicated service's pods get, a cluster's groups
     * too, but those {@code spec.env} sets (the pods then take the user's).
     */
    public static Map<String, String> fullSyncEnv(PercoreServiceSpec spec) {
        Map<String, String> set = spec.getEnv() == null ? Map.of() : spec.getEnv();
        Map<String, String> env = new LinkedHashMap<>();
        if (!set.containsKey(Replication.DISKLESS_SYNC_DELAY_ENV)) {
            env.put(Replication.DISKLESS_SYNC_DELAY_ENV, Replication.DISKLESS_SYNC_DELAY_SECONDS);
        }
        Integer replicas = spec.getReplication().getReplicas();
        if (!set.containsKey(Replication.DISKLESS_SYNC_MAX_REPLICAS_ENV) && replicas != null && replicas > 0) {
            env.put(Replication.DISKLESS_SYNC_MAX_REPLICAS_ENV, replicas.toString());
        }
        return env;
    }

    public static boolean replicated(StatefulSet live) {
        return live.getSpec() != null && live.getSpec().getTemplate() != null && live.getSpec().getTemplate().getMetadata() != null
                && live.getSpec().getTemplate().getMetadata().getLabels() != null
                && "true".equals(live.getSpec().getTemplate().getMetadata().getLabels().get(Replication.REPLICATED_LABEL));
    }
}
