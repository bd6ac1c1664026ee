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
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.percore.operator.config.ApplicationYaml;
import io.percore.operator.crd.Monitoring;
import io.percore.operator.crd.Placement;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.crd.ServicePort;
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
    public static final String MANAGEMENT_PORT_NAME = "management";
    public static final String PROMETHEUS_PATH = "/actuator/prometheus";
    public static final String SERVICE_MONITOR_API_VERSION = "monitoring.coreos.com/v1";
    public static final String SERVICE_MONITOR_KIND = "ServiceMonitor";

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

    public static Deployment deployment(PercoreService s, SizingPlan plan, String applicationYaml) {
        PercoreServiceSpec spec = s.getSpec();
        int management = managementPort(spec);
        Map<String, String> podAnnotations = new LinkedHashMap<>();
        podAnnotations.put("prometheus.io/scrape", "true");
        podAnnotations.put("prometheus.io/port", Integer.toString(management));
        podAnnotations.put("prometheus.io/path", PROMETHEUS_PATH);
        podAnnotations.put(Labels.CONFIG_HASH, sha256(applicationYaml).substring(0, 16));

        List<ContainerPort> ports = new ArrayList<>();
        for (ServicePort p : spec.portsOrEmpty()) {
            ports.add(new ContainerPortBuilder().withName(p.getName()).withContainerPort(p.getPort())
                    .withProtocol(p.getProtocol() == null ? "TCP" : p.getProtocol()).build());
        }
        ports.add(new ContainerPortBuilder().withName(MANAGEMENT_PORT_NAME).withContainerPort(management).withProtocol("TCP").build());

        Map<String, Quantity> resources = new LinkedHashMap<>();
        resources.put("cpu", new Quantity(Integer.toString(plan.cpusPerPod())));
        resources.put("memory", new Quantity(Quantities.formatBytes(plan.memoryPerPodBytes())));
        // requests == limits with integer CPUs: Guaranteed QoS, so the static CPU manager gives exclusive cores.
        ResourceRequirements requirements = new ResourceRequirementsBuilder().withRequests(resources).withLimits(new LinkedHashMap<>(resources)).build();

        Placement placement = spec.getPlacement() == null ? new Placement() : spec.getPlacement();
        // No spare pod slot in the pool: surging would leave the new pod Pending, so replace in place.
        boolean roomToSurge = plan.podCapacity() > plan.replicas();

        return new DeploymentBuilder().withMetadata(meta(s, s.getMetadata().getName()))
                .withNewSpec()
                .withReplicas(plan.replicas())
                .withNewSelector().withMatchLabels(Labels.selector(s)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(roomToSurge ? 1 : 0)).withMaxUnavailable(new IntOrString(roomToSurge ? 0 : 1))
                .endRollingUpdate().endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(Labels.common(s)).withAnnotations(podAnnotations).endMetadata()
                .withNewSpec()
                .withNodeSelector(placement.getNodeSelector().isEmpty() ? null : placement.getNodeSelector())
                .withTolerations(placement.getTolerations())
                .withAffinity(placement.getAffinity())
                .addNewContainer()
                .withName(CONTAINER)
                .withImage(spec.getImage())
                .withImagePullPolicy(spec.getImagePullPolicy())
                .withPorts(ports)
                .withEnv(env(spec, plan))
                .withResources(requirements)
                .withStartupProbe(probe("/actuator/health/liveness", management, 2, 60))
                .withLivenessProbe(probe("/actuator/health/liveness", management, 10, 3))
                .withReadinessProbe(probe("/actuator/health/readiness", management, 5, 3))
                .addNewVolumeMount().withName("config").withMountPath(CONFIG_MOUNT).withReadOnly(true).endVolumeMount()
                .endContainer()
                .addNewVolume().withName("config").withNewConfigMap().withName(configMapName(s)).endConfigMap().endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    private static List<EnvVar> env(PercoreServiceSpec spec, SizingPlan plan) {
        Map<String, String> env = new LinkedHashMap<>(spec.envOrEmpty());
        // CPU count, heap, direct memory from the plan, and exit on OutOfMemoryError (JvmOptions).
        String planned = JvmOptions.forPlan(plan, SizingRequests.fromSpec(spec).memoryPerShardBytes());
        String userOptions = env.remove("JAVA_TOOL_OPTIONS");
        env.put("JAVA_TOOL_OPTIONS", userOptions == null || userOptions.isBlank() ? planned : userOptions + " " + planned);
        env.put("SPRING_CONFIG_ADDITIONAL_LOCATION", "optional:file:" + CONFIG_MOUNT);
        // Environment beats any application.yml baked into the image: the plan always applies.
        ApplicationYaml.plannedProperties(plan).forEach((property, value) -> env.put(ApplicationYaml.environmentVariable(property), value));
        List<EnvVar> vars = new ArrayList<>();
        env.forEach((k, v) -> vars.add(new EnvVar(k, v, null)));
        return vars;
    }

    private static Probe probe(String path, int port, int period, int failures) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString(port)).endHttpGet()
                .withPeriodSeconds(period).withFailureThreshold(failures).withTimeoutSeconds(2).build();
    }

    public static Service service(PercoreService s) {
        PercoreServiceSpec spec = s.getSpec();
        ServiceBuilder b = new ServiceBuilder().withMetadata(meta(s, s.getMetadata().getName()));
        List<io.fabric8.kubernetes.api.model.ServicePort> ports = new ArrayList<>();
        for (ServicePort p : spec.portsOrEmpty()) {
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
