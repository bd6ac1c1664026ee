package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.percore.operator.TestResources;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Replication;
import org.junit.jupiter.api.Test;

class PrimaryEndpointsTest {

    private static PercoreService service() {
        PercoreService s = TestResources.service("kv", 1);
        s.getSpec().setReplication(new Replication(1));
        return s;
    }

    private static Pod pod(String ip, boolean ready, boolean deleting) {
        return new PodBuilder().withNewMetadata().withName("kv-1").withNamespace("ns").withUid("u1")
                .withDeletionTimestamp(deleting ? "2026-11-28T00:00:00Z" : null).endMetadata()
                .withNewSpec().withNodeName("node-a").endSpec()
                .withNewStatus().withPodIP(ip).addNewCondition().withType("Ready").withStatus(ready ? "True" : "False").endCondition().endStatus()
                .build();
    }

    @Test
    void theLabelledPrimaryIsTheOneEndpointReadyAsItsPodIs() {
        EndpointSlice slice = PrimaryEndpoints.render(service(), pod("10.0.0.7", true, false));
        assertThat(slice.getMetadata().getName()).isEqualTo("kv-primary");
        assertThat(slice.getMetadata().getLabels()).containsEntry("kubernetes.io/service-name", "kv-primary")
                .containsEntry("endpointslice.kubernetes.io/managed-by", "operator.percore.io");
        assertThat(slice.getMetadata().getLabels().values()).as("label values as the API server takes them (no '/': the mock does not check)")
                .allMatch(v -> v.length() <= 63 && v.matches("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?"));
        assertThat(slice.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getKind()).isEqualTo("PercoreService"));
        assertThat(slice.getAddressType()).isEqualTo("IPv4");
        assertThat(slice.getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getAddresses()).containsExactly("10.0.0.7");
            assertThat(e.getConditions().getReady()).isTrue();
            assertThat(e.getConditions().getTerminating()).isFalse();
            assertThat(e.getTargetRef().getName()).isEqualTo("kv-1");
            assertThat(e.getNodeName()).isEqualTo("node-a");
        });
        assertThat(slice.getPorts()).singleElement().satisfies(p -> assertThat(p.getName() + ":" + p.getPort()).isEqualTo("redis:6379"));

        assertThat(PrimaryEndpoints.render(service(), pod("10.0.0.7", false, false)).getEndpoints()).singleElement()
                .satisfies(e -> assertThat(e.getConditions().getReady()).isFalse());
        assertThat(PrimaryEndpoints.render(service(), pod("10.0.0.7", true, true)).getEndpoints()).singleElement().satisfies(e -> {
            assertThat(e.getConditions().getReady()).as("kube-proxy 1.24 routes to ready endpoints only").isFalse();
            assertThat(e.getConditions().getServing()).isTrue();
            assertThat(e.getConditions().getTerminating()).isTrue();
        });
        assertThat(PrimaryEndpoints.render(service(), pod("10.0.0.7", false, false), true).getEndpoints()).singleElement()
                .as("just promoted: the kubelet's readiness is still the replica's").satisfies(e -> assertThat(e.getConditions().getReady()).isTrue());
        assertThat(PrimaryEndpoints.render(service(), pod("10.0.0.7", true, true), true).getEndpoints()).singleElement()
                .satisfies(e -> assertThat(e.getConditions().getReady()).as("being deleted").isFalse());
        assertThat(PrimaryEndpoints.render(service(), pod("fd00::7", true, false)).getAddressType()).isEqualTo("IPv6");
    }

    @Test
    void noPrimaryOrNoAddressYetIsNoEndpoint() {
        assertThat(PrimaryEndpoints.render(service(), null).getEndpoints()).isEmpty();
        assertThat(PrimaryEndpoints.render(service(), pod(null, true, false)).getEndpoints()).isEmpty();
    }
}
