package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.time.Duration;

/**
 * Redis replication of the service's one primary: {@code replicas} replica pods follow it, the
 * operator labels the primary ({@value #ROLE_LABEL}={@value #PRIMARY}), fails over when it is gone
 * or unready longer than {@code failoverAfter}, and rolls replicas first on a re-plan. The service
 * learns its start-time settings from {@value #REPLICAOF_ENV}, {@value #REQUIREPASS_ENV} and
 * {@value #MASTERAUTH_ENV}. Only what the user wrote is serialised.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class Replication {

    /** The pod label the operator moves to the current primary; the {@code <name>-primary} Service selects it. */
    public static final String ROLE_LABEL = "percore.io/replication-role";
    public static final String PRIMARY = "primary";
    /**
     * The role label's value on a pod the operator is promoting, written before its {@code REPLICAOF NO ONE}: an operator
     * stopped between the promotion and the primary label finds, when it starts again, which master is its own doing (a
     * master in a history it never saw serve), not a fenced old primary back from a freeze. Routes nothing.
     */
    public static final String PROMOTING = "promoting";
    /**
     * The replication id the primary started when the operator promoted it, written on its pod with its label: the
     * history a failover compares offsets in, kept with the primary itself (the status may not have recorded it yet).
     */
    public static final String HISTORY_ANNOTATION = "percore.io/replication-history";
    /**
     * When the operator labelled the pod primary, written with the label: a pod unready since before then was elected
     * unready (a cold start), and its readiness does not start a failover clock until the kubelet has seen it since
     * ({@code FailoverClock.primaryUnreadySince}).
     */
    public static final String PRIMARY_SINCE_ANNOTATION = "percore.io/primary-since";
    /** On the pod template of a replicated StatefulSet: the pods the operator watches and probes. */
    public static final String REPLICATED_LABEL = "percore.io/replicated";

    public static final String REPLICAOF_ENV = "PERCORE_REPLICAOF";
    public static final String REQUIREPASS_ENV = "PERCORE_REQUIREPASS";
    public static final String MASTERAUTH_ENV = "PERCORE_MASTERAUTH";
    /** The user a replica authenticates as at its primary (the demo's {@code percore.demo.replication.masteruser}, Redis's {@code masteruser}). */
    public static final String MASTERUSER_ENV = "PERCORE_DEMO_REPLICATION_MASTERUSER";
    /**
     * How long a stopping primary waits, writes held, for the operator's handover (the service's
     * {@code percore.demo.replication.shutdown-handover}): the switchover runs while it still answers.
     */
    public static final String SHUTDOWN_HANDOVER_ENV = "PERCORE_DEMO_REPLICATION_SHUTDOWN_HANDOVER";
    /**
     * Inside the default termination grace period (30 s) with the service's shutdown-timeout (10 s) and final save. Long
     * enough for an operator slowed by a loaded node: at 3 s a roll's primary gave up 3.6 s after its deletion, before the
     * operator's next look, and was failed over instead of switched over (an outage of 9 s, not 0.3; ReplicationIT in CI).
     * The wait ends when the switchover comes; it runs its length only when no operator acts, and then no failover comes
     * sooner either.
     */
    public static final String SHUTDOWN_HANDOVER = "10s";
    /**
     * A primary takes writes only while a replica has acknowledged its stream within {@code min-replicas-max-lag} (10 s):
     * one frozen or cut off through a failover refuses them when it comes back ({@code -NOREPLICAS}) instead of taking
     * writes beside the new primary until it is demoted. Set with two replicas or more (one down leaves another to
     * acknowledge); with one, a primary whose replica is gone keeps taking writes (availability), unless {@code spec.env}
     * sets it, which may also set 0.
     */
    public static final String MIN_REPLICAS_TO_WRITE_ENV = "PERCORE_DEMO_REPLICATION_MIN_REPLICAS_TO_WRITE";
    /** The service's {@code min-replicas-max-lag} (Redis's default): how old its replicas' acknowledgements may be. */
    public static final Duration MIN_REPLICAS_MAX_LAG = Duration.ofSeconds(10);
    /** {@code spec.env}'s other setting of it, in seconds, which the failover's fence then waits for instead. */
    public static final String MIN_REPLICAS_MAX_LAG_ENV = "PERCORE_DEMO_REPLICATION_MIN_REPLICAS_MAX_LAG";

    /**
     * How long a primary's diskless full sync waits for more replicas to share it ({@code repl-diskless-sync-delay}): the
     * operator's pods wait 1 s, not Redis's 5. Redis waits to serve several replicas from one fork; a Percore primary makes no
     * fork, and in a managed service a replica asks alone (it restarted, was failed over from or rejoined after a cut): each
     * such rejoin, and with it the service's whole again, took 5 s longer. A service's replicas asking together (created,
     * every pod restarted) still share one snapshot: the sync starts once all of them wait
     * ({@value #DISKLESS_SYNC_MAX_REPLICAS_ENV}: {@code spec.replication.replicas}). {@code spec.env} may set either.
     */
    public static final String DISKLESS_SYNC_DELAY_ENV = "PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_DELAY";
    public static final String DISKLESS_SYNC_DELAY_SECONDS = "1";
    /** A diskless full sync starts before its delay once this many replicas wait ({@code repl-diskless-sync-max-replicas}). */
    public static final String DISKLESS_SYNC_MAX_REPLICAS_ENV = "PERCORE_DEMO_REPLICATION_REPL_DISKLESS_SYNC_MAX_REPLICAS";

    /** The key of the password in the Secret named by {@code authSecretName}. */
    public static final String PASSWORD_KEY = "password";

    /** A Secret's name (a DNS subdomain). */
    public static final String SECRET_NAME_PATTERN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    public static final String DURATION_PATTERN = "^[0-9]{1,6}(ms|s|m)$";
    public static final Duration DEFAULT_FAILOVER_AFTER = Duration.ofSeconds(10);
    /** Below this a readiness flap (one failed probe) would already fail over. */
    public static final Duration MIN_FAILOVER_AFTER = Duration.ofSeconds(1);
    public static final Duration MAX_FAILOVER_AFTER = Duration.ofHours(1);
    public static final int MAX_REPLICAS = 16;

    @Required
    @Min(1)
    @Max(MAX_REPLICAS)
    @JsonPropertyDescription("Replica pods per primary (1..16). The workload runs 1 + replicas pods of the same shape, each holding every shard.")
    private Integer replicas;

    @Pattern(DURATION_PATTERN)
    @JsonPropertyDescription("How long the primary's pod may be gone or unready before the operator promotes the replica with the"
            + " highest replication offset (e.g. 10s, 1500ms, 1m). Default 10s; at least 1s, at most 1h.")
    private String failoverAfter;

    @Pattern(SECRET_NAME_PATTERN)
    @JsonPropertyDescription("Secret (same namespace) whose key 'password' is the service's password: the pods get it as"
            + " PERCORE_REQUIREPASS and PERCORE_MASTERAUTH, the operator reads it to AUTH when it probes and promotes pods."
            + " Unset: spec.auth's Secret. Kept for compatibility: prefer spec.auth.secretName.")
    private String authSecretName;

    @JsonPropertyDescription("Name of the spec.ports entry that speaks RESP (probed, replicated, and exposed by the -primary and"
            + " -read Services). Default: the first port.")
    private String portName;

    public Replication() {
    }

    public Replication(Integer replicas) {
        this.replicas = replicas;
    }

    public Integer getReplicas() { return replicas; }
    public void setReplicas(Integer replicas) { this.replicas = replicas; }
    public String getFailoverAfter() { return failoverAfter; }
    public void setFailoverAfter(String failoverAfter) { this.failoverAfter = failoverAfter; }
    public String getAuthSecretName() { return authSecretName; }
    public void setAuthSecretName(String authSecretName) { this.authSecretName = authSecretName; }
    public String getPortName() { return portName; }
    public void setPortName(String portName) { this.portName = portName; }

    /** Whether a spec asks for replication. */
    public static boolean enabled(PercoreServiceSpec spec) {
        return spec.getReplication() != null;
    }

    /** {@code failoverAfter} parsed, the default when unset; not a JSON property. */
    @JsonIgnore
    public Duration failoverAfterOrDefault() {
        return failoverAfter == null ? DEFAULT_FAILOVER_AFTER : parseDuration(failoverAfter);
    }

    /** @throws IllegalArgumentException when the text is not a number followed by ms, s or m */
    public static Duration parseDuration(String text) {
        if (text == null || !java.util.regex.Pattern.matches(DURATION_PATTERN, text)) {
            throw new IllegalArgumentException("'" + text + "' is not a duration such as 10s, 1500ms or 1m");
        }
        if (text.endsWith("ms")) {
            return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
        }
        long n = Long.parseLong(text.substring(0, text.length() - 1));
        return text.endsWith("s") ? Duration.ofSeconds(n) : Duration.ofMinutes(n);
    }
}
