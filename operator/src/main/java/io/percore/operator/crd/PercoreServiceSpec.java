package io.percore.operator.crd;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.PreserveUnknownFields;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * What the user asks for; the operator turns it into a {@code SizingPlan}. Every field stays null
 * when the user left it out: a pre-filled empty list serialised into a request the operator sends
 * (finalizer, status) would claim and wipe the user's own list on a real API server.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.cluster) || !self.cluster.enabled || !has(self.replication) || !has(self.replication.authSecretName)",
        message = "with cluster, the password is cluster.authSecretName (replication.authSecretName must be unset)")
public class PercoreServiceSpec {

    /** Kubernetes quantity: 512Mi, 2Gi, 1000000 ... */
    public static final String QUANTITY_PATTERN = "^[0-9]+(\\.[0-9]+)?(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E|m)?$";
    /** Kubernetes CPU quantity: 250m, 0.5, 1. */
    public static final String CPU_PATTERN = "^([0-9]+m|[0-9]+(\\.[0-9]+)?)$";

    @Required
    @JsonPropertyDescription("Container image of the Percore application.")
    private String image;

    @JsonPropertyDescription("Image pull policy (Always, IfNotPresent, Never).")
    private String imagePullPolicy;

    @Min(1)
    @Max(65536)
    @JsonPropertyDescription("Total shards wanted across all pods. The planner picks the pod size (NUMA-sized) and the replica count. Ignored when both replicas and shardsPerPod are set.")
    private Integer shards;

    @Min(0)
    @Max(1000)
    @JsonPropertyDescription("Pod count. With shardsPerPod it fixes the shape; with shards it fixes the split.")
    private Integer replicas;

    @Min(1)
    @Max(1024)
    @JsonPropertyDescription("Shards (pinned threads, one CPU each) per pod. Unset: the largest size that fits one NUMA node of every eligible node.")
    private Integer shardsPerPod;

    @Pattern(QUANTITY_PATTERN)
    @JsonPropertyDescription("Memory per shard (Kubernetes quantity). Default 512Mi.")
    private String memoryPerShard;

    @Pattern(QUANTITY_PATTERN)
    @JsonPropertyDescription("Memory per pod on top of the shards' memory, for the JVM (metaspace, code cache, non-shard threads). Default 256Mi.")
    private String memoryOverhead;

    @Min(0)
    @Max(64)
    @JsonPropertyDescription("CPUs per pod kept free of shards for the JVM's own threads (GC, JIT, Spring). Default 1.")
    private Integer reservedCpus;

    @JsonPropertyDescription("auto (default): pinned when the pods get exclusive cores, otherwise overprovisioned; pinned; overprovisioned.")
    private String mode;

    @Pattern(CPU_PATTERN)
    @JsonPropertyDescription("CPU each shard requests when shards share cores (10m..1, e.g. 250m): pods are Burstable, request"
            + " shards x cpuPerShard and may use up to shards + reservedCpus CPUs; the engine runs overprovisioned. Unset (default):"
            + " a whole CPU per shard, Guaranteed QoS, pinned where the nodes give exclusive cores. Not with mode pinned.")
    private String cpuPerShard;

    @JsonPropertyDescription("Where pods may run. The planner only considers nodes that match.")
    private Placement placement;

    @JsonPropertyDescription("Application ports exposed by the container and the Service. Default: [{name: redis, port: 6380}], the demo"
            + " service's RESP port.")
    private List<ServicePort> ports;

    @Min(1)
    @Max(65535)
    @JsonPropertyDescription("Spring Boot management (Actuator) port used for probes and scraping. Default 8081.")
    private Integer managementPort;

    @JsonPropertyDescription("Extra environment variables for the application container.")
    private Map<String, String> env;

    @Min(0)
    @JsonPropertyDescription("PodDisruptionBudget maxUnavailable. Default 1. (A persistent StatefulSet still rolls one pod at a time.)")
    private Integer maxUnavailable;

    @JsonPropertyDescription("Prometheus Operator ServiceMonitor; created only when the CRD exists.")
    private Monitoring monitoring;

    @JsonPropertyDescription("Keep the service's data on a volume claim per pod (a StatefulSet) instead of in memory only.")
    private Persistence persistence;

    @JsonPropertyDescription("The service's password: on by default, from auth.secretName or from a Secret <name>-auth the operator"
            + " generates once.")
    private Auth auth;

    @Size(max = 64)
    @JsonPropertyDescription("Redis ACL users from Secrets, applied to the running pods without a restart and read by new pods at start."
            + " The application's default user keeps spec.auth's password; the operator and the replicas have users of their own.")
    private List<User> users;

    @JsonPropertyDescription("Redis replication: one primary and spec.replication.replicas replica pods, a Service for the primary"
            + " and one for reads, failover driven by the operator.")
    private Replication replication;

    @JsonPropertyDescription("Redis Cluster across the pods: slots shared out by shards, moved by the operator on a re-plan.")
    private Cluster cluster;

    @JsonPropertyDescription("A running Redis to move in: the service's primary replicates from it, and on cutover the operator pauses"
            + " the source's writes, waits until the service has them all and promotes the service.")
    private MigrateFrom migrateFrom;

    @JsonPropertyDescription("Backups of the service's data to object storage (any S3 API): on a cron schedule and on request (annotation"
            + " percore.io/backup-requested), one at a time, each a Job reading a snapshot from a replica in sync (else the primary)"
            + " while the pods keep serving; status.backups, events and metrics say how they went.")
    private Backup backup;

    @JsonPropertyDescription("Start a new service with a backup's data: the primary's pod restores it onto its volume before the server"
            + " starts (replicas copy it from the primary). Needs spec.persistence. A corrupt or truncated object is refused: the pod"
            + " does not start and status.restore says why.")
    private RestoreFrom restoreFrom;

    @JsonPropertyDescription("TLS for the listed servers from a kubernetes.io/tls Secret (cert-manager's), mounted and rotated"
            + " without a restart.")
    private Tls tls;

    @PreserveUnknownFields
    @JsonPropertyDescription("The application's percore: configuration (the content under the percore: key of application.yml).")
    private Map<String, Object> config;

    public String getImage() { return image; }
    public void setImage(String image) { this.image = image; }
    public String getImagePullPolicy() { return imagePullPolicy; }
    public void setImagePullPolicy(String imagePullPolicy) { this.imagePullPolicy = imagePullPolicy; }
    public Integer getShards() { return shards; }
    public void setShards(Integer shards) { this.shards = shards; }
    public Integer getReplicas() { return replicas; }
    public void setReplicas(Integer replicas) { this.replicas = replicas; }
    public Integer getShardsPerPod() { return shardsPerPod; }
    public void setShardsPerPod(Integer shardsPerPod) { this.shardsPerPod = shardsPerPod; }
    public String getMemoryPerShard() { return memoryPerShard; }
    public void setMemoryPerShard(String memoryPerShard) { this.memoryPerShard = memoryPerShard; }
    public String getMemoryOverhead() { return memoryOverhead; }
    public void setMemoryOverhead(String memoryOverhead) { this.memoryOverhead = memoryOverhead; }
    public Integer getReservedCpus() { return reservedCpus; }
    public void setReservedCpus(Integer reservedCpus) { this.reservedCpus = reservedCpus; }
    public String getMode() { return mode; }
    public String getCpuPerShard() { return cpuPerShard; }
    public void setCpuPerShard(String cpuPerShard) { this.cpuPerShard = cpuPerShard; }
    public void setMode(String mode) { this.mode = mode; }
    public Placement getPlacement() { return placement; }
    public void setPlacement(Placement placement) { this.placement = placement; }
    public List<ServicePort> getPorts() { return ports; }
    public void setPorts(List<ServicePort> ports) { this.ports = ports; }
    public Integer getManagementPort() { return managementPort; }
    public void setManagementPort(Integer managementPort) { this.managementPort = managementPort; }
    public Map<String, String> getEnv() { return env; }
    public void setEnv(Map<String, String> env) { this.env = env; }
    public Integer getMaxUnavailable() { return maxUnavailable; }
    public void setMaxUnavailable(Integer maxUnavailable) { this.maxUnavailable = maxUnavailable; }
    public Monitoring getMonitoring() { return monitoring; }
    public void setMonitoring(Monitoring monitoring) { this.monitoring = monitoring; }
    public Persistence getPersistence() { return persistence; }
    public void setPersistence(Persistence persistence) { this.persistence = persistence; }
    public Auth getAuth() { return auth; }
    public void setAuth(Auth auth) { this.auth = auth; }
    public List<User> getUsers() { return users; }
    public void setUsers(List<User> users) { this.users = users; }
    public Replication getReplication() { return replication; }
    public void setReplication(Replication replication) { this.replication = replication; }
    public Cluster getCluster() { return cluster; }
    public void setCluster(Cluster cluster) { this.cluster = cluster; }
    public MigrateFrom getMigrateFrom() { return migrateFrom; }
    public void setMigrateFrom(MigrateFrom migrateFrom) { this.migrateFrom = migrateFrom; }
    public Backup getBackup() { return backup; }
    public void setBackup(Backup backup) { this.backup = backup; }
    public RestoreFrom getRestoreFrom() { return restoreFrom; }
    public void setRestoreFrom(RestoreFrom restoreFrom) { this.restoreFrom = restoreFrom; }
    public Tls getTls() { return tls; }
    public void setTls(Tls tls) { this.tls = tls; }
    public Map<String, Object> getConfig() { return config; }
    public void setConfig(Map<String, Object> config) { this.config = config; }

    /** The port a spec without {@code ports} gets: the demo service's RESP port (its image's {@code application.yml}). */
    public static final String DEFAULT_PORT_NAME = "redis";
    public static final int DEFAULT_PORT = 6380;

    /** {@link #getPorts()}, or the {@link #DEFAULT_PORT} when the spec has none; not a JSON property. */
    @JsonIgnore
    public List<ServicePort> portsOrDefault() { return ports == null ? List.of(new ServicePort(DEFAULT_PORT_NAME, DEFAULT_PORT)) : ports; }
    /**
     * The port that speaks RESP: {@code replication.portName}, else the first of {@link #portsOrDefault()}; not a JSON
     * property. Here, beside the ports, because the renderer, the replication checks and the drivers all ask it.
     *
     * @throws IllegalArgumentException when there is none
     */
    @JsonIgnore
    public ServicePort respPort() {
        String wanted = replication == null ? null : replication.getPortName();
        for (ServicePort p : portsOrDefault()) {
            if (wanted == null || wanted.equals(p.getName())) {
                return p;
            }
        }
        throw new IllegalArgumentException(wanted == null ? "spec.ports: replication needs the RESP port (none is listed)"
                : "spec.replication.portName: '" + wanted + "' is not the name of a spec.ports entry");
    }
    /** {@link #getUsers()} or an empty list; not a JSON property. */
    @JsonIgnore
    public List<User> usersOrEmpty() { return users == null ? List.of() : users; }
    /** {@link #getEnv()} or an empty map; not a JSON property. */
    @JsonIgnore
    public Map<String, String> envOrEmpty() { return env == null ? Map.of() : env; }
    /** {@link #getConfig()} or an empty map; not a JSON property. */
    @JsonIgnore
    public Map<String, Object> configOrEmpty() { return config == null ? Map.of() : config; }
}
