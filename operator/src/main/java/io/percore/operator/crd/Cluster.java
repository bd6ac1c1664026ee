package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/**
 * Redis Cluster across the pods: every pod a primary serving a share of the 16,384 hash slots in
 * proportion to its shards, the layout (who serves which slots, which slots move) set by the
 * operator with {@code CLUSTER SETLAYOUT}. The pod count is the sizing plan's. The service learns
 * that it runs in cluster mode from {@value #ENABLED_ENV}. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Cluster {

    /** The service's {@code percore.demo.cluster.enabled}, in Spring's environment spelling. */
    public static final String ENABLED_ENV = "PERCORE_DEMO_CLUSTER_ENABLED";
    /**
     * The service's {@code percore.demo.cluster.confirm-layout-after-pause}: a pod that did not run for this long (frozen,
     * stopped) serves its layout again only once the operator sends it again, since a replica may have taken its slots
     * meanwhile. With replicas the operator sets half of {@code failoverAfter}: no failover can have happened in a shorter
     * pause, which then changes nothing.
     */
    public static final String CONFIRM_LAYOUT_AFTER_PAUSE_ENV = "PERCORE_DEMO_CLUSTER_CONFIRM_LAYOUT_AFTER_PAUSE";

    @Required
    @JsonPropertyDescription("Run the pods as one Redis Cluster: slots shared out in proportion to each pod's shards, moved onto"
            + " new pods when the plan adds pods and off pods before the plan removes them. Pods: the sizing plan's replicas.")
    private Boolean enabled;

    @Pattern(Replication.SECRET_NAME_PATTERN)
    @JsonPropertyDescription("Secret (same namespace) whose key 'password' is the service's password: the pods get it as"
            + " PERCORE_REQUIREPASS and PERCORE_MASTERAUTH (the source of a slot migration AUTHs at its target with it), the"
            + " operator reads it to AUTH when it probes pods and sends layouts. Unset: spec.auth's Secret. Kept for compatibility: prefer spec.auth.secretName.")
    private String authSecretName;

    public Cluster() {
    }

    public Cluster(Boolean enabled) {
        this.enabled = enabled;
    }

    public Boolean getEnabled() { return enabled; }
    public void setEnabled(Boolean enabled) { this.enabled = enabled; }
    public String getAuthSecretName() { return authSecretName; }
    public void setAuthSecretName(String authSecretName) { this.authSecretName = authSecretName; }

    /** Whether a spec asks for cluster mode. */
    public static boolean enabled(PercoreServiceSpec spec) {
        return spec.getCluster() != null && Boolean.TRUE.equals(spec.getCluster().getEnabled());
    }

    /** The Secret holding the password of a clustered spec's pods, or null (none, or no cluster). */
    public static String authSecretName(PercoreServiceSpec spec) {
        return enabled(spec) ? spec.getCluster().getAuthSecretName() : null;
    }
}
