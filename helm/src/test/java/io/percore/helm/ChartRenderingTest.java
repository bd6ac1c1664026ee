package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ChartRenderingTest {

    private static final String FULLNAME = ChartUnderTest.FULLNAME;
    private static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

    @TempDir
    Path dir;

    static java.util.stream.Stream<String> variants() {
        return ChartUnderTest.variants();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyManifestIsAKnownKindWithNoUnknownFields(String variant) {
        RenderedManifests manifests = ChartUnderTest.renderVariant(variant);
        assertThat(manifests.documents()).isNotEmpty();

        for (ObjectNode doc : manifests.documents()) {
            if (StrictKubernetesModel.isBuiltIn(doc)) {
                StrictKubernetesModel.toTyped(doc); // throws with the path of any unknown or coerced field
            } else {
                GenericKubernetesResource custom = StrictKubernetesModel.toGeneric(doc);
                assertThat(custom.getApiVersion() + " " + custom.getKind())
                        .isIn("monitoring.coreos.com/v1 ServiceMonitor", "monitoring.coreos.com/v1 PrometheusRule", "percore.io/v1alpha1 PercoreService");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void namesAndLabelsAreValidKubernetesIdentifiers(String variant) {
        for (ObjectNode doc : ChartUnderTest.renderVariant(variant).documents()) {
            String name = doc.at("/metadata/name").asText();
            assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_SUBDOMAIN);
            doc.at("/metadata/labels").fields().forEachRemaining(label ->
                    assertThat(label.getValue().asText()).as("label %s on %s", label.getKey(), name)
                            .hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE));
        }
    }

    @Test
    void defaultsRenderTheOperatorWithClusterWideRbacAndNoOptionalExtras() {
        assertThat(ChartUnderTest.renderDefaults().summary()).containsExactlyInAnyOrder(
                "ServiceAccount/percore-system/" + FULLNAME,
                "ClusterRole/-/" + FULLNAME + "-cluster-read",
                "ClusterRoleBinding/-/" + FULLNAME + "-cluster-read",
                "ClusterRole/-/" + FULLNAME,
                "ClusterRoleBinding/-/" + FULLNAME,
                "Role/percore-system/" + FULLNAME + "-leader-election",
                "RoleBinding/percore-system/" + FULLNAME + "-leader-election",
                "Service/percore-system/" + FULLNAME + "-metrics",
                "Deployment/percore-system/" + FULLNAME,
                "PodDisruptionBudget/percore-system/" + FULLNAME);
    }

    @Test
    void deploymentFollowsTheOperatorContract() {
        Deployment deployment = deployment(ChartUnderTest.renderDefaults());
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container operator = pod.getContainers().get(0);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(operator.getImage()).isEqualTo("percore/percore-operator:" + ChartUnderTest.appVersion());
        assertThat(operator.getImagePullPolicy()).isEqualTo("IfNotPresent");
        assertThat(pod.getServiceAccountName()).isEqualTo(FULLNAME);

        Map<String, EnvVar> env = env(operator);
        assertThat(env.get("PERCORE_WATCH_NAMESPACES").getValue()).isEmpty();
        assertThat(env.get("PERCORE_LEADER_ELECTION").getValue()).isEqualTo("true");
        assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");
        assertThat(env.get("JAVA_TOOL_OPTIONS").getValue()).isEqualTo("-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError");

        assertThat(operator.getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getName()).isEqualTo("http");
            assertThat(p.getContainerPort()).isEqualTo(8080);
        });
        assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz/live");
        assertThat(operator.getLivenessProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
        assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/healthz/ready");
        assertThat(operator.getStartupProbe().getHttpGet().getPath()).isEqualTo("/healthz/live");

        assertThat(operator.getResources().getRequests()).containsKeys("cpu", "memory");
        assertThat(operator.getResources().getLimits()).containsKey("memory");

        // Read-only root filesystem: /tmp must be a writable emptyDir.
        assertThat(operator.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/tmp");
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getEmptyDir()).isNotNull();
            });
        });

        // Replicas prefer different nodes unless the admin brings their own affinity.
        assertThat(pod.getAffinity().getPodAntiAffinity().getPreferredDuringSchedulingIgnoredDuringExecution())
                .singleElement()
                .satisfies(t -> assertThat(t.getPodAffinityTerm().getTopologyKey()).isEqualTo("kubernetes.io/hostname"));
    }

    @Test
    void allFeaturesValuesReachTheDeployment() {
        Deployment deployment = deployment(ChartUnderTest.renderWith("all-features.yaml"));
        var pod = deployment.getSpec().getTemplate().getSpec();
        Container operator = pod.getContainers().get(0);

        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(operator.getImage()).isEqualTo("registry.example.com/percore/percore-operator:0.1.0");
        assertThat(operator.getImagePullPolicy()).isEqualTo("Always");
        assertThat(pod.getImagePullSecrets()).singleElement().satisfies(s -> assertThat(s.getName()).isEqualTo("regcred"));
        assertThat(pod.getServiceAccountName()).isEqualTo("percore-operator-sa");
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
        assertThat(pod.getNodeSelector()).containsEntry("kubernetes.io/os", "linux");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(pod.getAffinity().getNodeAffinity()).isNotNull();
        assertThat(pod.getAffinity().getPodAntiAffinity()).isNull();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "platform");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("example.com/owner", "platform");
        assertThat(operator.getResources().getLimits()).containsEntry("cpu", new Quantity("2"));

        Map<String, EnvVar> env = env(operator);
        // The chart keeps -XX:+ExitOnOutOfMemoryError when jvmOptions is overridden.
        assertThat(env.get("JAVA_TOOL_OPTIONS").getValue()).isEqualTo("-XX:MaxRAMPercentage=60 -XX:+ExitOnOutOfMemoryError");
        assertThat(env.get("LOG_LEVEL").getValue()).isEqualTo("debug");
        assertThat(env.get("NODE_NAME").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");

        PodDisruptionBudget pdb = ChartUnderTest.renderWith("all-features.yaml").typed(PodDisruptionBudget.class).get(0);
        assertThat(pdb.getSpec().getMinAvailable()).isEqualTo(new IntOrString(2));
        assertThat(pdb.getSpec().getSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
    }

    @Test
    void namespacedModePassesTheNamespacesToTheOperator() {
        Container operator = deployment(ChartUnderTest.renderWith("namespaced.yaml"))
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(operator).get("PERCORE_WATCH_NAMESPACES").getValue()).isEqualTo("team-a,team-b");
    }

    @Test
    void aDigestWinsOverTheTag() {
        String digest = "sha256:" + "ab".repeat(32);
        Container operator = deployment(ChartUnderTest.renderWithYaml(dir,
                "image: {tag: '9.9.9', digest: '" + digest + "'}"))
                .getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(operator.getImage()).isEqualTo("percore/percore-operator@" + digest);
    }

    @Test
    void aSingleReplicaGetsNoDisruptionBudget() {
        assertThat(ChartUnderTest.renderWithYaml(dir, "replicaCount: 1").ofKind("PodDisruptionBudget")).isEmpty();
    }

    @Test
    void anExistingServiceAccountIsUsedAndNotCreated() {
        RenderedManifests manifests = ChartUnderTest.renderWithYaml(dir, "serviceAccount: {create: false, name: ops-sa}");
        assertThat(manifests.ofKind("ServiceAccount")).isEmpty();
        assertThat(deployment(manifests).getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("ops-sa");
        assertThat(manifests.ofKind("ClusterRoleBinding"))
                .allSatisfy(b -> assertThat(b.at("/subjects/0/name").asText()).isEqualTo("ops-sa"));
    }

    @Test
    void theMetricsServiceSelectsTheOperatorPodsAndTheServiceMonitorScrapesIt() {
        RenderedManifests manifests = ChartUnderTest.renderWith("all-features.yaml");
        Deployment deployment = deployment(manifests);
        Service service = manifests.typed(Service.class).get(0);
        JsonNode monitor = manifests.single("ServiceMonitor", FULLNAME);

        assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
                .containsAllEntriesOf(service.getSpec().getSelector());
        assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(9090);
            assertThat(p.getTargetPort()).isEqualTo(new IntOrString("http"));
        });
        assertThat(monitor.at("/spec/endpoints/0/port").asText()).isEqualTo(service.getSpec().getPorts().get(0).getName());
        assertThat(monitor.at("/spec/endpoints/0/path").asText()).isEqualTo("/metrics");
        assertThat(monitor.at("/spec/endpoints/0/interval").asText()).isEqualTo("15s");
        assertThat(monitor.at("/spec/namespaceSelector/matchNames/0").asText()).isEqualTo(ChartUnderTest.RELEASE_NAMESPACE);
        assertThat(monitor.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        monitor.at("/spec/selector/matchLabels").fields().forEachRemaining(l ->
                assertThat(service.getMetadata().getLabels()).containsEntry(l.getKey(), l.getValue().asText()));
    }

    @Test
    void optionalExtrasAppearOnlyWhenEnabled() {
        Set<String> kindsByDefault = kinds(ChartUnderTest.renderDefaults());
        Set<String> kindsWithEverything = kinds(ChartUnderTest.renderWith("all-features.yaml"));
        assertThat(kindsByDefault).doesNotContain("ServiceMonitor", "PrometheusRule", "ConfigMap", "PercoreService");
        assertThat(kindsWithEverything).contains("ServiceMonitor", "PrometheusRule", "ConfigMap", "PercoreService");
        assertThat(ChartUnderTest.renderWithYaml(dir, "metrics: {service: {enabled: false}}").ofKind("Service")).isEmpty();
    }

    /** "No backup for a day" is one rule on the operator's own metric, with the bound from the values. */
    @Test
    void thePrometheusRuleAlertsWhenAServiceHadNoBackupForTheBound() {
        JsonNode rule = ChartUnderTest.renderWith("all-features.yaml").single("PrometheusRule", FULLNAME);
        assertThat(rule.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
        JsonNode alert = rule.at("/spec/groups/0/rules/0");
        assertThat(alert.path("alert").asText()).isEqualTo("PercoreNoRecentBackup");
        assertThat(alert.path("expr").asText()).isEqualTo("time() - percore_backup_last_success_timestamp_seconds > 43200");
        assertThat(alert.at("/annotations/summary").asText()).contains("{{ $labels.namespace }}/{{ $labels.name }}");
        assertThat(rule.at("/spec/groups/0/rules/1/expr").asText()).isEqualTo("increase(percore_backup_failures_total[1h]) > 0");
    }

    /**
     * Every alert the chart ships has its runbook: a section of docs/operations/alerts.md named after it (the id MkDocs
     * gives its heading), in the annotation runbook always and in runbook_url under the site's published address.
     */
    @Test
    void everyAlertNamesItsRunbookWhichTheOperationsPageHas() throws Exception {
        String page = Files.readString(Path.of("../docs/operations/alerts.md"));
        List<JsonNode> alerts = new ArrayList<>();
        ChartUnderTest.renderWith("all-features.yaml").single("PrometheusRule", FULLNAME).at("/spec/groups")
                .forEach(group -> group.path("rules").forEach(alerts::add));
        assertThat(alerts).isNotEmpty().allSatisfy(alert -> {
            String name = alert.path("alert").asText();
            String anchor = name.toLowerCase(Locale.ROOT);
            assertThat(page).as("docs/operations/alerts.md's section for %s", name).contains("\n## " + name + "\n");
            assertThat(alert.at("/annotations/runbook").asText()).isEqualTo("docs/operations/alerts.md#" + anchor);
            assertThat(alert.at("/annotations/runbook_url").asText())
                    .isEqualTo("https://docs.example.com/percore/operations/alerts.html#" + anchor);
        });
        JsonNode byDefault = ChartUnderTest.renderWithYaml(dir, "metrics: {prometheusRule: {enabled: true}}").single("PrometheusRule", FULLNAME);
        assertThat(byDefault.at("/spec/groups/0/rules/0/annotations/runbook").asText()).isNotBlank();
        assertThat(byDefault.at("/spec/groups/0/rules/0/annotations").has("runbook_url")).as("no site address, no runbook_url").isFalse();
    }

    @Test
    void theOperatorTellsItsJobsAndInitContainersItsOwnImage() {
        var env = deployment(ChartUnderTest.renderDefaults()).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv();
        String image = deployment(ChartUnderTest.renderDefaults()).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        assertThat(env).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("PERCORE_OPERATOR_IMAGE");
            assertThat(e.getValue()).isEqualTo(image);
        });
    }

    @Test
    void theExamplePercoreServiceUsesTheContractNames() {
        JsonNode example = ChartUnderTest.renderWith("all-features.yaml").single("PercoreService", "percore-example");
        assertThat(example.at("/apiVersion").asText()).isEqualTo("percore.io/v1alpha1");
        assertThat(example.at("/metadata/namespace").asText()).isEqualTo(ChartUnderTest.RELEASE_NAMESPACE);
        assertThat(example.at("/spec/image").asText()).isNotBlank();
    }

    private static Deployment deployment(RenderedManifests manifests) {
        List<Deployment> deployments = manifests.typed(Deployment.class);
        assertThat(deployments).hasSize(1);
        return deployments.get(0);
    }

    private static Map<String, EnvVar> env(Container container) {
        return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    private static Set<String> kinds(RenderedManifests manifests) {
        return manifests.documents().stream().map(d -> d.path("kind").asText()).collect(Collectors.toSet());
    }

}
