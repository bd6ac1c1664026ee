package io.percore.net.discovery.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import io.percore.config.EngineConfig;
import io.percore.engine.Engine;
import io.percore.engine.topology.ShardPlacement;
import io.percore.net.discovery.EndpointDiscoveries;
import io.percore.net.discovery.EndpointDiscovery;
import io.percore.net.client.UpstreamClient;
import io.percore.net.client.UpstreamOptions;
import io.percore.net.health.HealthCheckOptions;
import io.percore.net.pool.Endpoint;
import io.percore.net.redis.RedisProtocol;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** EndpointSlice discovery against Fabric8's mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true, https = false)
class KubernetesEndpointSliceDiscoveryTest {

    static KubernetesClient client;
    private static Engine engine;

    @BeforeAll
    static void startEngine() {
        EngineConfig config = new EngineConfig();
        config.setMode(EngineConfig.Mode.OVERPROVISIONED); // the build machine is small and shared
        config.setIdlePoll(Duration.ZERO);
        engine = Engine.start(config, ShardPlacement.unpinned(2, "test"));
    }

    @AfterAll
    static void stopEngine() {
        engine.close();
    }

    private static EndpointSlice slice(String name, String service, String portName, int port, String... readyAddresses) {
        EndpointSliceBuilder b = new EndpointSliceBuilder()
                .withNewMetadata().withName(name).withNamespace("shop")
                .addToLabels("kubernetes.io/service-name", service).endMetadata()
                .withAddressType("IPv4")
                .addNewPort().withName(portName).withPort(port).withProtocol("TCP").endPort();
        for (String a : readyAddresses) {
            b.addToEndpoints(new EndpointBuilder().withAddresses(a).withNewConditions().withReady(true).endConditions().build());
        }
        return b.build();
    }

    private static Set<String> ids(UpstreamClient<?, ?> c, int shard) {
        return c.endpoints(shard).stream().map(Endpoint::id).collect(Collectors.toSet());
    }

    private static boolean everyShardSees(UpstreamClient<?, ?> c, Set<String> expected) {
        for (int s = 0; s < engine.shardCount(); s++) {
            if (!ids(c, s).equals(expected)) {
                return false;
            }
        }
        return true;
    }

    @Test
    void addingAndRemovingEndpointsUpdatesEveryShardsPool() throws Exception {
        client.resource(slice("cache-abc", "cache", "redis", 6379, "10.1.0.1", "10.1.0.2")).create();
        // A slice of another Service must be ignored.
        client.resource(slice("other-xyz", "other", "redis", 6379, "10.9.9.9")).create();

        KubernetesEndpointSliceDiscovery discovery = new KubernetesEndpointSliceDiscovery(client, "shop", "cache", "redis");
        UpstreamClient<?, ?> upstream = UpstreamClient.builder(engine, new RedisProtocol())
                .options(UpstreamOptions.builder("cache").healthCheck(HealthCheckOptions.disabled()).build())
                .discovery(discovery)
                .build();
        try {
            assertThat(everyShardSees(upstream, Set.of("10.1.0.1:6379", "10.1.0.2:6379"))).isTrue();

            // Scale up: a new ready pod, plus one that is not ready yet (must not get traffic).
            EndpointSlice grown = slice("cache-abc", "cache", "redis", 6379, "10.1.0.1", "10.1.0.2", "10.1.0.3");
            grown.getEndpoints().add(new EndpointBuilder().withAddresses("10.1.0.4").withNewConditions().withReady(false).endConditions().build());
            client.resource(grown).update();
            eventually("every shard has the added endpoint", Duration.ofSeconds(15),
                    () -> everyShardSees(upstream, Set.of("10.1.0.1:6379", "10.1.0.2:6379", "10.1.0.3:6379")));

            // A second slice of the same Service adds to the set.
            client.resource(slice("cache-def", "cache", "redis", 6379, "10.1.1.1")).create();
            eventually("every shard has the second slice", Duration.ofSeconds(15),
                    () -> everyShardSees(upstream, Set.of("10.1.0.1:6379", "10.1.0.2:6379", "10.1.0.3:6379", "10.1.1.1:6379")));

            // Scale down and delete a slice.
            client.resource(slice("cache-abc", "cache", "redis", 6379, "10.1.0.2")).update();
            client.resource(slice("cache-def", "cache", "redis", 6379, "10.1.1.1")).delete();
            eventually("every shard dropped the removed endpoints", Duration.ofSeconds(15),
                    () -> everyShardSees(upstream, Set.of("10.1.0.2:6379")));
            for (int s = 0; s < engine.shardCount(); s++) {
                assertThat(upstream.metrics(s).endpoints().keySet()).extracting(Endpoint::id).containsExactly("10.1.0.2:6379");
            }
        } finally {
            upstream.close();
        }
    }

    @Test
    void choosesThePortByName() throws Exception {
        EndpointSlice twoPorts = slice("api-1", "api", "http", 8080, "10.2.0.1");
        twoPorts.getPorts().add(new io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder().withName("metrics").withPort(9090).build());
        client.resource(twoPorts).create();
        List<List<Endpoint>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (KubernetesEndpointSliceDiscovery d = new KubernetesEndpointSliceDiscovery(client, "shop", "api", "metrics")) {
            d.start(seen::add);
            eventually("initial set", Duration.ofSeconds(10), () -> !seen.isEmpty());
            assertThat(seen.get(seen.size() - 1)).extracting(Endpoint::id).containsExactly("10.2.0.1:9090");
        }
    }

    @Test
    void configurationWithKubernetesDiscoveryFindsThisModule() {
        ClientPoolConfig config = new ClientPoolConfig();
        DiscoveryConfig discovery = new DiscoveryConfig();
        discovery.setType(DiscoveryConfig.Type.KUBERNETES);
        discovery.setNamespace("shop");
        discovery.setServiceName("cache");
        discovery.setPortName("redis");
        config.setDiscovery(discovery);
        // net-pooling knows no Kubernetes class: it reaches this module through its service provider.
        try (EndpointDiscovery found = EndpointDiscoveries.from("cache", config)) {
            assertThat(found).isInstanceOf(KubernetesEndpointSliceDiscovery.class)
                    .hasToString("kubernetes[shop/cache:redis]");
        }
    }

    private static void eventually(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Timed out after " + timeout + " waiting for: " + what);
            }
            Thread.sleep(20);
        }
    }
}
