package io.percore.net.discovery;

import static io.percore.net.TestSupport.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.config.ClientPoolConfig;
import io.percore.config.DiscoveryConfig;
import io.percore.net.pool.Endpoint;
import io.percore.net.pool.HostAndPort;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DnsDiscoveryTest {

    @Test
    void reResolvesAndPublishesOnlyChangesAndSurvivesAFailedLookup() throws Exception {
        AtomicReference<Object> answer = new AtomicReference<>(new String[] {"10.0.0.1", "10.0.0.2"});
        AtomicInteger lookups = new AtomicInteger();
        DnsDiscovery.Resolver resolver = host -> {
            lookups.incrementAndGet();
            Object a = answer.get();
            if (a instanceof UnknownHostException) {
                throw (UnknownHostException) a;
            }
            String[] ips = (String[]) a;
            InetAddress[] out = new InetAddress[ips.length];
            for (int i = 0; i < ips.length; i++) {
                out[i] = InetAddress.getByAddress(host, InetAddress.getByName(ips[i]).getAddress());
            }
            return out;
        };
        List<List<Endpoint>> published = new CopyOnWriteArrayList<>();
        try (DnsDiscovery d = new DnsDiscovery(List.of(new HostAndPort("redis.shop.svc", 6379)), Duration.ofMillis(50), resolver)) {
            d.start(published::add);
            assertThat(published).hasSize(1);
            assertThat(published.get(0)).extracting(Endpoint::id).containsExactly("10.0.0.1:6379", "10.0.0.2:6379");
            assertThat(published.get(0).get(0).hostName()).isEqualTo("redis.shop.svc");
            // bounded by lookups seen, not by time: a loaded machine may run none in a fixed pause
            int looked = lookups.get();
            eventually("three more lookups", Duration.ofSeconds(30), () -> lookups.get() >= looked + 3);
            assertThat(published).as("unchanged answers are not republished").hasSize(1);

            answer.set(new UnknownHostException("SERVFAIL"));
            int beforeFailures = lookups.get();
            eventually("three failed lookups", Duration.ofSeconds(30), () -> lookups.get() >= beforeFailures + 3);
            assertThat(published).as("a failed lookup keeps the last addresses").hasSize(1);

            answer.set(new String[] {"10.0.0.2", "10.0.0.3"});
            eventually("new addresses published", Duration.ofSeconds(30), () -> published.size() == 2);
            assertThat(published.get(1)).extracting(Endpoint::id).containsExactly("10.0.0.2:6379", "10.0.0.3:6379");
        }
    }

    @Test
    void resolvesRealNames() {
        List<List<Endpoint>> published = new CopyOnWriteArrayList<>();
        try (DnsDiscovery d = new DnsDiscovery(List.of(HostAndPort.parse("localhost:6380")), Duration.ofSeconds(30))) {
            d.start(published::add);
        }
        assertThat(published).hasSize(1);
        assertThat(published.get(0)).isNotEmpty().allMatch(e -> e.address().getAddress().isLoopbackAddress());
    }

    @Test
    void buildsTheConfiguredDiscovery() {
        ClientPoolConfig c = new ClientPoolConfig();
        c.setEndpoints(List.of("127.0.0.1:6379", "127.0.0.1:6380"));
        assertThat(EndpointDiscoveries.from("cache", c)).isInstanceOf(StaticDiscovery.class);
        c.getDiscovery().setType(DiscoveryConfig.Type.DNS);
        try (EndpointDiscovery d = EndpointDiscoveries.from("cache", c)) {
            assertThat(d).isInstanceOf(DnsDiscovery.class);
        }
        c.setEndpoints(List.of());
        // The validator's own error: one rule, one place (config-schema's ModelRules).
        assertThatThrownBy(() -> EndpointDiscoveries.from("cache", c))
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.clients.cache.endpoints").hasMessageContaining("dns").hasMessageContaining("(required)");
        c.getDiscovery().setType(DiscoveryConfig.Type.KUBERNETES);
        assertThatThrownBy(() -> EndpointDiscoveries.from("cache", c))
                .isInstanceOf(io.percore.config.schema.ConfigValidationException.class)
                .hasMessageContaining("percore.clients.cache.discovery.service-name").hasMessageContaining("(required)");
    }
}
