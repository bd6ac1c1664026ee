package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ContainerPortBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.percore.operator.config.ApplicationYaml;
import io.percore.operator.crd.Monitoring;
import io.percore.operator.crd.Placement;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.Replication;
import io.percore.operator.crd.ServicePort;
import io.percore.operator.crd.Tls;
import io.percore.operator.crd.User;
import io.percore.operator.users.AclRecord;
import io.percore.operator.users.OperatorUsers;
import io.percore.operator.sizing.Quantities;
import io.percore.operator.sizing.SizingPlan;
import io.percore.operator.sizing.SizingRequests;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired children of a PercoreService for a given plan. Pure: no API calls, so the
 * reconciler's output can be compared to what exists and written only when it differs.
 */
public final class WorkloadRenderer {

    public static final int DEFAULT_MANAGEMENT_PORT = 8081;
    public static final String CONTAINER = "app";
    public static final String CONFIG_MOUNT = "/etc/percore/";
    /** The group a persistent pod's volume is given: the user of the images the build makes (images/README.md). */
    static final long DATA_FS_GROUP = 65532;
    /**
     * Startup probes every second: a pod that has started is seen within a second, not up to five later (its readiness
     * probes begin only then; every restart and rejoin waited for it). The probes fail fast (connection refused) until the
     * pod listens, and stop at the first success.
     */
    static final int STARTUP_PROBE_PERIOD_SECONDS = 1;
    /** A persistent pod's startup probes: 30 minutes to load its snapshot before liveness counts. */
    static final int PERSISTENT_STARTUP_PROBES = 1800;
    /** A pod on shared cores' startup probes: 5 minutes, its JVM starting on what CPU its node has spare. */
    static final int SHARED_CORES_STARTUP_PROBES = 300;
    /** Any other pod's startup probes: 2 minutes. */
    static final int STARTUP_PROBES = 120;
    /** The claim template, the pod volume and so the claims' names: data-&lt;name&gt;-&lt;ordinal&gt;. */
    public static final String DATA_VOLUME = "data";
    /** The pod volume of spec.tls's Secret. */
    public static final String TLS_VOLUME = "tls";
    /** The pod volume of the aclfile (Secret {@code <name>-users}). */
    public static final String USERS_VOLUME = "users";
    static final String USERS_SUFFIX = "-users";
    public static final String MANAGEMENT_PORT_NAME = "management";
    public static final String PROMETHEUS_PATH = "/actuator/prometheus";
    public static final String SERVICE_MONITOR_API_VERSION = "monitoring.coreos.com/v1";
    public static final String SERVICE_MONITOR_KIND = "ServiceMonitor";
    /** The operator's image when none is configured ({@code PERCORE_OPERATOR_IMAGE}): the image the build makes. */
    public static final String DEFAULT_OPERATOR_IMAGE = "percore/percore-operator:0.1.0-SNAPSHOT";

    private WorkloadRenderer() {
    }

    public static String configMapName(PercoreService s) {
        return s.getMetadata().getName() + "-config";
    }

    public static int managementPort(PercoreServiceSpec spec) {
        return spec.getManagementPort() == null ? DEFAULT_MANAGEMENT_PORT : spec.getManagementPort();
    }

    public static ConfigMap configMap(PercoreService s, String applicationYaml) {
        return new ConfigMapBuilder().withMetadata(meta(s, configMapName(s)))
                .addToData(ApplicationYaml.FILE_NAME, applicationYaml).build();
    }

    /**
     * @param rolloutYaml what the pods must restart for: the {@code application.yml} without the
     *                    settings that change live ({@link ApplicationYaml#renderForRollout}); its
     *                    hash is the pod template's {@value Labels#CONFIG_HASH}, so a change of
     *                    only those settings updates the ConfigMap and rolls nothing
     */
    public static Deployment deployment(PercoreService s, SizingPlan plan, String rolloutYaml) {
        return deployment(s, plan, rolloutYaml, PodAccess.wanted(s));
    }

    /** @param access how the pods authenticate (the aclfile, the replicas' user), {@link PodAccess} */
    public static Deployment deployment(PercoreService s, SizingPlan plan, String rolloutYaml, PodAccess access) {
        return deployment(s, plan, rolloutYaml, access, DEFAULT_OPERATOR_IMAGE);
    }

    /** @param operatorImage the operator's own image, which the pods' init containers run (a restore) */
    public static Deployment deployment(PercoreService s, SizingPlan plan, String rolloutYaml, PodAccess access, String operatorImage) {
        // No spare pod slot in the pool: surging would leave the new pod Pending, so replace in place.
        boolean roomToSurge = plan.podCapacity() > plan.replicas();
        return new DeploymentBuilder().withMetadata(meta(s, s.getMetadata().getName()))
                .withNewSpec()
                .withReplicas(plan.replicas())
                .withNewSelector().withMatchLabels(Labels.selector(s)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(roomToSurge ? 1 : 0)).withMaxUnavailable(new IntOrString(roomToSurge ? 0 : 1))
                .endRollingUpdate().endStrategy()
                .withTemplate(podTemplate(s, plan, rolloutYaml, null, access, PodShape.of(s, plan, operatorImage)))
                .endSpec()
                .build();
    }

    /**
     * The persistent workload: the Deployment's pod template plus the pod's claim at
     * {@value Persistence#DATA_DIR}, the persistence environment and a grace period long enough for
     * the final save. Pod identity (kv-0, kv-1 ...) binds each pod to its claim (data-kv-0 ...)
     * across every re-plan and restart; the claims outlive scale-downs and the StatefulSet itself
     * (retention policy Retain/Retain), and the operator never deletes one.
     *
     * <p>Choices, all fixed for the StatefulSet's life where the API makes them immutable:
     * {@code serviceName} is the ClusterIP Service the operator already renders (nothing addresses a
     * single pod yet; per-pod DNS would need a headless Service); {@code podManagementPolicy: Parallel},
     * since the pods are independent and need not start one after another; updates roll one pod at a
     * time (a StatefulSet's {@code rollingUpdate.maxUnavailable} is alpha before Kubernetes 1.35 and a
     * server without the feature drops it, so {@code spec.maxUnavailable} governs the PodDisruptionBudget only).
     *
     * @param claim the claim template to render: from the spec, or the live one when it may not change
     */
    public static StatefulSet statefulSet(PercoreService s, SizingPlan plan, String rolloutYaml, DataClaim claim) {
        return statefulSet(s, plan, rolloutYaml, claim, PodAccess.wanted(s));
    }

    /** @param access how the pods authenticate (the aclfile, the replicas' user), {@link PodAccess} */
    public static StatefulSet statefulSet(PercoreService s, SizingPlan plan, String rolloutYaml, DataClaim claim, PodAccess access) {
        return statefulSet(s, plan, rolloutYaml, claim, access, DEFAULT_OPERATOR_IMAGE);
    }

    /** @param operatorImage the operator's own image, which the pods' init containers run (a restore) */
    public static StatefulSet statefulSet(PercoreService s, SizingPlan plan, String rolloutYaml, DataClaim claim, PodAccess access,
                                          String operatorImage) {
        boolean keepsData = Persistence.enabled(s.getSpec());
        Persistence persistence = keepsData ? s.getSpec().getPersistence() : null;
        PodShape shape = PodShape.of(s, plan, operatorImage);
        PodTemplateSpec template = podTemplate(s, plan, rolloutYaml, persistence, access, shape);
        var spec = new StatefulSetBuilder().withMetadata(meta(s, s.getMetadata().getName()))
                .withNewSpec()
                .withReplicas(plan.replicas())
                .withNewSelector().withMatchLabels(Labels.selector(s)).endSelector()
                .withServiceName(s.getMetadata().getName())
                .withPodManagementPolicy("Parallel")
                .withNewUpdateStrategy().withType(shape.isRolledByOperator() ? "OnDelete" : "RollingUpdate").endUpdateStrategy()
                .withTemplate(template);
        if (keepsData) {
            PersistentVolumeClaim claimTemplate = new PersistentVolumeClaimBuilder()
                    .withNewMetadata().withName(DATA_VOLUME).withLabels(Labels.common(s)).endMetadata()
                    .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources().addToRequests("storage", new Quantity(claim.size())).endResources()
                    .withStorageClassName(claim.storageClassName())
                    .endSpec()
                    .build();
            spec.withNewPersistentVolumeClaimRetentionPolicy().withWhenDeleted("Retain").withWhenScaled("Retain")
                    .endPersistentVolumeClaimRetentionPolicy()
                    .withVolumeClaimTemplates(claimTemplate);
        }
        return spec.endSpec().build();
    }

    /**
     * The Service clients write to: the pod labelled primary only (RESP port, no management port: not scraped twice).
     * No selector: its one EndpointSlice is the operator's ({@link PrimaryEndpoints}), written in the step that moves
     * the primary label.
     */
    public static Service primaryService(PercoreService s) {
        return replicationService(s, primaryServiceName(s), null);
    }

    /** The Service for reads: every ready pod, primary and replicas. */
    public static Service readService(PercoreService s) {
        return replicationService(s, readServiceName(s), Labels.selector(s));
    }

    public static String readServiceName(PercoreService s) {
        return s.getMetadata().getName() + "-read";
    }

    public static String primaryServiceName(PercoreService s) {
        return s.getMetadata().getName() + "-primary";
    }

    /** The host every pod starts following: the primary Service's cluster DNS name (resolved through the pod's search path). */
    public static String primaryServiceHost(PercoreService s) {
        return primaryServiceName(s) + "." + s.getMetadata().getNamespace() + ".svc";
    }

    private static Service replicationService(PercoreService s, String name, Map<String, String> selector) {
        ServicePort resp = s.getSpec().respPort();
        return new ServiceBuilder().withMetadata(meta(s, name)).withNewSpec().withType("ClusterIP").withSelector(selector)
                .withPorts(new ServicePortBuilder().withName(resp.getName()).withPort(resp.getPort())
                        .withTargetPort(new IntOrString(resp.getName())).withProtocol("TCP").build())
                .endSpec().build();
    }

    /**
     * The claim template's size (canonical, as the server stores it) and class.
     *
     * @param storageClassName null: the cluster's default class
     */
    public record DataClaim(String size, String storageClassName) {

        /** @throws IllegalArgumentException when the spec's size is missing or not a whole number of bytes */
        public static DataClaim of(Persistence persistence) {
            if (persistence.getSize() == null) {
                throw new IllegalArgumentException("spec.persistence.size: required when mode is " + persistence.modeOrNone());
            }
            return new DataClaim(Quantities.canonicalBytes(persistence.getSize(), "spec.persistence.size"), persistence.getStorageClassName());
        }

        /** The claim template of a live StatefulSet, or null when it has none the operator rendered. */
        public static DataClaim of(StatefulSet live) {
            if (live.getSpec() == null || live.getSpec().getVolumeClaimTemplates() == null) {
                return null;
            }
            return live.getSpec().getVolumeClaimTemplates().stream()
                    .filter(t -> t.getMetadata() != null && DATA_VOLUME.equals(t.getMetadata().getName()) && t.getSpec() != null)
                    .findFirst()
                    .map(t -> {
                        Quantity storage = t.getSpec().getResources() == null || t.getSpec().getResources().getRequests() == null
                                ? null : t.getSpec().getResources().getRequests().get("storage");
                        return new DataClaim(storage == null ? null : canonicalOrAsIs(storage.toString()), t.getSpec().getStorageClassName());
                    })
                    .orElse(null);
        }
    }

    /** A live quantity the server stored is kept as it is when it is not a whole number of bytes. */
    private static String canonicalOrAsIs(String quantity) {
        try {
            return Quantities.canonicalBytes(quantity, "storage");
        } catch (IllegalArgumentException e) {
            return quantity;
        }
    }

    /** @param persistence null: no data volume (the Deployment) */
    private static PodTemplateSpec podTemplate(PercoreService s, SizingPlan plan, String rolloutYaml, Persistence persistence,
                                               PodAccess access, PodShape shape) {
        PercoreServiceSpec spec = s.getSpec();
        int management = managementPort(spec);
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        podAnnotations.put("prometheus.io/scrape", "true");
        podAnnotations.put("prometheus.io/port", Integer.toString(management));
        podAnnotations.put("prometheus.io/path", PROMETHEUS_PATH);
        podAnnotations.put(Labels.CONFIG_HASH, sha256(rolloutYaml).substring(0, 16));

        List<ContainerPort> ports = new ArrayList<>();
        for (ServicePort p : spec.portsOrDefault()) {
            ports.add(new ContainerPortBuilder().withName(p.getName()).withContainerPort(p.getPort())
                    .withProtocol(p.getProtocol() == null ? "TCP" : p.getProtocol()).build());
        }
        ports.add(new ContainerPortBuilder().withName(MANAGEMENT_PORT_NAME).withContainerPort(management).withProtocol("TCP").build());

        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put("cpu", new Quantity(Integer.toString(plan.cpusPerPod())));
        // Canonical, as the server stores it: "2048Mi" would be stored as "2Gi" and never match.
        limits.put("memory", new Quantity(Quantities.canonicalBytes(plan.memoryPerPodBytes())));
        // requests == limits with integer CPUs: Guaranteed QoS, so the static CPU manager gives exclusive cores. Shards on
        // shared cores (spec.cpuPerShard) request less CPU than that limit (Burstable), never less memory: a pod that may be
        // OOM-killed as soon as its node is short would lose its data more often than it saves room.
        Map<String, Quantity> requests = new LinkedHashMap<>(limits);
        requests.put("cpu", new Quantity(Quantities.formatCpu(plan.cpuRequestMillisPerPod())));
        ResourceRequirements requirements = new ResourceRequirementsBuilder().withRequests(requests).withLimits(limits).build();

        Placement placement = spec.getPlacement() == null ? new Placement() : spec.getPlacement();
        List<VolumeMount> mounts = new ArrayList<>();
        mounts.add(new VolumeMountBuilder().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).build());
        if (persistence != null) {
            mounts.add(new VolumeMountBuilder().withName(DATA_VOLUME).withMountPath(Persistence.DATA_DIR).build());
        }
        Tls tls = spec.getTls();
        if (tls != null) {
            // the whole directory, never a subPath: only then does the kubelet swap in a renewed Secret's files
            mounts.add(new VolumeMountBuilder().withName(TLS_VOLUME).withMountPath(Tls.MOUNT).withReadOnly(true).build());
        }
        if (access.aclFile()) {
            // the directory, never a subPath: a pod started after a change reads the current users
            mounts.add(new VolumeMountBuilder().withName(USERS_VOLUME).withMountPath(User.ACL_MOUNT).withReadOnly(true).build());
        }

        Map<String, String> podLabels = Labels.common(s);
        podLabels.putAll(shape.labels());
        return new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(podLabels).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withNodeSelector(placement.getNodeSelector().isEmpty() ? null : placement.getNodeSelector())
                .withTolerations(placement.getTolerations())
                .withAffinity(placement.getAffinity())
                .withTerminationGracePeriodSeconds(persistence == null ? null : (long) persistence.terminationGraceSecondsOrDefault())
                // a fresh claim's root belongs to root: the image's user (65532, images/README.md) writes
                // there only as the volume's group; OnRootMismatch spares a relabel of a large volume per start
                .withSecurityContext(persistence == null ? null : new io.fabric8.kubernetes.api.model.PodSecurityContextBuilder()
                        .withFsGroup(DATA_FS_GROUP).withFsGroupChangePolicy("OnRootMismatch").build())
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(spec.getImage())
                .withImagePullPolicy(spec.getImagePullPolicy())
                .withPorts(ports)
                .withEnv(env(s, plan, persistence, access, shape))
                .withResources(requirements)
                // a persistent pod loads its snapshot before it answers: allow for a large one (30 min), not 2 min; a
                // Burstable pod gets CPU on a busy node by its request's weight: its JVM may take minutes to start (5 min)
                .withStartupProbe(probe("/actuator/health/liveness", management, STARTUP_PROBE_PERIOD_SECONDS,
                        persistence != null ? PERSISTENT_STARTUP_PROBES : plan.burstable() ? SHARED_CORES_STARTUP_PROBES : STARTUP_PROBES))
                .withLivenessProbe(probe("/actuator/health/liveness", management, 10, 3))
                .withReadinessProbe(probe("/actuator/health/readiness", management, 5, 3))
                .withVolumeMounts(mounts)
                .endContainer()
                .withInitContainers(shape.initContainers().isEmpty() ? null : shape.initContainers())
                .addNewVolume().withName("config").withNewConfigMap().withName(configMapName(s)).endConfigMap().endVolume()
                .addAllToVolumes(tls == null ? List.of() : List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName(TLS_VOLUME)
                        .withNewSecret().withSecretName(tls.getSecretName()).endSecret().build()))
                .addAllToVolumes(!access.aclFile() ? List.of() : List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder()
                        .withName(USERS_VOLUME).withNewSecret().withSecretName(usersSecretName(s))
                        // the aclfile only: the record beside it (AclRecord) is the operator's
                        .addNewItem().withKey(User.ACL_FILE).withPath(User.ACL_FILE).endItem().endSecret().build()))
                .endSpec()
                .build();
    }

    private static List<EnvVar> env(PercoreService s, SizingPlan plan, Persistence persistence, PodAccess access, PodShape shape) {
        PercoreServiceSpec spec = s.getSpec();
        Map<String, String> env = new LinkedHashMap<>(spec.envOrEmpty());
        // CPU count, heap, direct memory from the plan, and exit on OutOfMemoryError (JvmOptions).
        String planned = JvmOptions.forPlan(plan, SizingRequests.fromSpec(spec).memoryPerShardBytes());
        String userOptions = env.remove("JAVA_TOOL_OPTIONS");
        env.put("JAVA_TOOL_OPTIONS", userOptions == null || userOptions.isBlank() ? planned : userOptions + " " + planned);
        env.put("SPRING_CONFIG_ADDITIONAL_LOCATION", "optional:file:" + CONFIG_MOUNT);
        // Environment beats any application.yml baked into the image: the plan always applies.
        ApplicationYaml.plannedProperties(plan).forEach((property, value) -> env.put(ApplicationYaml.environmentVariable(property), value));
        if (persistence != null) {
            // The whole contract with the service: where its data lives and how to keep it.
            env.put(Persistence.DATA_DIR_ENV, Persistence.DATA_DIR);
            env.put(Persistence.MODE_ENV, persistence.modeOrNone());
        }
        // What the scenarios ask of every pod (replication: whom to follow at start; cluster: cluster mode).
        env.putAll(shape.env());
        String authSecret = PodPassword.secretName(s);
        if (authSecret != null) {
            // The password comes from spec.auth's Secret only: the operator must know it to AUTH.
            env.remove(Replication.REQUIREPASS_ENV);
            env.remove(Replication.MASTERAUTH_ENV);
            env.remove(Replication.MASTERUSER_ENV);
            env.remove(User.ACLFILE_ENV);
        }
        List<EnvVar> vars = new ArrayList<>();
        if (authSecret != null) {
            // From the Secrets, never in the pod spec in clear: the default user's password guards the pod (with the
            // aclfile: for a pod that reads no aclfile) and, without a user of the replicas' own, its link to the primary
            // (replication) or to a migration's target (cluster). First, so that what a workload kind adds (the persistence
            // contract) comes last, after everything every kind has.
            vars.add(secretVar(Replication.REQUIREPASS_ENV, authSecret));
            vars.add(secretVar(Replication.MASTERAUTH_ENV, access.replicaUser() ? PodPassword.replicaSecretName(s) : authSecret));
            if (access.replicaUser()) {
                vars.add(new EnvVar(Replication.MASTERUSER_ENV, OperatorUsers.REPLICA, null));
            }
            if (access.aclFile()) {
                vars.add(new EnvVar(User.ACLFILE_ENV, User.ACL_MOUNT + User.ACL_FILE, null));
            }
        }
        env.forEach((k, v) -> vars.add(new EnvVar(k, v, null)));
        return vars;
    }

    private static EnvVar secretVar(String name, String secret) {
        return new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName(name).withNewValueFrom().withNewSecretKeyRef()
                .withName(secret).withKey(Replication.PASSWORD_KEY).endSecretKeyRef().endValueFrom().build();
    }

    public static String usersSecretName(PercoreService s) {
        return s.getMetadata().getName() + USERS_SUFFIX;
    }

    /**
     * The operator's Secret {@code <name>-users}: the aclfile the pods read at start (key {@value User#ACL_FILE}: the users
     * as {@code #<sha256>} hashes, never a password in clear) and the record of what the pods took ({@link AclRecord#KEY}).
     * A Secret, not a ConfigMap: a short password's hash is as good as the password.
     */
    public static io.fabric8.kubernetes.api.model.Secret usersSecret(PercoreService s, String aclFile, String record) {
        return new io.fabric8.kubernetes.api.model.SecretBuilder().withMetadata(meta(s, usersSecretName(s))).withType("Opaque")
                .addToData(User.ACL_FILE, base64(aclFile))
                .addToData(AclRecord.KEY, base64(record))
                .build();
    }

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static Probe probe(String path, int port, int period, int failures) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(port)).endHttpGet()
                .withPeriodSeconds(period).withFailureThreshold(failures).withTimeoutSeconds(2).build();
    }

    public static Service service(PercoreService s) {
        PercoreServiceSpec spec = s.getSpec();
        ServiceBuilder b = new ServiceBuilder().withMetadata(meta(s, s.getMetadata().getName()));
        List<io.fabric8.kubernetes.api.model.ServicePort> ports = new ArrayList<>();
        for (ServicePort p : spec.portsOrDefault()) {
            ports.add(new ServicePortBuilder().withName(p.getName()).withPort(p.getPort()).withTargetPort(new IntOrString(p.getName()))
                    .withProtocol(p.getProtocol() == null ? "TCP" : p.getProtocol()).build());
        }
        ports.add(new ServicePortBuilder().withName(MANAGEMENT_PORT_NAME).withPort(managementPort(spec))
                .withTargetPort(new IntOrString(MANAGEMENT_PORT_NAME)).withProtocol("TCP").build());
        return b.withNewSpec().withType("ClusterIP").withSelector(Labels.selector(s)).withPorts(ports).endSpec().build();
    }

    public static PodDisruptionBudget podDisruptionBudget(PercoreService s) {
        int maxUnavailable = s.getSpec().getMaxUnavailable() == null ? 1 : s.getSpec().getMaxUnavailable();
        return new PodDisruptionBudgetBuilder().withMetadata(meta(s, s.getMetadata().getName()))
                .withNewSpec().withMaxUnavailable(new IntOrString(maxUnavailable))
                .withNewSelector().withMatchLabels(Labels.selector(s)).endSelector().endSpec().build();
    }

    public static boolean wantsServiceMonitor(PercoreService s) {
        Monitoring m = s.getSpec().getMonitoring();
        return m != null && Boolean.TRUE.equals(m.getServiceMonitor());
    }

    public static GenericKubernetesResource serviceMonitor(PercoreService s) {
        Monitoring m = s.getSpec().getMonitoring();
        Map<String, Object> endpoint = new LinkedHashMap<>();
        endpoint.put("port", MANAGEMENT_PORT_NAME);
        endpoint.put("path", PROMETHEUS_PATH);
        if (m != null && m.getInterval() != null) {
            endpoint.put("interval", m.getInterval());
        }
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("selector", Map.of("matchLabels", Labels.selector(s)));
        spec.put("endpoints", List.of(endpoint));
        return new GenericKubernetesResourceBuilder().withApiVersion(SERVICE_MONITOR_API_VERSION).withKind(SERVICE_MONITOR_KIND)
                .withMetadata(meta(s, s.getMetadata().getName())).addToAdditionalProperties("spec", spec).build();
    }

    static ObjectMeta meta(PercoreService s, String name) {
        return new ObjectMetaBuilder().withName(name).withNamespace(s.getMetadata().getNamespace())
                .withLabels(Labels.common(s)).withOwnerReferences(owner(s)).build();
    }

    static OwnerReference owner(PercoreService s) {
        return new OwnerReferenceBuilder().withApiVersion(s.getApiVersion()).withKind(s.getKind())
                .withName(s.getMetadata().getName()).withUid(s.getMetadata().getUid())
                .withController(true).withBlockOwnerDeletion(true).build();
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
