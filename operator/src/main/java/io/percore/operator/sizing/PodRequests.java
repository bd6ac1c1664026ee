package io.percore.operator.sizing;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * What a pod takes from its node, counted as the scheduler counts it (its NodeResourcesFit plugin): the larger
 * of the sum of the containers' requests and the largest init container's request, plus the pod overhead. A
 * pod occupies its node from the moment it is bound ({@code spec.nodeName}) until it has Succeeded or Failed.
 */
public final class PodRequests {

    /** @param cpuMillis CPU in millicores; {@code memoryBytes} memory in bytes */
    public record Requests(long cpuMillis, long memoryBytes) {

        public static final Requests NONE = new Requests(0, 0);

        public Requests plus(Requests other) {
            return new Requests(cpuMillis + other.cpuMillis, memoryBytes + other.memoryBytes);
        }

        Requests max(Requests other) {
            return new Requests(Math.max(cpuMillis, other.cpuMillis), Math.max(memoryBytes, other.memoryBytes));
        }
    }

    private PodRequests() {
    }

    /** Bound to a node and not finished: the scheduler counts its requests there. */
    public static boolean occupiesNode(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getSpec().getNodeName().isEmpty()) {
            return false;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !"Succeeded".equals(phase) && !"Failed".equals(phase);
    }

    public static Requests of(Pod pod) {
        if (pod.getSpec() == null) {
            return Requests.NONE;
        }
        Requests containers = Requests.NONE;
        for (Container c : nullSafe(pod.getSpec().getContainers())) {
            containers = containers.plus(of(c));
        }
        Requests init = Requests.NONE;
        for (Container c : nullSafe(pod.getSpec().getInitContainers())) {
            init = init.max(of(c));
        }
        return containers.max(init).plus(of(pod.getSpec().getOverhead()));
    }

    private static Requests of(Container container) {
        return container.getResources() == null ? Requests.NONE : of(container.getResources().getRequests());
    }

    private static Requests of(Map<String, Quantity> quantities) {
        if (quantities == null) {
            return Requests.NONE;
        }
        return new Requests(Quantities.cpuMillis(quantities.get("cpu")), Quantities.bytes(quantities.get("memory")));
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
