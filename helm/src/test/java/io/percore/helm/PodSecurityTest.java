package io.percore.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The "restricted" Pod Security Standard (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
 * checked for every pod template the chart renders in every value set, so the operator can run in
 * a namespace labelled pod-security.kubernetes.io/enforce=restricted.
 */
class PodSecurityTest {

    static Stream<String> variants() {
        return ChartUnderTest.variants();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void everyPodMeetsTheRestrictedProfile(String variant) {
        List<Deployment> deployments = ChartUnderTest.renderVariant(variant).typed(Deployment.class);
        assertThat(deployments).isNotEmpty();
        for (Deployment deployment : deployments) {
            assertRestricted(deployment.getSpec().getTemplate().getSpec());
        }
    }

    static void assertRestricted(PodSpec pod) {
        PodSecurityContext podContext = pod.getSecurityContext() == null ? new PodSecurityContext() : pod.getSecurityContext();
        // Baseline: no host namespaces, no host paths.
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostIPC()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).isNull());
        assertThat(podContext.getRunAsUser()).as("pod runAsUser").satisfiesAnyOf(u -> assertThat(u).isNull(), u -> assertThat(u).isPositive());

        List<Container> containers = Stream.concat(
                pod.getContainers().stream(),
                pod.getInitContainers() == null ? Stream.empty() : pod.getInitContainers().stream()).toList();
        for (Container c : containers) {
            SecurityContext sc = c.getSecurityContext();
            assertThat(sc).as("%s securityContext", c.getName()).isNotNull();
            assertThat(sc.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(sc.getAllowPrivilegeEscalation()).as("%s allowPrivilegeEscalation", c.getName()).isFalse();
            assertThat(sc.getCapabilities().getDrop()).as("%s drops", c.getName()).contains("ALL");
            assertThat(sc.getCapabilities().getAdd()).as("%s adds", c.getName()).isNullOrEmpty();
            assertThat(sc.getReadOnlyRootFilesystem()).as("%s readOnlyRootFilesystem", c.getName()).isTrue();
            assertThat(sc.getRunAsUser()).as("%s runAsUser", c.getName()).satisfiesAnyOf(u -> assertThat(u).isNull(), u -> assertThat(u).isPositive());

            Boolean runAsNonRoot = sc.getRunAsNonRoot() != null ? sc.getRunAsNonRoot() : podContext.getRunAsNonRoot();
            assertThat(runAsNonRoot).as("%s runAsNonRoot", c.getName()).isTrue();

            String seccomp = sc.getSeccompProfile() != null ? sc.getSeccompProfile().getType()
                    : podContext.getSeccompProfile() == null ? null : podContext.getSeccompProfile().getType();
            assertThat(seccomp).as("%s seccompProfile", c.getName()).isIn("RuntimeDefault", "Localhost");

            assertThat(c.getPorts()).allSatisfy(p -> assertThat(p.getHostPort()).isNull());
        }
    }
}
