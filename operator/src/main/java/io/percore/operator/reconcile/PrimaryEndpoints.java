package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.ServicePort;
import java.util.List;
import java.util.Map;

/**
 * The primary Service's one EndpointSlice, which the operator writes itself (the Service has no selector): the pod that
 * carries the primary label, or none. Why not a selector on the label: a failover is then two changes to kube-proxy, the
 * dead primary leaving (the endpoint controller, as soon as the kubelet reports it unready) and the new one arriving
 * after the operator's label, and kube-proxy applies changes at most once per {@code --iptables-min-sync-period} (1 s
 * by default): the second waited for it (writes acknowledged again 1.9-2.7 s after a SIGKILL on the real node, the
 * Service's endpoints right 0.6 s before). Written in the step that moves the label, the change is one: the old primary
 * out and the new one in. Pure rendering; {@link ReplicationDriver} writes it.
 */
final class PrimaryEndpoints {

    /**
     * The EndpointSlice's {@code endpointslice.kubernetes.io/managed-by}: not the endpoint controller's, so it leaves it
     * alone (a label value: no '/', unlike the annotation-style names).
     */
    static final String MANAGED_BY = "operator.percore.io";

    private PrimaryEndpoints() {
    }

    static String name(PercoreService s) {
        return WorkloadRenderer.primaryServiceName(s);
    }

    /** As {@link #render(PercoreService, Pod, boolean)}, ready only as the pod is. */
    static EndpointSlice render(PercoreService s, Pod primary) {
        return render(s, primary, false);
    }

    /**
     * @param primary the pod labelled primary (null: none, the slice is empty and the Service refuses connections), with
     *                its IP; terminating while it is deleted
     * @param serving the operator saw it serve as the primary just now: ready even before the kubelet's next readiness
     *                probe says so (else ready as the pod is)
     */
    static EndpointSlice render(PercoreService s, Pod primary, boolean serving) {
        ServicePort resp = s.getSpec().respPort();
        String ip = primary == null || primary.getStatus() == null ? null : primary.getStatus().getPodIP();
        List<Endpoint> endpoints = ip == null || ip.isEmpty() ? List.of() : List.of(new EndpointBuilder()
                .withAddresses(ip)
                .withNewConditions().withReady(ready(primary, serving)).withServing(serving || Pods.ready(primary))
                .withTerminating(primary.getMetadata().getDeletionTimestamp() != null).endConditions()
                .withNodeName(primary.getSpec() == null ? null : primary.getSpec().getNodeName())
                .withTargetRef(new ObjectReferenceBuilder().withKind("Pod").withNamespace(primary.getMetadata().getNamespace())
                        .withName(primary.getMetadata().getName()).withUid(primary.getMetadata().getUid()).build())
                .build());
        Map<String, String> labels = Labels.common(s);
        labels.put("kubernetes.io/service-name", WorkloadRenderer.primaryServiceName(s));
        labels.put("endpointslice.kubernetes.io/managed-by", MANAGED_BY);
        return new EndpointSliceBuilder().withMetadata(WorkloadRenderer.meta(s, name(s))).editMetadata().withLabels(labels).endMetadata()
                .withAddressType(ip != null && ip.contains(":") ? "IPv6" : "IPv4")
                .withEndpoints(endpoints)
                .addNewPort().withName(resp.getName()).withPort(resp.getPort()).withProtocol("TCP").endPort()
                .build();
    }

    /** Ready as kube-proxy reads it: a pod being deleted is not (kube-proxy 1.24 routes to ready endpoints only). */
    private static boolean ready(Pod pod, boolean serving) {
        return (serving || Pods.ready(pod)) && pod.getMetadata().getDeletionTimestamp() == null;
    }
}
