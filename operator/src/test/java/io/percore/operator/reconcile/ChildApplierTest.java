package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true, https = false)
class ChildApplierTest {

    KubernetesMockServer server;
    KubernetesClient client;
    private PercoreService owner;

    @BeforeEach
    void owner() {
        TestResources.installCrd(client);
        owner = client.resource(TestResources.service("kv", 4)).create();
    }

    private ConfigMap desired(String value) {
        return new ConfigMapBuilder().withMetadata(WorkloadRenderer.meta(owner, "kv-config")).addToData("k", value).build();
    }

    @Test
    void createsThenLeavesAloneThenUpdates() {
        ChildApplier applier = new ChildApplier(client, false);
        assertThat(applier.apply(desired("1"))).isEqualTo(ChildApplier.Outcome.CREATED);
        String rv = client.configMaps().inNamespace("test").withName("kv-config").get().getMetadata().getResourceVersion();
        assertThat(applier.apply(desired("1"))).isEqualTo(ChildApplier.Outcome.UNCHANGED);
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getMetadata().getResourceVersion()).isEqualTo(rv);
        assertThat(applier.apply(desired("2"))).isEqualTo(ChildApplier.Outcome.UPDATED);
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("k", "2");
    }

    @Test
    void aConflictIsRetriedWithAFreshRead() throws Exception {
        ChildApplier applier = new ChildApplier(client, false);
        applier.apply(desired("1"));
        server.expect().put().withPath("/api/v1/namespaces/test/configmaps/kv-config")
                .andReturn(409, new StatusBuilder().withCode(409).withReason("Conflict")
                        .withMessage("the object has been modified; please apply your changes to the latest version").build())
                .once();
        while (server.takeRequest(10, TimeUnit.MILLISECONDS) != null) {
            // drain
        }

        assertThat(applier.apply(desired("2"))).isEqualTo(ChildApplier.Outcome.UPDATED);

        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("k", "2");
        List<String> puts = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if ("PUT".equals(r.getMethod())) {
                puts.add(r.getPath());
            }
        }
        assertThat(puts).as("first PUT answered 409, second succeeded").hasSize(2);
    }

    /** What the server was asked since the last call, as "METHOD path". */
    private List<String> requestsSinceLastCall() throws InterruptedException {
        List<String> requests = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            requests.add(r.getMethod() + " " + r.getPath());
        }
        return requests;
    }

    private ChildCache holding(ConfigMap copy) {
        return desired -> copy != null && desired instanceof ConfigMap && desired.getMetadata().getName().equals(copy.getMetadata().getName())
                ? copy : null;
    }

    @Test
    void aChildTheCacheHoldsIsComparedWithoutAskingTheServer() throws Exception {
        new ChildApplier(client, false).apply(desired("1"));
        ConfigMap live = client.configMaps().inNamespace("test").withName("kv-config").get();
        requestsSinceLastCall();

        assertThat(new ChildApplier(client, false, holding(live)).apply(desired("1"))).isEqualTo(ChildApplier.Outcome.UNCHANGED);
        assertThat(requestsSinceLastCall()).as("unchanged, and the cache said so").isEmpty();

        assertThat(new ChildApplier(client, false, ChildCache.NONE).apply(desired("1"))).isEqualTo(ChildApplier.Outcome.UNCHANGED);
        assertThat(requestsSinceLastCall()).as("without a cache: one read").containsExactly("GET /api/v1/namespaces/test/configmaps/kv-config");
    }

    @Test
    void aStaleCachedCopyIsWrittenAgainAgainstTheServersOwn() throws Exception {
        new ChildApplier(client, false).apply(desired("1"));
        ConfigMap stale = client.configMaps().inNamespace("test").withName("kv-config").get();
        new ChildApplier(client, false).apply(desired("2")); // the server moves on; the cache has not heard yet

        assertThat(new ChildApplier(client, false, holding(stale)).apply(desired("3"))).isEqualTo(ChildApplier.Outcome.UPDATED);
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("k", "3");

        // a copy of one deleted since: the write finds it gone, the server's answer (none) makes it anew
        ConfigMap gone = client.configMaps().inNamespace("test").withName("kv-config").get();
        client.configMaps().inNamespace("test").withName("kv-config").delete();
        assertThat(new ChildApplier(client, false, holding(gone)).apply(desired("4"))).isEqualTo(ChildApplier.Outcome.CREATED);
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("k", "4");
    }

    @Test
    void aChildTheCacheLacksIsReadFromTheServerSoSomeoneElsesIsNeverTakenOver() {
        client.configMaps().inNamespace("test").resource(new ConfigMapBuilder().withNewMetadata().withName("kv-config")
                .withNamespace("test").endMetadata().addToData("mine", "yes").build()).create();
        assertThatThrownBy(() -> new ChildApplier(client, true, holding(null)).apply(desired("1")))
                .isInstanceOf(ChildApplier.ChildConflictException.class).hasMessageContaining("not owned");
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("mine", "yes");
    }

    @Test
    void refusesToTakeOverAnObjectItDoesNotOwn() {
        client.configMaps().inNamespace("test").resource(new ConfigMapBuilder().withNewMetadata().withName("kv-config")
                .withNamespace("test").endMetadata().addToData("mine", "yes").build()).create();
        assertThatThrownBy(() -> new ChildApplier(client, false).apply(desired("1")))
                .isInstanceOf(ChildApplier.ChildConflictException.class).hasMessageContaining("not owned");
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("mine", "yes");
    }

    // --- server-side apply (the jar's default) ---
    // Fabric8's mock answers an apply patch with 415: a stub answers it with the applied body, and the
    // test plays the server's part by storing what a real server would then hold.

    private static final String SERVICE_PATH = "/api/v1/namespaces/test/services/kv";
    private static final String APPLY_QUERY = "?fieldManager=" + ChildApplier.FIELD_MANAGER + "&force=true";

    private Service desiredService(int... ports) {
        io.fabric8.kubernetes.api.model.ServiceBuilder b = new io.fabric8.kubernetes.api.model.ServiceBuilder()
                .withMetadata(WorkloadRenderer.meta(owner, "kv")).withNewSpec().withType("ClusterIP").endSpec();
        for (int port : ports) {
            b.editSpec().addNewPort().withName("p" + port).withPort(port).withProtocol("TCP").endPort().endSpec();
        }
        return b.build();
    }

    /** Bodies of the operator client's writes, in order (the mock server consumes the bodies it reads). */
    private final List<String> sentBodies = java.util.Collections.synchronizedList(new ArrayList<>());

    /** The operator's own client (field manager on every write), as in production, keeping what it sends. */
    private KubernetesClient operatorClient() {
        return io.percore.operator.OperatorClient.create(client.getConfiguration(), b -> b.addOrReplaceInterceptor("bodies",
                new io.fabric8.kubernetes.client.http.Interceptor() {
                    @Override
                    public void before(io.fabric8.kubernetes.client.http.BasicBuilder builder,
                                       io.fabric8.kubernetes.client.http.HttpRequest request, RequestTags tags) {
                        if (!"GET".equals(request.method())) {
                            sentBodies.add(request.bodyString());
                        }
                    }
                }));
    }

    private String lastBody(int fromEnd) {
        return sentBodies.get(sentBodies.size() - 1 - fromEnd);
    }

    /** Stores {@code state} as the server would hold it after this manager's apply. */
    private void serverHolds(Service state, io.fabric8.kubernetes.api.model.ManagedFieldsEntry... managedFields) {
        Service held = new io.fabric8.kubernetes.api.model.ServiceBuilder(state).editMetadata()
                .withManagedFields(List.of(managedFields)).endMetadata().build();
        client.services().inNamespace("test").withName("kv").delete();
        client.services().inNamespace("test").resource(held).create();
    }

    private static io.fabric8.kubernetes.api.model.ManagedFieldsEntry entry(String operation, String fieldsJson) {
        io.fabric8.kubernetes.api.model.FieldsV1 fields = new io.fabric8.kubernetes.api.model.FieldsV1();
        io.fabric8.kubernetes.client.utils.Serialization.unmarshal(fieldsJson, java.util.Map.class)
                .forEach((k, v) -> fields.setAdditionalProperty(String.valueOf(k), v));
        return new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder().withManager(ChildApplier.FIELD_MANAGER)
                .withOperation(operation).withApiVersion("v1").withFieldsType("FieldsV1").withFieldsV1(fields).build();
    }

    private List<RecordedRequest> writesSinceLastCall() throws InterruptedException {
        List<RecordedRequest> writes = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
            if (!"GET".equals(r.getMethod())) {
                writes.add(r);
            }
        }
        return writes;
    }

    private static void assertForcedApply(RecordedRequest r) {
        assertThat(r.getMethod()).isEqualTo("PATCH");
        assertThat(r.getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
        assertThat(r.getPath()).isEqualTo(SERVICE_PATH + APPLY_QUERY);
    }

    /**
     * Defect found on a real server: children were created by POST (manager entry
     * percore-operator/Update) and then applied (percore-operator/Apply), so a port removed from the
     * spec stayed, owned by the Update entry, and every reconcile applied again. Now the first write
     * is an apply, a later apply simply omits the removed port (the server drops what only this Apply
     * entry owned), and a child that matches is not written.
     */
    @Test
    void serverSideApplyCreatesWithAnApplyAndOmitsWhatTheSpecNoLongerHas() throws Exception {
        server.expect().patch().withPath(SERVICE_PATH + APPLY_QUERY).andReply(200, r -> r.getUtf8Body()).always();
        try (KubernetesClient operator = operatorClient()) {
            ChildApplier applier = new ChildApplier(operator, true);
            writesSinceLastCall();

            assertThat(applier.apply(desiredService(6379, 7000))).isEqualTo(ChildApplier.Outcome.CREATED);
            assertThat(writesSinceLastCall()).as("created by the apply, never by POST").singleElement()
                    .satisfies(ChildApplierTest::assertForcedApply);

            serverHolds(desiredService(6379, 7000), entry("Apply", "{\"f:spec\":{\"f:ports\":{}}}"));
            writesSinceLastCall();
            assertThat(applier.apply(desiredService(6379, 7000))).isEqualTo(ChildApplier.Outcome.UNCHANGED);
            assertThat(writesSinceLastCall()).as("steady state: no write").isEmpty();

            assertThat(applier.apply(desiredService(6379))).isEqualTo(ChildApplier.Outcome.UPDATED);
            assertThat(writesSinceLastCall()).singleElement().satisfies(r -> {
                assertForcedApply(r);
                assertThat(lastBody(0)).contains("6379").doesNotContain("7000");
            });

            serverHolds(desiredService(6379), entry("Apply", "{\"f:spec\":{\"f:ports\":{}}}"));
            writesSinceLastCall();
            assertThat(applier.apply(desiredService(6379))).isEqualTo(ChildApplier.Outcome.UNCHANGED);
            assertThat(writesSinceLastCall()).isEmpty();
        }
    }

    /**
     * A child an older operator created by POST: before the next apply, its Update entry's fields
     * move to the Apply entry (guarded by the resourceVersion read), so that apply removes the port.
     */
    @Test
    void aChildCreatedByPostIsMovedToTheApplyEntryBeforeTheNextApply() throws Exception {
        serverHolds(desiredService(6379, 7000),
                entry("Update", "{\"f:spec\":{\"f:ports\":{\"k:{\\\"port\\\":7000,\\\"protocol\\\":\\\"TCP\\\"}\":{}}}}"),
                entry("Apply", "{\"f:spec\":{\"f:type\":{}}}"));
        String resourceVersion = client.services().inNamespace("test").withName("kv").get().getMetadata().getResourceVersion();
        server.expect().patch().withPath(SERVICE_PATH + APPLY_QUERY).andReply(200, r -> r.getUtf8Body()).always();
        try (KubernetesClient operator = operatorClient()) {
            writesSinceLastCall();
            assertThat(new ChildApplier(operator, true).apply(desiredService(6379))).isEqualTo(ChildApplier.Outcome.UPDATED);

            List<RecordedRequest> writes = writesSinceLastCall();
            assertThat(writes).hasSize(2);
            RecordedRequest upgrade = writes.get(0);
            assertThat(upgrade.getMethod()).isEqualTo("PATCH");
            assertThat(upgrade.getHeader("Content-Type")).startsWith("application/merge-patch+json");
            var body = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().readTree(lastBody(1)).path("metadata");
            assertThat(body.path("resourceVersion").asText()).isEqualTo(resourceVersion);
            assertThat(body.path("managedFields")).singleElement().satisfies(e -> {
                assertThat(e.path("operation").asText()).isEqualTo("Apply");
                assertThat(e.path("fieldsV1").toString()).contains("f:type").contains("7000");
            });
            assertForcedApply(writes.get(1));
            assertThat(lastBody(0)).contains("6379").doesNotContain("7000");
        }
        // (What the mock then stores is no evidence: it merges the managedFields list, which a JSON
        // merge patch replaces whole on a real API server.)
    }

    /** A cached copy without its managedFields cannot say whether an Update entry is to move: the server's is read. */
    @Test
    void withServerSideApplyACachedCopyWithoutItsManagedFieldsIsReadAgain() throws Exception {
        serverHolds(desiredService(6379, 7000),
                entry("Update", "{\"f:spec\":{\"f:ports\":{\"k:{\\\"port\\\":7000,\\\"protocol\\\":\\\"TCP\\\"}\":{}}}}"),
                entry("Apply", "{\"f:spec\":{\"f:type\":{}}}"));
        Service copy = client.services().inNamespace("test").withName("kv").get();
        copy.getMetadata().setManagedFields(null);
        server.expect().patch().withPath(SERVICE_PATH + APPLY_QUERY).andReply(200, r -> r.getUtf8Body()).always();
        try (KubernetesClient operator = operatorClient()) {
            writesSinceLastCall();
            assertThat(new ChildApplier(operator, true, desired -> desired instanceof Service ? copy : null).apply(desiredService(6379)))
                    .isEqualTo(ChildApplier.Outcome.UPDATED);
            List<RecordedRequest> writes = writesSinceLastCall();
            assertThat(writes).as("the Update entry moved first, as from a read of the server").hasSize(2);
            assertThat(writes.get(0).getHeader("Content-Type")).startsWith("application/merge-patch+json");
            assertForcedApply(writes.get(1));
        }
    }

    private io.fabric8.kubernetes.api.model.apps.StatefulSet statefulSet(String strategy, Integer partition) {
        var b = new io.fabric8.kubernetes.api.model.apps.StatefulSetBuilder().withMetadata(WorkloadRenderer.meta(owner, "kv"))
                .withNewSpec().withReplicas(2).withNewUpdateStrategy().withType(strategy).endUpdateStrategy().endSpec();
        if (partition != null) {
            b.editSpec().editUpdateStrategy().withNewRollingUpdate().withPartition(partition).endRollingUpdate().endUpdateStrategy().endSpec();
        }
        return b.build();
    }

    /**
     * Replicas added to a cluster switch its StatefulSet to OnDelete. A real server defaulted
     * rollingUpdate.partition, owned by no manager: an apply of OnDelete would keep it and be refused
     * (kubernetes/kubernetes#100151). In apply mode it is removed by a merge patch first; in update mode
     * the replace carries the whole spec.
     */
    @Test
    void aStatefulSetSwitchedToOnDeleteLosesTheServersDefaultedRollingUpdate() throws Exception {
        String path = "/apis/apps/v1/namespaces/test/statefulsets/kv";
        client.apps().statefulSets().inNamespace("test").resource(statefulSet("RollingUpdate", 0)).create();
        server.expect().patch().withPath(path + APPLY_QUERY).andReply(200, r -> r.getUtf8Body()).always();
        try (KubernetesClient operator = operatorClient()) {
            writesSinceLastCall();
            assertThat(new ChildApplier(operator, true).apply(statefulSet("OnDelete", null))).isEqualTo(ChildApplier.Outcome.UPDATED);
            List<RecordedRequest> writes = writesSinceLastCall();
            assertThat(writes).hasSize(2);
            assertThat(writes.get(0).getHeader("Content-Type")).startsWith("application/merge-patch+json");
            var strategy = io.fabric8.kubernetes.client.utils.Serialization.jsonMapper().readTree(lastBody(1)).path("spec").path("updateStrategy");
            assertThat(strategy.path("type").asText()).isEqualTo("OnDelete");
            assertThat(strategy.has("rollingUpdate") && strategy.get("rollingUpdate").isNull()).as(strategy.toString()).isTrue();
            assertThat(writes.get(1).getHeader("Content-Type")).startsWith("application/apply-patch+yaml");
            assertThat(lastBody(0)).doesNotContain("rollingUpdate");
        }
        client.apps().statefulSets().inNamespace("test").withName("kv").delete();
        client.apps().statefulSets().inNamespace("test").resource(statefulSet("RollingUpdate", 0)).create();
        assertThat(new ChildApplier(client, false).apply(statefulSet("OnDelete", null))).isEqualTo(ChildApplier.Outcome.UPDATED);
        var live = client.apps().statefulSets().inNamespace("test").withName("kv").get().getSpec().getUpdateStrategy();
        assertThat(live.getType()).isEqualTo("OnDelete");
        assertThat(live.getRollingUpdate()).isNull();
    }

    @Test
    void deleteLeavesAnObjectItDoesNotOwn() {
        client.configMaps().inNamespace("test").resource(new ConfigMapBuilder().withNewMetadata().withName("kv-config")
                .withNamespace("test").endMetadata().addToData("mine", "yes").build()).create();
        ConfigMap named = new ConfigMapBuilder().withNewMetadata().withName("kv-config").withNamespace("test").endMetadata().build();
        assertThat(new ChildApplier(client, false).deleteOwned(named, owner.getMetadata().getUid())).isFalse();
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get()).isNotNull();

        client.configMaps().inNamespace("test").withName("kv-config").delete();
        new ChildApplier(client, false).apply(desired("1"));
        assertThat(new ChildApplier(client, false).deleteOwned(named, owner.getMetadata().getUid())).isTrue();
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get()).isNull();
    }
}
