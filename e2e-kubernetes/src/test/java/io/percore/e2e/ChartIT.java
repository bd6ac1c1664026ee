package io.percore.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The chart as installed by Helm: its operator pods run under the restricted Pod Security Standard (which the
 * namespace enforces, so a pod that breaks it would not even be created), exactly one of them leads, and when the
 * leader's pod is deleted another takes the Lease over (the standby, or the pod the Deployment starts in its place:
 * both compete, and either may win).
 */
@ExtendWith(RealNodeExtension.class)
@Isolated
@Order(1)
class ChartIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    @Test
    void theOperatorRunsRestrictedWithOneLeaderAndTheOtherTakesOverWhenTheLeadersPodIsDeleted(Cluster cluster) throws Exception {
        OperatorChart chart = cluster.chart();
        var client = cluster.client();
        assertThat(client.namespaces().withName(OperatorChart.NAMESPACE).get().getMetadata().getLabels())
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        // the namespace enforces it: a pod that breaks the standard is refused at admission
        Pod privileged = new PodBuilder().withNewMetadata().withName("not-restricted").endMetadata().withNewSpec()
                .addNewContainer().withName("c").withImage("percore/percore-operator:" + System.getProperty("percore.version"))
                .withNewSecurityContext().withPrivileged(true).endSecurityContext().endContainer().endSpec().build();
        assertThatThrownBy(() -> client.pods().inNamespace(OperatorChart.NAMESPACE).resource(privileged).create())
                .isInstanceOf(KubernetesClientException.class).hasMessageContaining("violates PodSecurity");

        List<Pod> pods = chart.pods();
        assertThat(pods).hasSize(2).allSatisfy(p -> assertThat(ready(p)).as(p.getMetadata().getName() + " Ready").isTrue());
        String leader = await().atMost(Duration.ofSeconds(60)).until(chart::leader, l -> l != null);
        assertThat(pods).extracting(p -> p.getMetadata().getName()).contains(leader);
        assertThat(leaderMetric(pods)).as("percore_operator_leader per pod").containsEntry(leader, 1.0)
                .hasSize(2).satisfies(m -> assertThat(m.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(1.0));

        long deleted = System.nanoTime();
        client.pods().inNamespace(OperatorChart.NAMESPACE).withName(leader).delete();
        // the standby and the Deployment's replacement both compete: either may win, but never the deleted pod
        String next = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(chart::leader, l -> l != null && !l.equals(leader));
        long takeover = RealNode.seconds(deleted);
        assertThat(chart.pods()).filteredOn(p -> p.getMetadata().getDeletionTimestamp() == null).extracting(p -> p.getMetadata().getName()).contains(next);
        Progress.say("Lease taken over by %s (%s) %d s after the leader's pod was deleted", next,
                pods.stream().anyMatch(p -> p.getMetadata().getName().equals(next)) ? "the standby" : "the replacement", takeover);
        // the Deployment replaces the deleted pod, which waits as a standby: still one leader
        await().atMost(Duration.ofMinutes(2)).until(() -> chart.pods().stream().filter(ChartIT::ready).count() == 2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(leaderMetric(chart.pods()))
                .containsEntry(next, 1.0).hasSize(2)
                .satisfies(m -> assertThat(m.values().stream().mapToDouble(Double::doubleValue).sum()).isEqualTo(1.0)));
    }

    @Test
    void theUpgradePagesCommandsUpgradeTheReleaseInPlace(Cluster cluster) {
        var deployments = cluster.client().apps().deployments().inNamespace(OperatorChart.NAMESPACE).withName(OperatorChart.FULLNAME);
        long generation = deployments.get().getMetadata().getGeneration();
        String revision = OperatorChart.release(cluster.node()).getRevision();
        // the page's block as written: the CRD applied server-side, then helm upgrade of the same chart
        String printed = PageCommands.run(cluster.node(), PageCommands.block(OperatorChart.UPGRADING, 0), null);
        assertThat(printed).contains("customresourcedefinition.apiextensions.k8s.io/percoreservices.percore.io serverside-applied")
                .contains("release percore revision " + (Integer.parseInt(revision) + 1) + " deployed");
        // the same chart again changes nothing the operator's pods run: no roll
        assertThat(deployments.get().getMetadata().getGeneration()).as("the Deployment's generation").isEqualTo(generation);
        await().atMost(Duration.ofMinutes(2)).until(() -> cluster.chart().pods().stream().filter(ChartIT::ready).count() == 2);
    }

    static boolean ready(Pod pod) {
        return pod.getMetadata().getDeletionTimestamp() == null && pod.getStatus() != null && pod.getStatus().getConditions() != null
                && pod.getStatus().getConditions().stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    /** Each pod's {@code percore_operator_leader} from its /metrics (pod IP, port 8080). */
    private static Map<String, Double> leaderMetric(List<Pod> pods) {
        return pods.stream().filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .collect(Collectors.toMap(p -> p.getMetadata().getName(), p -> {
            try {
                String body = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + p.getStatus().getPodIP() + ":8080/metrics"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
                return body.lines().filter(l -> l.startsWith("percore_operator_leader")).map(l -> l.substring(l.lastIndexOf(' ') + 1))
                        .mapToDouble(Double::parseDouble).findFirst().orElse(Double.NaN);
            } catch (IOException e) {
                return Double.NaN;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Double.NaN;
            }
        }));
    }
}
