package io.percore.e2e;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The operator as a user installs it: the chart from {@code helm/percore-operator}, installed by the commands of the
 * getting-started page as written ({@link PageCommands}: helm through helm-java) into a namespace that enforces the
 * restricted Pod Security Standard.
 */
final class OperatorChart {

    static final String NAMESPACE = "percore-system";
    static final String RELEASE = "percore";
    static final String FULLNAME = "percore-percore-operator";
    static final String LEASE = "percore-operator-leader";
    /** The page whose first block installs the chart (the suite runs it as written: {@link PageCommands}). */
    static final String GETTING_STARTED = "getting-started/kubernetes.md";
    /** The page whose first block upgrades the CRD and the release ({@link ChartIT} runs it whole). */
    static final String UPGRADING = "how-to/upgrading-the-operator.md";

    private final RealNode node;

    private OperatorChart(RealNode node) {
        this.node = node;
    }

    /** Installs the chart (after removing a release a previous run left) and waits for its pods to be Ready. */
    static OperatorChart install(RealNode node) {
        long began = System.nanoTime();
        KubernetesClient client = node.client();
        if (release(node) != null) { // a previous run's
            Helm.uninstall(RELEASE).withKubeConfig(node.kubeconfig()).withNamespace(NAMESPACE).call();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", "restricted",
                        "pod-security.kubernetes.io/enforce-version", "latest"))
                .endMetadata().build()).serverSideApply();
        // Helm installs crds/ only where the CRD is absent (a run before this one left it): the upgrade page's first
        // command makes the checkout's the one in force
        PageCommands.run(node, PageCommands.block(UPGRADING, 0).subList(0, 1), null);
        // as the getting-started page says to (its first block: helm install, then kubectl get crd), not a copy of it
        PageCommands.run(node, PageCommands.block(GETTING_STARTED, 0), null);
        client.apps().deployments().inNamespace(NAMESPACE).withName(FULLNAME).waitUntilCondition(d -> d != null && d.getStatus() != null
                && d.getSpec().getReplicas().equals(d.getStatus().getReadyReplicas()), 300, TimeUnit.SECONDS);
        Release release = release(node);
        OperatorChart chart = new OperatorChart(node);
        Progress.say("chart %s (%s) %s in %d s, %d operator pods Ready", release.getChart(), release.getAppVersion(),
                release.getStatus(), RealNode.seconds(began), chart.pods().size());
        return chart;
    }

    /** The installed release as Helm lists it, or null. */
    static Release release(RealNode node) {
        return Helm.list().withKubeConfig(node.kubeconfig()).withNamespace(NAMESPACE).call().stream()
                .filter(r -> RELEASE.equals(r.getName())).findFirst().orElse(null);
    }

    static Path chartDir() {
        return RealNode.projectRoot().resolve("helm/percore-operator");
    }

    List<Pod> pods() {
        return node.client().pods().inNamespace(NAMESPACE).withLabel("app.kubernetes.io/instance", RELEASE).list().getItems();
    }

    Lease lease() {
        return node.client().leases().inNamespace(NAMESPACE).withName(LEASE).get();
    }

    /** The pod holding the Lease, once one does. */
    String leader() {
        Lease lease = lease();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }

    void uninstall() {
        Helm.uninstall(RELEASE).withKubeConfig(node.kubeconfig()).withNamespace(NAMESPACE).call();
        node.client().namespaces().withName(NAMESPACE).withTimeout(2, TimeUnit.MINUTES).delete();
    }
}
