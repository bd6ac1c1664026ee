package io.percore.operator.reconcile;

import static io.percore.operator.TestResources.NAMESPACE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.percore.config.schema.ConfigValidator;
import io.percore.operator.ApiRequestRecord;
import io.percore.operator.OperatorSettings;
import io.percore.operator.PercoreOperator;
import io.percore.operator.TestResources;
import io.percore.operator.config.SchemaConfigCheck;
import io.percore.operator.crd.PercoreService;
import io.percore.operator.crd.Tls;
import io.percore.operator.sizing.TestNodes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the pods' configuration is made of and how its changes reach them, on Fabric8's mock API
 * server with the real operator loop: {@code spec.tls} (the Secret mounted, the SSL bundle
 * rendered over it, the servers wired), and a change of {@code spec.config} that holds only
 * settings that change live: the ConfigMap is updated and the pods are not rolled (the pods watch
 * the mounted file, the starter's live configuration), while any other change rolls them.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class PodConfigurationTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    KubernetesMockServer server;
    KubernetesClient client;
    private PercoreOperator operator;
    private ApiRequestRecord record;
    private KubernetesClient operatorClient;

    @BeforeAll
    static void newRecord() {
        ApiRequestRecord.reset(PodConfigurationTest.class);
    }

    @BeforeEach
    void startOperator() throws Exception {
        TestResources.installCrd(client);
        client.nodes().resource(TestNodes.node("node-a").cpu("8").memory("32Gi").staticCpuManager().build()).create();
        record = new ApiRequestRecord(true, "percore-system");
        operatorClient = record.client(client.getConfiguration());
        operator = PercoreOperator.start(new OperatorSettings(Set.of(), false, null, null, 0, false), operatorClient, new SchemaConfigCheck());
    }

    @AfterEach
    void stopOperator() {
        if (operator != null) {
            operator.close();
        }
        operatorClient.close();
        record.saveAs(PodConfigurationTest.class);
    }

    @Test
    void tlsMountsTheSecretAndWiresTheListedServersToABundleThatReloads() throws Exception {
        PercoreService kv = TestResources.service("kv", 4);
        kv.getSpec().setTls(new Tls("kv-tls", List.of("resp")));
        kv.getSpec().getConfig().put("servers", Map.of("resp", Map.of("ssl", Map.of("port", 6381))));
        client.resource(kv).create();
        awaitCondition("kv", "Planned", "True");

        PodSpec pod = deployment("kv").getSpec().getTemplate().getSpec();
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo("tls");
            assertThat(v.getSecret().getSecretName()).isEqualTo("kv-tls");
            assertThat(v.getSecret().getItems()).as("every key, no subPath: the kubelet swaps renewed files in").isNullOrEmpty();
        });
        Container app = pod.getContainers().get(0);
        assertThat(app.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("tls");
            assertThat(m.getMountPath()).isEqualTo("/etc/percore-tls/");
            assertThat(m.getReadOnly()).isTrue();
            assertThat(m.getSubPath()).isNull();
        });

        String yaml = configMap("kv").getData().get("application.yml");
        assertThat(new ConfigValidator().validateApplicationYaml(yaml)).isEmpty();
        Map<String, Object> tree = YAML.readValue(yaml, Map.class);
        assertThat(at(tree, "percore", "servers", "resp", "ssl")).isEqualTo(Map.of("port", 6381, "bundle", "percore-tls"));
        assertThat(at(tree, "spring", "ssl", "bundle", "pem", "percore-tls")).isEqualTo(Map.of(
                "reload-on-update", true,
                "keystore", Map.of("certificate", "file:/etc/percore-tls/tls.crt", "private-key", "file:/etc/percore-tls/tls.key")));
    }

    @Test
    void clientCertificatesAddTheSecretsAuthorityAsTrustStore() throws Exception {
        PercoreService kv = TestResources.service("kv", 4);
        kv.getSpec().setTls(new Tls("kv-tls", List.of("resp", "http")));
        kv.getSpec().getConfig().put("servers", Map.of("resp", Map.of("ssl", Map.of("client-auth", "need"))));
        client.resource(kv).create();
        awaitCondition("kv", "Planned", "True");
        Map<String, Object> tree = YAML.readValue(configMap("kv").getData().get("application.yml"), Map.class);
        assertThat(at(tree, "spring", "ssl", "bundle", "pem", "percore-tls", "truststore"))
                .isEqualTo(Map.of("certificate", "file:/etc/percore-tls/ca.crt"));
        assertThat(at(tree, "percore", "servers", "http", "ssl")).isEqualTo(Map.of("bundle", "percore-tls"));
    }

    @Test
    void aTlsSpecThatCannotWorkIsRefusedAndNothingIsWritten() {
        PercoreService kv = TestResources.service("kv", 4);
        kv.getSpec().setTls(new Tls("kv-tls", List.of("resp")));
        kv.getSpec().getConfig().put("servers", Map.of("resp", Map.of("ssl", Map.of("bundle", "mine"))));
        client.resource(kv).create();
        PercoreService refused = awaitCondition("kv", "Planned", "False");
        assertThat(PercoreServiceReconcilerTest.condition(refused, "Planned").getMessage())
                .contains("spec.config.servers.resp.ssl.bundle: 'mine', but spec.tls gives resp the Secret's bundle percore-tls");
        assertThat(deployment("kv")).isNull();
    }

    @Test
    void aLiveOnlyConfigChangeUpdatesTheConfigMapAndRollsNoPod() throws Exception {
        PercoreService kv = TestResources.service("kv", 4);
        kv.getSpec().getConfig().put("servers", Map.of("resp", Map.of("port", 6380)));
        client.resource(kv).create();
        awaitCondition("kv", "Planned", "True");
        Deployment before = deployment("kv");
        String hash = before.getSpec().getTemplate().getMetadata().getAnnotations().get("percore.io/config-hash");

        mergePatch("kv", "{\"spec\":{\"config\":{\"engine\":{\"stall-threshold\":\"90ms\",\"task-quota\":\"1ms\"},"
                + "\"servers\":{\"resp\":{\"max-connections-per-shard\":500}}}}}");
        await().atMost(WAIT).ignoreExceptions().untilAsserted(() -> assertThat(configMap("kv").getData().get("application.yml"))
                .contains("stall-threshold: 90ms").contains("task-quota: 1ms").contains("max-connections-per-shard: 500"));
        await().atMost(WAIT).ignoreExceptions().until(() -> client.v1().events().inNamespace(NAMESPACE).list().getItems().stream()
                .anyMatch(e -> "ConfigChangedLive".equals(e.getReason())));
        Deployment after = deployment("kv");
        assertThat(after.getMetadata().getResourceVersion()).as("the Deployment is not written: no pod rolls")
                .isEqualTo(before.getMetadata().getResourceVersion());
        assertThat(after.getSpec().getTemplate().getMetadata().getAnnotations()).containsEntry("percore.io/config-hash", hash);

        // the listening port needs a restart: the pods roll
        mergePatch("kv", "{\"spec\":{\"config\":{\"servers\":{\"resp\":{\"port\":6390}}}}}");
        await().atMost(WAIT).ignoreExceptions().until(() -> !hash.equals(
                deployment("kv").getSpec().getTemplate().getMetadata().getAnnotations().get("percore.io/config-hash")));
        assertThat(configMap("kv").getData().get("application.yml")).contains("port: 6390");
    }

    private void mergePatch(String name, String json) {
        client.resources(PercoreService.class).inNamespace(NAMESPACE).withName(name)
                .patch(io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON_MERGE), json);
    }

    // --- helpers ---

    @SuppressWarnings("unchecked")
    private static Object at(Map<String, Object> tree, String... path) {
        Object node = tree;
        for (String key : path) {
            node = node instanceof Map<?, ?> m ? m.get(key) : null;
        }
        return node;
    }

    private PercoreService awaitCondition(String name, String type, String status) {
        await().atMost(WAIT).ignoreExceptions().until(() -> {
            PercoreService s = current(name);
            var c = s == null ? null : PercoreServiceReconcilerTest.condition(s, type);
            return c != null && status.equals(c.getStatus());
        });
        return current(name);
    }

    private PercoreService current(String name) {
        return client.resources(PercoreService.class).inNamespace(NAMESPACE).withName(name).get();
    }

    private Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(NAMESPACE).withName(name).get();
    }

    private ConfigMap configMap(String name) {
        return client.configMaps().inNamespace(NAMESPACE).withName(name + "-config").get();
    }
}
