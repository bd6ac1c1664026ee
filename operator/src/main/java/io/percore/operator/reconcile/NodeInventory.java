package io.percore.operator.reconcile;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.percore.operator.sizing.NodeShape;
import io.percore.operator.sizing.NodeShapes;
import io.percore.operator.sizing.PodRequests;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The planner's view of the cluster: nodes (from the operator's informer cache) joined with
 * their NodeResourceTopology objects when the NFD topology-updater publishes them. A cluster
 * without that CRD (404) or without read access (403) just has no NUMA detail from it.
 */
public final class NodeInventory {

    static final ResourceDefinitionContext NRT = new ResourceDefinitionContext.Builder()
            .withGroup(NodeShapes.NRT_GROUP).withVersion(NodeShapes.NRT_VERSION).withKind(NodeShapes.NRT_KIND)
            .withPlural(NodeShapes.NRT_PLURAL).withNamespaced(false).build();

    private static final Logger LOG = LoggerFactory.getLogger(NodeInventory.class);

    private final KubernetesClient client;

    public NodeInventory(KubernetesClient client) {
        this.client = client;
    }

    /** @throws IllegalArgumentException naming a node whose percore.io labels are malformed */
    public List<NodeShape> shapes(Collection<Node> nodes) {
        return shapes(nodes, Map.of());
    }

    /**
     * @param podRequests what the pods bound to each node already request (by node name), subtracted from its allocatable
     * @throws IllegalArgumentException naming a node whose percore.io labels are malformed
     */
    public List<NodeShape> shapes(Collection<Node> nodes, Map<String, PodRequests.Requests> podRequests) {
        Map<String, GenericKubernetesResource> topologies = topologies();
        List<NodeShape> shapes = new ArrayList<>(nodes.size());
        for (Node node : nodes) {
            PodRequests.Requests taken = podRequests.getOrDefault(node.getMetadata().getName(), PodRequests.Requests.NONE);
            shapes.add(NodeShapes.from(node, topologies.get(node.getMetadata().getName()))
                    .withPodRequests(taken.cpuMillis(), taken.memoryBytes()));
        }
        shapes.sort((a, b) -> a.name().compareTo(b.name()));
        return shapes;
    }

    private Map<String, GenericKubernetesResource> topologies() {
        Map<String, GenericKubernetesResource> byNode = new HashMap<>();
        try {
            for (GenericKubernetesResource nrt : client.genericKubernetesResources(NRT).list().getItems()) {
                byNode.put(nrt.getMetadata().getName(), nrt);
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 404 && e.getCode() != 403) {
                throw e;
            }
            LOG.debug("no NodeResourceTopology available ({}): using node labels", e.getCode());
        }
        return byNode;
    }
}
