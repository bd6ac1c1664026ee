package io.percore.net.discovery.kubernetes;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.percore.net.discovery.EndpointDiscovery;
import io.percore.net.pool.Endpoint;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ready endpoints of a Kubernetes Service, from a Fabric8 informer on its EndpointSlices
 * (label {@code kubernetes.io/service-name}). Every slice change publishes the full set again.
 * Lives in its own module so that net-pooling, the runtime core, knows nothing of Kubernetes.
 */
public final class KubernetesEndpointSliceDiscovery implements EndpointDiscovery {

    private static final Logger LOG = LoggerFactory.getLogger(KubernetesEndpointSliceDiscovery.class);
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final KubernetesClient client;
    private final boolean ownsClient;
    private final String namespace;
    private final String serviceName;
    private final String portName;
    private final Map<String, List<Endpoint>> bySlice = new HashMap<>();
    private SharedIndexInformer<EndpointSlice> informer;
    private Consumer<List<Endpoint>> listener;
    private List<Endpoint> lastPublished;

    /**
     * @param namespace null for the client's namespace (the pod's own, in a cluster)
     * @param portName  the Service port to use; null when the slices have exactly one port
     */
    public KubernetesEndpointSliceDiscovery(KubernetesClient client, String namespace, String serviceName, String portName) {
        this(client, false, namespace, serviceName, portName);
    }

    private KubernetesEndpointSliceDiscovery(KubernetesClient client, boolean ownsClient, String namespace,
                                             String serviceName, String portName) {
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.namespace = namespace != null ? namespace : client.getNamespace();
        if (this.namespace == null) {
            throw new IllegalArgumentException("discovery.namespace is unset and the Kubernetes client has no default namespace");
        }
        this.serviceName = Objects.requireNonNull(serviceName, "serviceName");
        this.portName = portName;
    }

    /** With a client configured from the environment (in-cluster service account or kubeconfig). */
    static KubernetesEndpointSliceDiscovery create(String namespace, String serviceName, String portName) {
        return new KubernetesEndpointSliceDiscovery(new KubernetesClientBuilder().build(), true, namespace, serviceName, portName);
    }

    @Override
    public void start(Consumer<List<Endpoint>> listener) {
        synchronized (this) {
            if (this.listener != null) {
                throw new IllegalStateException("Kubernetes discovery already started");
            }
            this.listener = listener;
        }
        // inform() returns after the initial list, so the first set is published before start returns.
        informer = client.discovery().v1().endpointSlices().inNamespace(namespace)
                .withLabel(SERVICE_NAME_LABEL, serviceName)
                .inform(new ResourceEventHandler<>() {
                    @Override
                    public void onAdd(EndpointSlice slice) {
                        update(slice, false);
                    }

                    @Override
                    public void onUpdate(EndpointSlice oldSlice, EndpointSlice newSlice) {
                        update(newSlice, false);
                    }

                    @Override
                    public void onDelete(EndpointSlice slice, boolean deletedFinalStateUnknown) {
                        update(slice, true);
                    }
                }, 0);
        synchronized (this) {
            if (lastPublished == null) {
                // No slice yet: say so, so the client does not wait for the discovery timeout.
                publish();
            }
        }
    }

    private synchronized void update(EndpointSlice slice, boolean deleted) {
        String name = slice.getMetadata().getName();
        if (deleted) {
            bySlice.remove(name);
        } else {
            bySlice.put(name, readyEndpoints(slice));
        }
        publish();
    }

    private void publish() {
        TreeSet<Endpoint> all = new TreeSet<>();
        bySlice.values().forEach(all::addAll);
        List<Endpoint> current = List.copyOf(all);
        if (!current.equals(lastPublished) && listener != null) {
            lastPublished = current;
            LOG.debug("Service {}/{} endpoints: {}", namespace, serviceName, current);
            listener.accept(current);
        }
    }

    private List<Endpoint> readyEndpoints(EndpointSlice slice) {
        Integer port = selectPort(slice);
        List<Endpoint> result = new ArrayList<>();
        if (port == null || slice.getEndpoints() == null) {
            return result;
        }
        for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
            // An unset condition means ready (Kubernetes API contract).
            if (e.getConditions() != null && Boolean.FALSE.equals(e.getConditions().getReady())) {
                continue;
            }
            for (String address : e.getAddresses()) {
                try {
                    // Slice addresses are IP literals: no DNS lookup happens here.
                    result.add(Endpoint.of(address, InetAddress.getByName(address), port));
                } catch (UnknownHostException | IllegalArgumentException ex) {
                    LOG.warn("EndpointSlice {}: skipping address '{}': {}", slice.getMetadata().getName(), address, ex.getMessage());
                }
            }
        }
        return result;
    }

    private Integer selectPort(EndpointSlice slice) {
        List<EndpointPort> ports = slice.getPorts() == null ? List.of() : slice.getPorts();
        if (portName != null) {
            for (EndpointPort p : ports) {
                if (portName.equals(p.getName())) {
                    return p.getPort();
                }
            }
            LOG.warn("EndpointSlice {} of Service {}/{} has no port named '{}' (ports: {})", slice.getMetadata().getName(),
                    namespace, serviceName, portName, ports);
            return null;
        }
        if (ports.size() == 1) {
            return ports.get(0).getPort();
        }
        LOG.warn("EndpointSlice {} of Service {}/{} has {} ports; set discovery.port-name to choose one",
                slice.getMetadata().getName(), namespace, serviceName, ports.size());
        return null;
    }

    @Override
    public void close() {
        synchronized (this) {
            listener = null;
        }
        if (informer != null) {
            informer.close();
        }
        if (ownsClient) {
            client.close();
        }
    }

    @Override
    public String toString() {
        return "kubernetes[" + namespace + "/" + serviceName + (portName == null ? "" : ":" + portName) + "]";
    }
}
