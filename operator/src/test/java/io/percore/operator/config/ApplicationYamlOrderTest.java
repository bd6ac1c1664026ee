package io.percore.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.percore.config.EngineConfig;
import io.percore.config.schema.LiveSettings;
import io.percore.operator.crd.PercoreServiceSpec;
import io.percore.operator.reconcile.WorkloadRenderer;
import io.percore.operator.sizing.SizingPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code application.yml} the operator renders is the same text in every JVM, so the pod template's
 * {@code percore.io/config-hash} of it is too: a new leader must not roll pods its predecessor rendered. A map of two
 * entries made by {@code Map.of} iterates in an order drawn when its JVM starts; the TLS bundle's keystore was one, and
 * on the real node each change of the operator's leader rolled a TLS service's pods to that leader's order and back
 * (FaultCampaignIT beside TlsAndLiveConfigIT, then an operator's leader deleted six times in a row: a new ReplicaSet at
 * every other, the templates differing only in the hash). What the rendering is made of is checked instead of its text,
 * which in one JVM always comes out the same.
 */
class ApplicationYamlOrderTest {

    static Stream<String> examples() throws Exception {
        try (var files = Files.list(Path.of("examples"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyMapOfAnExamplesRenderingKeepsOneOrder(String file) throws Exception {
        JsonNode example = new YAMLMapper().readTree(Files.readString(Path.of("examples", file)));
        assertOneOrder(new ObjectMapper().treeToValue(example.get("spec"), PercoreServiceSpec.class));
    }

    @ParameterizedTest
    @MethodSource("clientAuthentication")
    void mutualTlsWithItsTrustStoreKeepsOneOrderToo(String clientAuth) throws Exception {
        // the truststore is rendered only when a server checks client certificates
        assertOneOrder(new ObjectMapper().treeToValue(new YAMLMapper().readTree("""
                tls: {secretName: kv-tls, servers: [resp, http]}
                config:
                  servers:
                    resp: {ssl: {port: 6381, client-auth: %s}}
                  engine: {stall-threshold: 25ms, task-quota: 500us}
                """.formatted(clientAuth)), PercoreServiceSpec.class));
    }

    static Stream<String> clientAuthentication() {
        return Stream.of("none", "want", "need");
    }

    private static void assertOneOrder(PercoreServiceSpec spec) {
        SizingPlan plan = new SizingPlan(true, false, 2, 2, 3, 1, 1L << 30, EngineConfig.Mode.PINNED, List.of("node-a"), 2, List.of("test"));
        int managementPort = WorkloadRenderer.managementPort(spec);
        List<String> unordered = new ArrayList<>();
        walk("", ApplicationYaml.tree(spec.configOrEmpty(), plan, managementPort, spec.getTls()), unordered);
        // what the hash is taken of: renderForRollout's input
        walk("", ApplicationYaml.tree(LiveSettings.withoutLive(ApplicationYaml.withTls(spec.configOrEmpty(), spec.getTls())), plan,
                managementPort, spec.getTls()), unordered);
        assertThat(unordered).as("maps and sets of more than one entry whose order is not their own").isEmpty();
    }

    private static void walk(String path, Object node, List<String> unordered) {
        if (node instanceof Map<?, ?> map) {
            if (map.size() > 1 && !(map instanceof LinkedHashMap) && !(map instanceof SortedMap)) {
                unordered.add(path + " (" + map.getClass().getName() + ")");
            }
            map.forEach((k, v) -> walk(path + "." + k, v, unordered));
        } else if (node instanceof java.util.Set<?> set) {
            if (set.size() > 1 && !(set instanceof LinkedHashSet) && !(set instanceof SortedSet)) {
                unordered.add(path + " (" + set.getClass().getName() + ")");
            }
            set.forEach(v -> walk(path + "[]", v, unordered));
        } else if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(path + "[" + i + "]", list.get(i), unordered);
            }
        }
    }
}
