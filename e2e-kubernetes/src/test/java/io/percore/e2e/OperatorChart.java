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
 * The operator as a user installs it: the chart from {@code helm/percore-operator}, installed by real Helm
 * (helm-java) into a namespace that enforces the restricted Pod Security Standard.
 */
final class OperatorChart {

    static final String NAMESPACE = "percore-system";
    static final String RELEASE = "percore";
    static final String FULLNAME = "percore-percore-operator";
    static final String LEASE = "percore-operator-leader";

    private final RealNode node;

    private OperatorChart(RealNode node) {
        this.node = node;
    }

    /** Installs the chart (after removing a release a previous run left) and waits for its pods to be Ready. */
    static OperatorChart install(RealNode node) {
        long began = System.nanoTime();
        KubernetesClient client = node.client();
        Helm helm = new Helm(chartDir());
        boolean leftOver = Helm.list().withKubeConfig(node.kubeconfig()).withNamespace(NAMESPACE).call().stream()
                .anyMatch(r -> RELEASE.equals(r.getName()));
        if (leftOver) {
            Helm.uninstall(RELEASE).withKubeConfig(node.kubeconfig()).withNamespace(NAMESPACE).call();
        }
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(NAMESPACE)
                .withLabels(Map.of("pod-security.kubernetes.io/enforce", "restricted",
                        "pod-security.kubernetes.io/enforce-version", "latest"))
                .endMetadata().build()).serverSideApply();
        // Helm installs crds/ only where the CRD is absent: the chart README's upgrade step makes it the chart's
        applyCrd(client);
        Release release = helm.install().withName(RELEASE).withNamespace(NAMESPACE).withKubeConfig(node.kubeconfig())
                .waitReady().withTimeout(300).call();
        OperatorChart chart = new OperatorChart(node);
        Progress.say("chart %s (%s) %s in %d s, %d operator pods Ready", release.getChart(), release.getAppVersion(),
                release.getStatus(), RealNode.seconds(began), chart.pods().size());
        return chart;
    }

    /** {@code kubectl apply --server-side --force-conflicts --field-manager=percore-crd -f helm/percore-operator/crds/}. */
    private static void applyCrd(KubernetesClient client) {
        try (var in = java.nio.file.Files.newInputStream(chartDir().resolve("crds/percoreservices.percore.io-v1.yml"))) {
            var crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
            client.resource(crd).fieldManager("percore-crd").forceConflicts().serverSideApply();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
