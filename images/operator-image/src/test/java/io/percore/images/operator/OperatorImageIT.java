package io.percore.images.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.images.testing.ImageChecks;
import io.percore.images.testing.Sandbox;
import io.percore.operator.OperatorSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** percore/percore-operator: the checks of every image, then the operator started from it as the chart runs it. */
class OperatorImageIT extends ImageChecks {

    @Override
    protected String mainClass() {
        return "io.percore.operator.OperatorMain";
    }

    @Override
    protected String applicationJar() {
        return "/app/libs/percore-operator-0.1.0-SNAPSHOT.jar";
    }

    @Override
    protected Set<Integer> expectedPorts() {
        return Set.of(OperatorSettings.DEFAULT_HTTP_PORT);
    }

    @Override
    protected String expectedWorkingDir() {
        return "/home/" + user;
    }

    @Override
    protected Map<String, String> expectedEnv() {
        return Map.of();
    }

    @Override
    protected Set<String> ownedPaths() {
        return Set.of("/home/" + user);
    }

    @Override
    protected Set<String> requiredModules() {
        // java.net.http: the Kubernetes client's transport; jdk.httpserver: health and metrics;
        // jdk.crypto.ec: TLS to API servers with EC certificates (no class names it: jdeps cannot see it).
        return Set.of("java.net.http", "jdk.httpserver", "java.management", "jdk.crypto.ec");
    }

    /**
     * The operator as the chart runs it (read-only root, a tmpfs /tmp, the chart's JAVA_TOOL_OPTIONS),
     * with no API server to reach: leader election keeps retrying, the HTTP server must serve
     * liveness and metrics on the exposed port, on every interface.
     */
    @Test
    void servesHealthAndMetricsWithAReadOnlyRoot() throws Exception {
        Sandbox s = sandbox();
        int port = OperatorSettings.DEFAULT_HTTP_PORT;
        Sandbox.Spec spec = Sandbox.Spec.of(image).withReadOnlyRoot().withEnv(Map.of(
                "JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError",
                "POD_NAMESPACE", "percore-system",
                "POD_NAME", "percore-operator-0",
                "KUBERNETES_MASTER", "https://127.0.0.1:6443"));  // nothing listens: no cluster here
        Path log = s.rootfs().resolveSibling("operator.log");
        try (Sandbox.Running operator = s.start(spec, log)) {
            await(operator, Duration.ofSeconds(120), "GET /healthz/live on " + port,
                    () -> operator.httpGet(port, "/healthz/live").startsWith("HTTP/1.1 200"));
            String metrics = operator.httpGet(port, "/metrics");
            assertThat(metrics).startsWith("HTTP/1.1 200").contains("percore_operator_leader 0", "jvm_memory_used_bytes");
            assertThat(operator.listeningSockets()).as("one listener, on every interface").hasSize(1)
                    .allMatch(a -> a.equals("[::]:" + port) || a.equals("0.0.0.0:" + port));
            assertThat(operator.stop(Duration.ofSeconds(30))).as(tail(operator.log())).isIn(0, 143);
        }
    }
}
