package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.percore.operator.TestResources;
import io.percore.operator.crd.ClusterStatus;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.PercoreServiceStatus;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Without server-side apply the operator writes its status whole ({@code add /status}), not as the
 * difference from the informer's copy: when that copy is not what the server holds, a difference
 * fails on a field the server lacks, as it did in ClusterScalingTest, retry after retry.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class WholeStatusWriteTest {

    KubernetesClient client;
    private PercoreService onServer;

    @BeforeEach
    void service() {
        TestResources.installCrd(client);
        onServer = client.resource(TestResources.service("kv", 4)).create();
    }

    private static PercoreServiceStatus status(String... kv0Replicas) {
        ClusterStatus.PodSlots kv0 = new ClusterStatus.PodSlots();
        kv0.setPod("kv-0");
        kv0.setNodeId("a".repeat(40));
        kv0.setReplicas(kv0Replicas.length == 0 ? null : List.of(kv0Replicas));
        ClusterStatus cluster = new ClusterStatus();
        cluster.setPods(List.of(kv0));
        PercoreServiceStatus s = new PercoreServiceStatus();
        s.setCluster(cluster);
        return s;
    }

    private PercoreService copyWith(PercoreServiceStatus status) {
        PercoreService copy = client.getKubernetesSerialization().clone(onServer);
        copy.setStatus(status);
        return copy;
    }

    @Test
    void theStatusIsWrittenWholeWhateverTheInformersCopySays() {
        PercoreServiceReconciler.writeWholeStatus(client, onServer, status());   // the server: kv-0 without replicas
        PercoreService stale = copyWith(status("kv-1"));                            // the informer's copy: with kv-1
        PercoreServiceStatus next = status("kv-2");

        // what the SDK's non-SSA status patch does: the difference from the stale copy. The mock fails applying it
        // ("[REPLACE Operation] Missing field" in its log) and leaves the request unanswered: the client's timeout,
        // retried for two minutes by default, once and after 2 s here
        try (KubernetesClient once = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder(client.getConfiguration()).withRequestRetryBackoffLimit(0).withRequestTimeout(2_000).build())
                .build()) {
            assertThatThrownBy(() -> once.resource(once.getKubernetesSerialization().clone(stale)).editStatus(r -> {
                r.setStatus(next);
                return r;
            })).isInstanceOf(KubernetesClientException.class);
        }

        PercoreServiceReconciler.writeWholeStatus(client, stale, next);
        PercoreService now = client.resources(PercoreService.class).inNamespace("test").withName("kv").get();
        assertThat(now.getStatus().getCluster().getPods()).singleElement()
                .satisfies(p -> assertThat(p.getReplicas()).containsExactly("kv-2"));
        assertThat(client.getKubernetesSerialization().asJson(now.getSpec())).isEqualTo(client.getKubernetesSerialization().asJson(onServer.getSpec()));
    }

    @Test
    void aFailedReconcilesStatusIsWrittenWholeToo() {
        PercoreServiceReconciler.writeWholeStatus(client, onServer, status());
        PercoreService stale = copyWith(status("kv-1"));
        @SuppressWarnings("unchecked")
        io.javaoperatorsdk.operator.api.reconciler.Context<PercoreService> context =
                (io.javaoperatorsdk.operator.api.reconciler.Context<PercoreService>) java.lang.reflect.Proxy.newProxyInstance(
                        getClass().getClassLoader(), new Class<?>[] {io.javaoperatorsdk.operator.api.reconciler.Context.class},
                        (proxy, method, args) -> "getClient".equals(method.getName()) ? client : null);
        var control = new PercoreServiceReconciler(null, false).updateErrorStatus(stale, context, new IllegalStateException("boom"));
        assertThat(control.getResource()).isEmpty();
        PercoreService now = client.resources(PercoreService.class).inNamespace("test").withName("kv").get();
        assertThat(now.getStatus().getConditions()).anySatisfy(c -> {
            assertThat(c.getType()).isEqualTo(StatusConditions.DEGRADED);
            assertThat(c.getReason()).isEqualTo("ReconcileError");
            assertThat(c.getMessage()).isEqualTo("boom");
        });
        assertThat(now.getStatus().getCluster().getPods()).singleElement()
                .satisfies(p -> assertThat(p.getReplicas()).containsExactly("kv-1"));
    }
}
