package io.percore.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.operator.config.SchemaConfigCheck;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The runnable operator: health and metrics endpoints, leader election through a Lease. */
@EnableKubernetesMockClient(crud = true)
class PercoreOperatorTest {

    KubernetesMockServer server;
    KubernetesClient client;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void servesHealthAndPrometheusMetrics() throws Exception {
        TestResources.installCrd(client);
        try (PercoreOperator operator = PercoreOperator.start(new OperatorSettings(Set.of("test"), false, null, null, 0, false),
                client, new SchemaConfigCheck())) {
            int port = operator.httpPort();
            assertThat(get(port, "/healthz/live").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(port, "/healthz/ready").statusCode() == 200);
            HttpResponse<String> metrics = get(port, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
            assertThat(metrics.body()).contains("percore_operator_leader 1.0").contains("jvm_memory_used_bytes");
            assertThat(get(port, "/nope").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void leaderElectionTakesTheLease() throws Exception {
        TestResources.installCrd(client);
        // JOSDK first asks what it may do with leases; the mock cannot evaluate RBAC, so answer as the chart's Role would.
        server.expect().post().withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
                .andReturn(201, new SelfSubjectRulesReviewBuilder().withNewMetadata().endMetadata()
                        .withNewSpec().withNamespace("percore-system").endSpec()
                        .withNewStatus().withIncomplete(false)
                        .addNewResourceRule().withApiGroups("coordination.k8s.io").withResources("leases")
                        .withVerbs("get", "list", "watch", "create", "update", "patch").endResourceRule()
                        .endStatus().build())
                .always();
        try (PercoreOperator operator = PercoreOperator.start(new OperatorSettings(Set.of(), true, "percore-system", "op-0", 0, false),
                client, new SchemaConfigCheck())) {
            await().atMost(Duration.ofSeconds(30)).until(operator::isLeader);
            Lease lease = client.leases().inNamespace("percore-system").withName(OperatorSettings.LEASE_NAME).get();
            assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("op-0");
            await().atMost(Duration.ofSeconds(30)).until(() -> get(operator.httpPort(), "/healthz/ready").statusCode() == 200);
            assertThat(get(operator.httpPort(), "/metrics").body()).contains("percore_operator_leader 1.0");
        }
    }
}
