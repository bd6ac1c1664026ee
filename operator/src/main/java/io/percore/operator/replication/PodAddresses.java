package io.percore.operator.replication;

import io.fabric8.kubernetes.api.model.Pod;
import io.percore.operator.replication.ReplicationPlanner.HostPort;

/**
 * Where the operator reaches a pod's RESP port, and what a replica is told to follow. In a cluster:
 * the pod's IP ({@code status.podIP}) and the container port, which both the operator and the other
 * pods can reach (the pod network is flat). Tests run every "pod" as a process on 127.0.0.1 and map
 * each pod to its own port.
 */
@FunctionalInterface
public interface PodAddresses {

    /** @return null when the pod has no address yet */
    HostPort of(Pod pod, int containerPort);

    /** The pod network: {@code status.podIP} and the container port. */
    PodAddresses POD_IP = (pod, port) -> pod.getStatus() == null || pod.getStatus().getPodIP() == null
            || pod.getStatus().getPodIP().isBlank() ? null : new HostPort(pod.getStatus().getPodIP(), port);
}
