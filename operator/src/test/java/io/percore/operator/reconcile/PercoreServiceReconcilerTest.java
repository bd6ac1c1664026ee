package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.percore.operator.ApiRequestRecord;
import io.percore.operator.OperatorSettings;
import io.percore.operator.PercoreOperator;
import io.percore.operator.TestResources;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Persistence;
import io.percore.operator.sizing.TestNodes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real JOSDK operator loop against Fabric8's CRUD mock API server. */
@EnableKubernetesMockClient(crud = true, https = false)
class PercoreServiceReconcilerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    KubernetesMockServer server;
    KubernetesClient client;
    private PercoreOperator operator;
    private ApiRequestRecord record;
    private KubernetesClient operatorClient;

    @BeforeAll
    static void newRecord() {
        ApiRequestRecord.reset(PercoreServiceReconcilerTest.class);
    }

    /**
     * The operator as the chart runs it: all namespaces, update/patch writes (Fabric8's mock has no
     * server-side apply), its own client, every request recorded.
     */
    @BeforeEach
    void startOperator() throws Exception {
        TestResources.installCrd(client);
        client.nodes().resource(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        client.nodes().resource(TestNodes.node("node-b").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        record = new ApiRequestRecord(true, "percore-system");
        operatorClient = record.client(client.getConfiguration());
        operator = PercoreOperator.start(new OperatorSettings(Set.of(), false, null, null, 0, false), operatorClient, new SchemaConfigCheck());
    }

    @AfterEach
    void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        operatorClient.close();
        record.saveAs(PercoreServiceReconcilerTest.class);
    }

    @Test
    void createBuildsEveryChildWithThePlannedResources() {
        PercoreService created = client.resource(TestResources.service("kv", 14)).create();

        PercoreService ready = awaitCondition("kv", "Planned", "True");
        assertThat(ready.getStatus().getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
        assertThat(ready.getStatus().getPlan().getReplicas()).isEqualTo(2);
        assertThat(ready.getStatus().getPlan().getShardsPerPod()).isEqualTo(7);
        assertThat(ready.getStatus().getPlan().getCpusPerPod()).isEqualTo(8);
        assertThat(ready.getStatus().getPlan().getMode()).isEqualTo("pinned");
        assertThat(ready.getStatus().getPlan().getReasons()).isNotEmpty();
        assertThat(ready.getFinalizers()).isNotEmpty();

        Deployment deployment = deployment("kv");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        Container c = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getImage()).isEqualTo("example.com/kv:1.0");
        assertThat(c.getResources().getRequests()).isEqualTo(c.getResources().getLimits());
        assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("8")).containsEntry("memory", new Quantity("3840Mi"));
        // 7 shards x 512Mi: 75 % heap (2688m), the rest direct memory (896m), 256Mi overhead left to the JVM.
        assertThat(env(c)).containsEntry("JAVA_TOOL_OPTIONS",
                        "-XX:ActiveProcessorCount=8 -Xmx2688m -XX:MaxDirectMemorySize=896m -XX:+ExitOnOutOfMemoryError")
                .containsEntry("PERCORE_ENGINE_SHARDS", "7").containsEntry("PERCORE_ENGINE_MODE", "pinned")
                .containsEntry("PERCORE_ENGINE_RESERVEDCPUS", "1");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(c.getStartupProbe().getHttpGet().getPort().getIntVal()).isEqualTo(8081);
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "8081");
        assertOwnedBy(deployment, created);

        ConfigMap cm = client.configMaps().inNamespace(NAMESPACE).withName("kv-config").get();
        assertOwnedBy(cm, created);
        assertThat(cm.getData().get("application.yml"))
                .contains("shards: 7").contains("reserved-cpus: 1").contains("mode: pinned").contains("task-quota: 500us");
        assertThat(new io.percore.config.schema.ConfigValidator().validateApplicationYaml(cm.getData().get("application.yml"))).isEmpty();

        Service svc = client.services().inNamespace(NAMESPACE).withName("kv").get();
        assertOwnedBy(svc, created);
        assertThat(svc.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("redis:6379", "management:8081");
        PodDisruptionBudget pdb = client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("kv").get();
        assertOwnedBy(pdb, created);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream().anyMatch(e -> "Planned".equals(e.getReason())));
    }

    /**
     * A pass that changes nothing writes nothing, and compares each child with the informers' copy (ChildCache): no
     * GET of the children it writes. (The workload is still read fresh where its rollout is reported: not counted.)
     */
    @Test
    void aSteadyPassWritesNothingAndReadsItsChildrenFromTheInformers() throws Exception {
        // Prometheus's operator installed, this service without a ServiceMonitor: nothing to delete in a steady pass either
        client.apiextensions().v1().customResourceDefinitions().resource(serviceMonitorCrd()).create();
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        Map<String, String> before = versions("kv");
        Thread.sleep(500);
        drainRequests();
        double reconciles = reconciliations();

        // A sizing-relevant node change re-plans everything; the plan comes out the same.
        client.nodes().withName("node-a").edit(n -> {
            n.getMetadata().getLabels().put("rack", "r1");
            return n;
        });
        await().atMost(WAIT).ignoreExceptions().until(() -> reconciliations() > reconciles);
        Thread.sleep(1000);

        assertThat(versions("kv")).isEqualTo(before);
        List<String> writes = new ArrayList<>();
        List<String> childReads = new ArrayList<>();
        List<String> crdReads = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (!"GET".equals(r.getMethod()) && !r.getPath().contains("/nodes/node-a")) {
                writes.add(r.getMethod() + " " + r.getPath());
            } else if (r.getHeader(ApiRequestRecord.MARKER_HEADER) != null && "GET".equals(r.getMethod())
                    && r.getPath().matches(".*/(configmaps|services|poddisruptionbudgets)/kv[^/?]*(\\?.*)?")) {
                childReads.add(r.getPath());
            } else if ("GET".equals(r.getMethod()) && r.getPath().contains("/customresourcedefinitions/servicemonitors")) {
                crdReads.add(r.getPath());
            }
        }
        assertThat(writes).as("no create/update/patch/delete when desired == actual").isEmpty();
        assertThat(childReads).as("the children the pass compared, read from the server").isEmpty();
        assertThat(crdReads).as("the ServiceMonitor CRD asked for again, the spec unchanged").isEmpty();
    }

    @Test
    void specChangeRollsThePodTemplateOnly() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        Map<String, String> before = versions("kv");

        mergePatch("kv", "{\"spec\":{\"memoryPerShard\":\"1Gi\"}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(deployment("kv").getSpec().getTemplate().getSpec().getContainers().get(0)
                .getResources().getLimits()).containsEntry("memory", new Quantity("7424Mi")));

        Map<String, String> after = versions("kv");
        assertThat(after.get("Deployment")).isNotEqualTo(before.get("Deployment"));
        assertThat(after.get("ConfigMap")).isEqualTo(before.get("ConfigMap"));
        assertThat(after.get("Service")).isEqualTo(before.get("Service"));
        assertThat(after.get("PodDisruptionBudget")).isEqualTo(before.get("PodDisruptionBudget"));
        Deployment d = deployment("kv");
        assertThat(d.getSpec().getSelector().getMatchLabels()).isEqualTo(Labels.selector(current("kv")));
        assertThat(d.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream().anyMatch(e -> "PlanChanged".equals(e.getReason())));
    }

    @Test
    void nodeChangesReplan() {
        client.nodes().withName("node-b").delete();
        client.nodes().withName("node-a").edit(n -> {
            n.getStatus().getAllocatable().put("cpu", new Quantity("4"));
            return n;
        });
        client.resource(TestResources.service("kv", 6)).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(current("kv").getStatus().getPlan().getReplicas()).isEqualTo(2);
            assertThat(deployment("kv").getSpec().getReplicas()).isEqualTo(2);
            assertThat(condition(current("kv"), "Degraded").getReason()).isEqualTo("InsufficientCapacity");
        });

        // A 16-CPU node appears: one 7-CPU pod now holds all 6 shards.
        client.nodes().resource(TestNodes.node("node-c").cpu("16").memory("64Gi").staticCpuManager().build()).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(deployment("kv").getSpec().getReplicas()).isEqualTo(1);
            assertThat(deployment("kv").getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                    .containsEntry("cpu", new Quantity("7"));
            assertThat(condition(current("kv"), "Degraded").getStatus()).isEqualTo("False");
        });

        // It goes away again: back to two small pods.
        client.nodes().withName("node-c").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(deployment("kv").getSpec().getReplicas()).isEqualTo(2));
    }

    @Test
    void invalidConfigSetsAConditionAndLeavesChildrenAlone() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        Map<String, String> before = versions("kv");

        mergePatch("kv", "{\"spec\":{\"memoryPerShard\":\"2Gi\",\"config\":{\"engine\":{\"task-quota\":\"fast\",\"shardz\":3}}}}");
        PercoreService invalid = awaitCondition("kv", "Planned", "False");
        var planned = condition(invalid, "Planned");
        assertThat(planned.getReason()).isEqualTo("InvalidConfig");
        assertThat(planned.getMessage()).contains("spec.config.engine.task-quota").contains("fast").contains("shardz");
        assertThat(condition(invalid, "Degraded").getStatus()).isEqualTo("True");
        assertThat(invalid.getStatus().getPlan().getReplicas()).as("previous plan kept").isEqualTo(2);
        assertThat(versions("kv")).isEqualTo(before);
        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream().anyMatch(e -> "InvalidConfig".equals(e.getReason()) && "Warning".equals(e.getType())));
    }

    @Test
    void noNodeLargeEnoughGivesAConditionInsteadOfPendingPods() {
        PercoreService s = TestResources.service("big", 40);
        s.getSpec().setShardsPerPod(20);
        client.resource(s).create();
        PercoreService status = awaitCondition("big", "Planned", "False");
        assertThat(condition(status, "Planned").getReason()).isEqualTo("Unschedulable");
        assertThat(condition(status, "Planned").getMessage()).contains("21 CPUs");
        assertThat(deployment("big")).isNull();
        assertThat(client.configMaps().inNamespace(NAMESPACE).withName("big-config").get()).isNull();
    }

    @Test
    void deleteRemovesEveryChild() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        assertThat(versions("kv")).hasSize(4);

        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(versions("kv")).isEmpty();
            assertThat(current("kv")).isNull();
        });
    }

    @Test
    void serviceMonitorFollowsSpecAndCrdPresence() {
        PercoreService s = TestResources.service("kv", 14);
        s.getSpec().setMonitoring(new io.percore.operator.crd.Monitoring());
        s.getSpec().getMonitoring().setServiceMonitor(true);
        s.getSpec().getMonitoring().setInterval("15s");
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(condition(current("kv"), "Degraded").getReason()).isEqualTo("ServiceMonitorUnavailable"));

        client.apiextensions().v1().customResourceDefinitions().resource(serviceMonitorCrd()).create();
        // The operator writes the status concurrently: edit as kubectl would, without a resourceVersion.
        mergePatch("kv", "{\"spec\":{\"monitoring\":{\"interval\":\"20s\"}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            var monitor = serviceMonitor("kv");
            assertThat(monitor).isNotNull();
            assertThat(monitor.getAdditionalProperties().get("spec").toString()).contains("management").contains("20s");
            assertThat(condition(current("kv"), "Degraded").getStatus()).isEqualTo("False");
        });

        mergePatch("kv", "{\"spec\":{\"monitoring\":{\"interval\":\"25s\"}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(serviceMonitor("kv").getAdditionalProperties().get("spec").toString()).contains("25s"));

        mergePatch("kv", "{\"spec\":{\"monitoring\":{\"serviceMonitor\":false}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(serviceMonitor("kv")).isNull());
    }

    private io.fabric8.kubernetes.api.model.GenericKubernetesResource serviceMonitor(String name) {
        return client.genericKubernetesResources("monitoring.coreos.com/v1", "ServiceMonitor").inNamespace(NAMESPACE).withName(name).get();
    }

    /** A user's edit: a JSON merge patch without resourceVersion (kubectl patch --type merge), never a 409. */
    private void mergePatch(String name, String json) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
    }

    /** What a user wrote, field by field, must be what is stored after the operator reconciled it. */
    @Test
    void theUsersSpecStaysAsWrittenAndOperatorWritesCarryNoSpec() throws Exception {
        String spec = "{\"image\":\"example.com/kv:1.0\",\"shards\":14,"
                + "\"ports\":[{\"name\":\"redis\",\"port\":6379},{\"name\":\"admin\",\"port\":7000}],"
                + "\"env\":{\"A\":\"1\",\"B\":\"two\"},"
                + "\"config\":{\"engine\":{\"task-quota\":\"500us\"}},"
                + "\"persistence\":{\"mode\":\"snapshot\",\"size\":\"1Gi\"},"
                + "\"placement\":{\"tolerations\":[{\"key\":\"dedicated\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]}}";
        drainRequests();
        client.genericKubernetesResources("percore.io/v1alpha1", "PercoreService").inNamespace(NAMESPACE)
                .resource(io.fabric8.kubernetes.client.utils.Serialization.unmarshal("{\"apiVersion\":\"percore.io/v1alpha1\",\"kind\":\"PercoreService\","
                        + "\"metadata\":{\"name\":\"kv\",\"namespace\":\"" + NAMESPACE + "\"},\"spec\":" + spec + "}",
                        io.fabric8.kubernetes.api.model.GenericKubernetesResource.class)).create();
        awaitCondition("kv", "Planned", "True");
        await().atMost(WAIT).ignoreExceptions().until(() -> !current("kv").getFinalizers().isEmpty());
        Thread.sleep(500);

        var stored = client.genericKubernetesResources("percore.io/v1alpha1", "PercoreService").inNamespace(NAMESPACE).withName("kv").get();
        var mapper = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper();
        com.fasterxml.jackson.databind.JsonNode storedSpec = mapper.valueToTree(stored.getAdditionalProperties().get("spec"));
        assertThat(storedSpec).isEqualTo(mapper.readTree(spec));
        assertThat(current("kv").getMetadata().getGeneration()).as("no spec write bumped the generation").isEqualTo(1L);
        List<String> bodies = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (r.getHeader(ApiRequestRecord.MARKER_HEADER) != null && !"GET".equals(r.getMethod())
                    && r.getPath().contains("/percoreservices/")) {
                bodies.add(r.getMethod() + " " + r.getPath() + " " + r.getUtf8Body());
            }
        }
        assertThat(bodies).as("finalizer and status writes").hasSizeGreaterThanOrEqualTo(2)
                .noneMatch(b -> b.contains("\"spec\"") || b.contains("/spec"));
    }

    /** Hand edits of what the operator owns are reverted; what others add is left alone. */
    @Test
    void driftOfAChildIsRevertedButOthersAnnotationsStay() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        client.services().inNamespace(NAMESPACE).withName("kv").edit(svc -> {
            svc.getSpec().getPorts().remove(0);
            return svc;
        });
        client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("kv").edit(pdb -> {
            pdb.getSpec().setMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(3));
            return pdb;
        });
        editDeployment("kv", d -> {
            d.getSpec().setReplicas(7);
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            c.getResources().getLimits().put("cpu", new Quantity("3"));
            c.getEnv().stream().filter(e -> e.getName().equals("PERCORE_ENGINE_SHARDS")).forEach(e -> e.setValue("99"));
            d.getMetadata().getLabels().put(Labels.MANAGED_BY, "someone-else");
            d.getMetadata().getAnnotations().put("other.example.com/touched", "yes");
            return d;
        });
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            Deployment d = deployment("kv");
            assertThat(d.getSpec().getReplicas()).isEqualTo(2);
            Container c = d.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(c.getResources().getLimits()).containsEntry("cpu", new Quantity("8"));
            assertThat(env(c)).containsEntry("PERCORE_ENGINE_SHARDS", "7");
            assertThat(d.getMetadata().getLabels()).containsEntry(Labels.MANAGED_BY, Labels.OPERATOR);
            assertThat(d.getMetadata().getAnnotations()).containsEntry("other.example.com/touched", "yes");
            assertThat(client.services().inNamespace(NAMESPACE).withName("kv").get().getSpec().getPorts())
                    .extracting(p -> p.getName()).containsExactly("redis", "management");
            assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("kv").get()
                    .getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        });
    }

    /** Read-modify-write with retry on conflict, as a controller or kubectl edit does. */
    private void editDeployment(String name, java.util.function.UnaryOperator<Deployment> change) {
        for (int attempt = 0; ; attempt++) {
            Deployment d = deployment(name);
            if (d.getMetadata().getAnnotations() == null) {
                d.getMetadata().setAnnotations(new LinkedHashMap<>());
            }
            try {
                client.resource(change.apply(d)).update();
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt > 5) {
                    throw e;
                }
            }
        }
    }

    /** Creates, updates, events, status: every write names the operator as its field manager. */
    @Test
    void everyWriteIsUnderTheOperatorsFieldManager() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        editDeployment("kv", d -> {
            d.getSpec().setReplicas(5);
            return d;
        });
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(deployment("kv").getSpec().getReplicas()).isEqualTo(2));
        List<java.net.URI> writes = record.writes();
        assertThat(writes).extracting(java.net.URI::getPath).anyMatch(p -> p.endsWith("/deployments"))
                .anyMatch(p -> p.endsWith("/deployments/kv")).anyMatch(p -> p.endsWith("/status"));
        assertThat(writes).allSatisfy(u -> assertThat(u.getRawQuery()).contains("fieldManager=" + ChildApplier.FIELD_MANAGER));
    }

    // --- persistence ---

    private static PercoreService persistent(String name, int shards, String size) {
        PercoreService s = TestResources.service(name, shards);
        s.getSpec().setPersistence(new Persistence(Persistence.SNAPSHOT, size));
        return s;
    }

    @Test
    void persistenceRendersAStatefulSetWhosePodsKeepTheirClaimsAcrossReplans() {
        PercoreService s = persistent("kv", 14, "10Gi");
        s.getSpec().getPersistence().setStorageClassName("fast");
        PercoreService created = client.resource(s).create();
        awaitCondition("kv", "Planned", "True");

        StatefulSet sts = statefulSet("kv");
        assertOwnedBy(sts, created);
        assertThat(deployment("kv")).as("no Deployment with persistence").isNull();
        assertThat(sts.getSpec().getReplicas()).isEqualTo(2);
        assertThat(sts.getSpec().getServiceName()).isEqualTo("kv");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Retain");
        assertThat(sts.getSpec().getPersistentVolumeClaimRetentionPolicy().getWhenScaled()).isEqualTo("Retain");
        assertThat(sts.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getMetadata().getName()).isEqualTo("data");
            assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
            assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("10Gi"));
            assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
        });
        Container c = sts.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(env(c)).containsEntry("PERCORE_DATA_DIR", "/data").containsEntry("PERCORE_PERSISTENCE", "snapshot")
                .containsEntry("PERCORE_ENGINE_SHARDS", "7");
        assertThat(c.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("data");
            assertThat(m.getMountPath()).isEqualTo("/data");
        });
        assertThat(sts.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(120L);
        assertThat(client.services().inNamespace(NAMESPACE).withName("kv").get()).isNotNull();
        assertThat(client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("kv").get()).isNotNull();

        // A re-plan rolls the pod template; the claim template (and so every pod's claim) stays.
        mergePatch("kv", "{\"spec\":{\"memoryPerShard\":\"1Gi\",\"persistence\":{\"mode\":\"aof\",\"terminationGracePeriodSeconds\":300}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            StatefulSet now = statefulSet("kv");
            Container app = now.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(app.getResources().getLimits()).containsEntry("memory", new Quantity("7424Mi"));
            assertThat(env(app)).containsEntry("PERCORE_PERSISTENCE", "aof");
            assertThat(now.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(300L);
            assertThat(now.getSpec().getVolumeClaimTemplates()).isEqualTo(sts.getSpec().getVolumeClaimTemplates());
        });
        assertThat(record.lines()).as("the operator never touches a volume claim").noneMatch(l -> l.contains("persistentvolumeclaims"));
    }

    @Test
    void switchingPersistenceOnReplacesTheDeploymentWithAStatefulSet() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        assertThat(deployment("kv")).isNotNull();

        mergePatch("kv", "{\"spec\":{\"persistence\":{\"mode\":\"snapshot\",\"size\":\"1Gi\"}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(statefulSet("kv")).isNotNull();
            assertThat(deployment("kv")).isNull();
        });
        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream().anyMatch(e -> "WorkloadReplaced".equals(e.getReason())));
    }

    /** Back to mode none would start empty pods in place of the data: refused until the user deletes the StatefulSet. */
    @Test
    void switchingPersistenceOffIsRefusedUntilTheStatefulSetIsDeletedByHand() {
        client.resource(persistent("kv", 14, "1Gi")).create();
        awaitCondition("kv", "Planned", "True");
        String before = statefulSet("kv").getMetadata().getResourceVersion();

        mergePatch("kv", "{\"spec\":{\"persistence\":{\"mode\":\"none\"},\"memoryPerShard\":\"1Gi\"}}");
        PercoreService refused = awaitCondition("kv", "Planned", "False");
        assertThat(condition(refused, "Planned").getReason()).isEqualTo(PersistenceGuard.REMOVAL_REFUSED);
        assertThat(condition(refused, "Planned").getMessage()).contains("data-kv-0, data-kv-1")
                .contains("kubectl -n " + NAMESPACE + " delete statefulset kv");
        assertThat(statefulSet("kv").getMetadata().getResourceVersion()).as("StatefulSet untouched").isEqualTo(before);
        assertThat(deployment("kv")).isNull();

        // The user's explicit step: the StatefulSet goes (its claims would stay), the Deployment takes over.
        client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(deployment("kv")).isNotNull();
            assertThat(condition(current("kv"), "Planned").getStatus()).isEqualTo("True");
        });
    }

    @Test
    void aScaleDownThatWouldOrphanDataIsRefusedAndAScaleUpIsApplied() {
        PercoreService s = persistent("kv", 6, "1Gi");
        s.getSpec().setReplicas(3);
        client.resource(s).create();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(statefulSet("kv").getSpec().getReplicas()).isEqualTo(3));

        mergePatch("kv", "{\"spec\":{\"replicas\":2}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() ->
                assertThat(condition(current("kv"), "Degraded").getReason()).isEqualTo(PersistenceGuard.SCALE_DOWN_REFUSED));
        PercoreService refused = current("kv");
        assertThat(condition(refused, "Degraded").getStatus()).isEqualTo("True");
        assertThat(condition(refused, "Degraded").getMessage())
                .contains("wants 2 replica(s) but StatefulSet kv runs 3").contains("data-kv-2")
                .contains("kubectl -n " + NAMESPACE + " scale statefulset kv --replicas=2").contains("spec.replicas: 3");
        assertThat(refused.getStatus().getPlan().getReplicas()).isEqualTo(3);
        assertThat(statefulSet("kv").getSpec().getReplicas()).as("the StatefulSet keeps its replicas").isEqualTo(3);
        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream()
                .anyMatch(e -> PersistenceGuard.SCALE_DOWN_REFUSED.equals(e.getReason()) && "Warning".equals(e.getType())));

        mergePatch("kv", "{\"spec\":{\"replicas\":4}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(statefulSet("kv").getSpec().getReplicas()).isEqualTo(4);
            assertThat(condition(current("kv"), "Degraded").getStatus()).isEqualTo("False");
        });
    }

    /**
     * Every child is watched: a hand edit or deletion is reverted at once, not at the 5-minute
     * resync. One child at a time, so no other child's event can trigger the reconcile that restores it.
     */
    @Test
    void everyChildIsWatchedSoDriftIsRevertedWithoutWaitingForTheResync() {
        client.resource(persistent("kv", 14, "1Gi")).create();
        awaitCondition("kv", "Planned", "True");
        String applicationYaml = client.configMaps().inNamespace(NAMESPACE).withName("kv-config").get().getData().get("application.yml");

        client.configMaps().inNamespace(NAMESPACE).withName("kv-config")
                .edit(cm -> new io.fabric8.kubernetes.api.model.ConfigMapBuilder(cm).addToData("application.yml", "percore: {}\n").build());
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(client.configMaps().inNamespace(NAMESPACE)
                .withName("kv-config").get().getData()).containsEntry("application.yml", applicationYaml));

        client.services().inNamespace(NAMESPACE).withName("kv").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(client.services().inNamespace(NAMESPACE)
                .withName("kv").get().getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("redis", "management"));

        client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName("kv").edit(pdb -> {
            pdb.getSpec().setMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(3));
            return pdb;
        });
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(client.policy().v1().podDisruptionBudget()
                .inNamespace(NAMESPACE).withName("kv").get().getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1));

        client.apps().statefulSets().inNamespace(NAMESPACE).withName("kv").edit(sts -> {
            sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()
                    .removeIf(e -> e.getName().equals(Persistence.DATA_DIR_ENV));
            return sts;
        });
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(env(statefulSet("kv").getSpec().getTemplate().getSpec()
                .getContainers().get(0))).containsEntry(Persistence.DATA_DIR_ENV, Persistence.DATA_DIR));
    }

    @Test
    void aPersistentServiceInSteadyStateWritesNothing() throws Exception {
        client.resource(persistent("kv", 14, "1Gi")).create();
        awaitCondition("kv", "Planned", "True");
        Map<String, String> before = versions("kv");
        Thread.sleep(500);
        drainRequests();
        double reconciles = reconciliations();

        client.nodes().withName("node-a").edit(n -> {
            n.getMetadata().getLabels().put("rack", "r1");
            return n;
        });
        await().atMost(WAIT).ignoreExceptions().until(() -> reconciliations() > reconciles);
        Thread.sleep(1000);

        assertThat(versions("kv")).isEqualTo(before);
        assertThat(operatorWrites()).as("no create/update/patch/delete when desired == actual").isEmpty();
    }

    @Test
    void deletingAPersistentServiceKeepsTheClaims() {
        client.resource(persistent("kv", 14, "1Gi")).create();
        awaitCondition("kv", "Planned", "True");
        // What the StatefulSet controller (absent from the mock) would have made for pod kv-0.
        client.persistentVolumeClaims().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder()
                .withNewMetadata().withName("data-kv-0").withNamespace(NAMESPACE).withLabels(Labels.selector(current("kv"))).endMetadata()
                .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage", new Quantity("1Gi"))
                .endResources().endSpec().build()).create();

        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName("kv").delete();
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> {
            assertThat(versions("kv")).isEmpty();
            assertThat(current("kv")).isNull();
        });
        assertThat(client.persistentVolumeClaims().inNamespace(NAMESPACE).withName("data-kv-0").get()).isNotNull();
    }

    /** Writes (any method but GET) the operator sent since the last drain. */
    private List<String> operatorWrites() throws InterruptedException {
        List<String> writes = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (r.getHeader(ApiRequestRecord.MARKER_HEADER) != null && !"GET".equals(r.getMethod())) {
                writes.add(r.getMethod() + " " + r.getPath());
            }
        }
        return writes;
    }

    static io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition serviceMonitorCrd() {
        return new io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("servicemonitors.monitoring.coreos.com").endMetadata()
                .withNewSpec().withGroup("monitoring.coreos.com").withScope("Namespaced")
                .withNewNames().withKind("ServiceMonitor").withPlural("servicemonitors").withSingular("servicemonitor").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSchema().withNewOpenAPIV3Schema().withType("object").withXKubernetesPreserveUnknownFields(true).endOpenAPIV3Schema().endSchema()
                .endVersion().endSpec().build();
    }

    /** spec.auth unset: the operator makes kv-auth once, the pods read it, a password changed by hand is kept, and it goes with the service. */
    @Test
    void thePasswordIsGeneratedOnceAndThePodsReadIt() {
        PercoreService created = client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        io.fabric8.kubernetes.api.model.Secret secret = client.secrets().inNamespace(NAMESPACE).withName("kv-auth").get();
        assertOwnedBy(secret, created);
        String password = new String(java.util.Base64.getDecoder().decode(secret.getData().get("password")), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(password).hasSize(32).matches("[A-Za-z0-9_-]+");
        Container c = deployment("kv").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("PERCORE_REQUIREPASS") || e.getName().equals("PERCORE_MASTERAUTH"))
                .hasSize(2).allSatisfy(e -> assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("kv-auth"));
        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream().anyMatch(e -> "PasswordGenerated".equals(e.getReason())));

        client.secrets().inNamespace(NAMESPACE).withName("kv-auth").edit(s -> {
            s.getData().put("password", java.util.Base64.getEncoder().encodeToString("chosen-by-hand".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            return s;
        });
        mergePatch("kv", "{\"spec\":{\"shards\":7}}");
        await().atMost(WAIT).until(() -> current("kv").getStatus().getObservedGeneration() == 2);
        assertThat(client.secrets().inNamespace(NAMESPACE).withName("kv-auth").get().getData().get("password"))
                .as("never rewritten").isEqualTo(java.util.Base64.getEncoder().encodeToString("chosen-by-hand".getBytes(java.nio.charset.StandardCharsets.UTF_8)));

        client.resource(current("kv")).delete();
        await().atMost(WAIT).until(() -> client.secrets().inNamespace(NAMESPACE).withName("kv-auth").get() == null);
    }

    /** A spec without ports gets the demo's RESP port on the container and the Service. */
    @Test
    void withoutPortsTheServiceCarriesTheRedisPort() {
        PercoreService s = TestResources.service("kv", 14);
        s.getSpec().setPorts(null);
        client.resource(s).create();
        awaitCondition("kv", "Planned", "True");
        assertThat(client.services().inNamespace(NAMESPACE).withName("kv").get().getSpec().getPorts())
                .extracting(p -> p.getName() + ":" + p.getPort()).containsExactly("redis:6380", "management:8081");
        assertThat(deployment("kv").getSpec().getTemplate().getSpec().getContainers().get(0).getPorts())
                .extracting(p -> p.getName() + ":" + p.getContainerPort()).containsExactly("redis:6380", "management:8081");
    }

    /**
     * What the pods on a node request is not free: a plan that needs the whole of both nodes is refused while other pods
     * hold a CPU on each, saying so, and planned as soon as they leave (a pod leaving a node re-plans at once).
     */
    @Test
    void otherPodsRequestsAreCountedAndTheirLeavingReplans() {
        for (String node : List.of("node-a", "node-b")) {
            client.pods().inNamespace("other").resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
                    .withName("hog-" + node).withNamespace("other").endMetadata().withNewSpec().withNodeName(node).addNewContainer()
                    .withName("c").withNewResources().withRequests(Map.of("cpu", new Quantity("1"))).endResources().endContainer()
                    .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
        }
        PercoreService s = TestResources.service("kv", 14);
        s.getSpec().setReplicas(2);
        s.getSpec().setShardsPerPod(7);
        client.resource(s).create();
        PercoreService refused = awaitCondition("kv", "Planned", "False");
        assertThat(condition(refused, "Planned").getReason()).isEqualTo("Unschedulable");
        assertThat(condition(refused, "Planned").getMessage()).contains("no node can host a pod of 8 CPUs",
                "node-a: 7 CPU and 32768Mi free of 8 and 32768Mi (other pods request 1, 0Mi)");
        assertThat(deployment("kv")).isNull();
        client.pods().inNamespace("other").withName("hog-node-a").delete();
        client.pods().inNamespace("other").withName("hog-node-b").delete();
        // well before the 30 s retry: the deletions themselves re-plan it
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> "True".equals(condition(current("kv"), "Planned").getStatus()));
        assertThat(deployment("kv").getSpec().getReplicas()).isEqualTo(2);
    }

    /** A pod of the service the scheduler cannot place is reported in its words, with an event, until it is placed. */
    @Test
    void aPodTheSchedulerCannotPlaceIsReportedInItsWords() {
        client.resource(TestResources.service("kv", 14)).create();
        awaitCondition("kv", "Planned", "True");
        var labels = new LinkedHashMap<>(deployment("kv").getSpec().getTemplate().getMetadata().getLabels());
        client.pods().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("kv-x")
                .withNamespace(NAMESPACE).withLabels(labels).endMetadata().withNewSpec().addNewContainer().withName("app").endContainer()
                .endSpec().build()).create();
        client.pods().inNamespace(NAMESPACE).withName("kv-x").editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Pending").addNewCondition().withType("PodScheduled")
                    .withStatus("False").withReason("Unschedulable").withMessage("0/2 nodes are available: 2 Insufficient cpu.").endCondition().build());
            return p;
        });
        PercoreService said = await().atMost(WAIT).ignoreExceptions().until(() -> current("kv"),
                s -> "PodUnschedulable".equals(condition(s, "Degraded").getReason()));
        assertThat(condition(said, "Degraded").getMessage()).startsWith("pod kv-x cannot be scheduled: 0/2 nodes are available: 2 Insufficient cpu.");
        assertThat(condition(said, "Ready").getReason()).isEqualTo("PodUnschedulable");
        await().atMost(WAIT).ignoreExceptions().until(() -> events().stream().anyMatch(e -> "PodUnschedulable".equals(e.getReason())
                && e.getMessage().contains("kv-x") && "Warning".equals(e.getType())));
        client.pods().inNamespace(NAMESPACE).withName("kv-x").editStatus(p -> {
            p.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").addNewCondition().withType("PodScheduled")
                    .withStatus("True").endCondition().build());
            return p;
        });
        await().atMost(WAIT).ignoreExceptions().until(() -> "AsExpected".equals(condition(current("kv"), "Degraded").getReason()));
    }

    // --- helpers ---

    private PercoreService awaitCondition(String name, String type, String status) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            PercoreService s = current(name);
            var c = s == null ? null : condition(s, type);
            return c != null && status.equals(c.getStatus());
        });
        return current(name);
    }

    private PercoreService current(String name) {
        return client.resources(PercoreService.class).inNamespace(NAMESPACE).withName(name).get();
    }

    static io.fabric8.kubernetes.api.model.Condition condition(PercoreService s, String type) {
        if (s.getStatus() == null) {
            return null;
        }
        return StatusConditions.find(s.getStatus().getConditions(), type);
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
    }

    private StatefulSet statefulSet(String name) {
        return client.apps().statefulSets().inNamespace(NAMESPACE).withName(name).get();
    }

    private List<Event> events() {
        return client.v1().events().inNamespace(NAMESPACE).list().getItems();
    }

    /** Kind → resourceVersion of every child that exists. */
    private Map<String, String> versions(String name) {
        Map<String, String> v = new LinkedHashMap<>();
        for (HasMetadata h : new HasMetadata[] {
                client.configMaps().inNamespace(NAMESPACE).withName(name + "-config").get(), deployment(name), statefulSet(name),
                client.services().inNamespace(NAMESPACE).withName(name).get(),
                client.policy().v1().podDisruptionBudget().inNamespace(NAMESPACE).withName(name).get()}) {
            if (h != null) {
                v.put(h.getKind(), h.getMetadata().getResourceVersion());
            }
        }
        return v;
    }

    private double reconciliations() {
        return operator.registry().find("operator.sdk.reconciliations.started").counters().stream()
                .mapToDouble(c -> c.count()).sum();
    }

    private void drainRequests() throws InterruptedException {
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // discard
        }
    }

    private static Map<String, String> env(Container c) {
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvVar e : c.getEnv()) {
            env.put(e.getName(), e.getValue());
        }
        return env;
    }

    private static void assertOwnedBy(HasMetadata child, PercoreService owner) {
        assertThat(child).isNotNull();
        assertThat(child.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> {
            assertThat(o.getUid()).isEqualTo(owner.getMetadata().getUid());
            assertThat(o.getKind()).isEqualTo("PercoreService");
            assertThat(o.getController()).isTrue();
        });
    }
}
