package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
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

@EnableKubernetesMockClient(crud = true)
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

    @Test
    void refusesToTakeOverAnObjectItDoesNotOwn() {
        client.configMaps().inNamespace("test").resource(new ConfigMapBuilder().withNewMetadata().withName("kv-config")
                .withNamespace("test").endMetadata().addToData("mine", "yes").build()).create();
        assertThatThrownBy(() -> new ChildApplier(client, false).apply(desired("1")))
                .isInstanceOf(ChildApplier.ChildConflictException.class).hasMessageContaining("not owned");
        assertThat(client.configMaps().inNamespace("test").withName("kv-config").get().getData()).containsEntry("mine", "yes");
    }
}
