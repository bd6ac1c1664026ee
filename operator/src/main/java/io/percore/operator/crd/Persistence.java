package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where the service keeps its data across restarts. Absent or {@code mode: none}: today's
 * Deployment, data in memory only. {@code snapshot} or {@code aof}: a StatefulSet whose pods each
 * keep a volume claim mounted at {@value #DATA_DIR}; the service learns the directory and the mode
 * from {@value #DATA_DIR_ENV} and {@value #MODE_ENV} (the operator knows nothing else about it).
 * Like the rest of the spec, only what the user wrote is serialised: no field is pre-filled.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.mode) || self.mode == 'none' || has(self.size)",
        message = "size is required when mode is snapshot or aof")
public class Persistence {

    public static final String NONE = "none";
    public static final String SNAPSHOT = "snapshot";
    public static final String AOF = "aof";
    public static final String MODE_PATTERN = "^(none|snapshot|aof)$";

    /** Where the pod's claim is mounted; also the value of {@value #DATA_DIR_ENV}. */
    public static final String DATA_DIR = "/data";
    public static final String DATA_DIR_ENV = "PERCORE_DATA_DIR";
    public static final String MODE_ENV = "PERCORE_PERSISTENCE";

    /**
     * The service saves a final snapshot on SIGTERM within its final-save timeout (60 s by default)
     * inside a Spring shutdown phase bounded at 75 s; the kubelet kills the container when the
     * grace period ends, so the default leaves that phase and the JVM's exit a wide margin.
     */
    public static final int DEFAULT_TERMINATION_GRACE_SECONDS = 120;
    /** Below this the kubelet could kill a pod still inside its 75 s shutdown phase. */
    public static final int MIN_TERMINATION_GRACE_SECONDS = 90;
    /** A pod stuck terminating blocks node drains and rollouts; an hour is ample for any final save. */
    public static final int MAX_TERMINATION_GRACE_SECONDS = 3600;

    @Pattern(MODE_PATTERN)
    @JsonPropertyDescription("none (default): no volume, pods keep data in memory only (a Deployment). snapshot: the service saves"
            + " and loads a snapshot (RDB) in its data directory. aof: it logs every write to an append-only file there (Redis 7's"
            + " multi-part layout) and loads that at start. With snapshot or aof the"
            + " operator runs a StatefulSet whose every pod keeps its own volume claim, mounted at /data.")
    private String mode;

    @Pattern(PercoreServiceSpec.QUANTITY_PATTERN)
    @JsonPropertyDescription("Size of each pod's volume claim (Kubernetes quantity, e.g. 10Gi). Required with snapshot or aof."
            + " Fixed once the StatefulSet exists (its claim templates cannot change); grow a claim by editing the PVC.")
    private String size;

    @Pattern("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)?$")
    @JsonPropertyDescription("StorageClass of the claims. Unset: the cluster's default class; empty string: no class (pre-provisioned volumes)."
            + " Fixed once the StatefulSet exists.")
    private String storageClassName;

    @Min(MIN_TERMINATION_GRACE_SECONDS)
    @Max(MAX_TERMINATION_GRACE_SECONDS)
    @JsonPropertyDescription("Pod terminationGracePeriodSeconds with persistence (default 120): time for the final save on shutdown."
            + " Raise it with the service's final-save timeout; at least 90 (the service's shutdown phase is 75 s).")
    private Integer terminationGracePeriodSeconds;

    public Persistence() {
    }

    public Persistence(String mode, String size) {
        this.mode = mode;
        this.size = size;
    }

    public String getMode() { return mode; }
    public void setMode(String mode) { this.mode = mode; }
    public String getSize() { return size; }
    public void setSize(String size) { this.size = size; }
    public String getStorageClassName() { return storageClassName; }
    public void setStorageClassName(String storageClassName) { this.storageClassName = storageClassName; }
    public Integer getTerminationGracePeriodSeconds() { return terminationGracePeriodSeconds; }
    public void setTerminationGracePeriodSeconds(Integer terminationGracePeriodSeconds) { this.terminationGracePeriodSeconds = terminationGracePeriodSeconds; }

    /** The mode, {@value #NONE} when unset; not a JSON property. */
    @JsonIgnore
    public String modeOrNone() {
        return mode == null ? NONE : mode;
    }

    /** The grace period the pods get; not a JSON property. */
    @JsonIgnore
    public int terminationGraceSecondsOrDefault() {
        return terminationGracePeriodSeconds == null ? DEFAULT_TERMINATION_GRACE_SECONDS : terminationGracePeriodSeconds;
    }

    /** Whether a spec keeps data on volumes (snapshot or aof). */
    public static boolean enabled(PercoreServiceSpec spec) {
        return spec.getPersistence() != null && !NONE.equals(spec.getPersistence().modeOrNone());
    }
}
