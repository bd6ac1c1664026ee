package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Release;
import org.junit.jupiter.api.Test;

/** NOTES.txt, rendered by a client-only dry-run install (no cluster needed). */
class NotesTest {

    private static String notes(String valuesResource) {
        var install = ChartUnderTest.helm().install()
                .withName(ChartUnderTest.RELEASE)
                .withNamespace(ChartUnderTest.RELEASE_NAMESPACE)
                .withKubeVersion(ChartUnderTest.KUBE_VERSION)
                .clientOnly()
                .dryRun();
        if (valuesResource != null) {
            install = install.withValuesFile(ChartUnderTest.valuesFile(valuesResource));
        }
        Release release = install.call();
        String output = release.getOutput();
        assertThat(output).contains("NOTES:");
        return output.substring(output.indexOf("NOTES:"));
    }

    @Test
    void notesExplainNodePreparationAndHowToCheckTheInstall() {
        String notes = notes(null);
        assertThat(notes)
                .contains("cpuManagerPolicy: static")
                .contains("full-pcpus-only")
                .contains("topologyManagerPolicy: single-numa-node")
                .contains("NodeResourceTopology")
                .contains("node-feature-discovery")
                .contains("kubectl get pcs --all-namespaces")
                .contains("logs deployment/" + ChartUnderTest.FULLNAME)
                .contains("rollout status deployment/" + ChartUnderTest.FULLNAME)
                .contains("all namespaces")
                .contains("kind: PercoreService");
    }

    @Test
    void notesFollowTheValues() {
        String notes = notes("all-features.yaml");
        assertThat(notes)
                .contains("get pcs percore-example")
                .contains("ServiceMonitor " + ChartUnderTest.FULLNAME)
                .contains("PrometheusRule " + ChartUnderTest.FULLNAME)
                .contains("grafana_dashboard=1")
                .contains("namespace monitoring");
        assertThat(notes("namespaced.yaml")).contains("these namespaces: team-a, team-b");
    }
}
