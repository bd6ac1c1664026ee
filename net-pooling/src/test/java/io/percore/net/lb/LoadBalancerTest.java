package io.percore.net.lb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LoadBalancerTest {

    /** A deterministic endpoint: its availability, load and latency are set by the test. */
    static final class FakeEndpoint implements LbEndpoint {
        final String id;
        boolean available = true;
        int outstanding;
        double latency;

        FakeEndpoint(String id) {
            this.id = id;
        }

        @Override
        public String id() {
            return id;
        }

        @Override
        public boolean isAvailable() {
            return available;
        }

        @Override
        public int outstanding() {
            return outstanding;
        }

        @Override
        public double latencyEstimateNanos(long nowNanos) {
            return latency;
        }

        @Override
        public String toString() {
            return id;
        }
    }

    static List<FakeEndpoint> endpoints(int n) {
        List<FakeEndpoint> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(new FakeEndpoint("10.0.0." + (i + 1) + ":6379"));
        }
        return list;
    }

    @Test
    void roundRobinCyclesAndSkipsUnavailableAndExcluded() {
        List<FakeEndpoint> eps = endpoints(3);
        LoadBalancer lb = LoadBalancing.ROUND_ROBIN.newBalancer(1);
        lb.endpointsChanged(eps);
        List<String> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(lb.pick(eps, 0, null).id);
        }
        assertThat(picks).containsExactly(eps.get(0).id, eps.get(1).id, eps.get(2).id, eps.get(0).id, eps.get(1).id, eps.get(2).id);
        eps.get(1).available = false;
        for (int i = 0; i < 10; i++) {
            assertThat(lb.pick(eps, 0, null)).isNotSameAs(eps.get(1));
        }
        assertThat(lb.pick(eps, 0, eps.get(0))).isSameAs(eps.get(2));
        eps.forEach(e -> e.available = false);
        assertThat(lb.pick(eps, 0, null)).isNull();
    }

    @Test
    void leastOutstandingPrefersTheLessLoadedOfTwo() {
        List<FakeEndpoint> eps = endpoints(2);
        eps.get(0).outstanding = 5;
        LoadBalancer lb = LoadBalancing.LEAST_OUTSTANDING.newBalancer(42);
        for (int i = 0; i < 100; i++) {
            assertThat(lb.pick(eps, 0, null)).isSameAs(eps.get(1));
        }
        // With many endpoints, the busiest one is chosen only if both random choices hit it: never here.
        List<FakeEndpoint> many = endpoints(5);
        many.get(3).outstanding = 100;
        Map<FakeEndpoint, Integer> counts = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            counts.merge(lb.pick(many, 0, null), 1, Integer::sum);
        }
        assertThat(counts.getOrDefault(many.get(3), 0)).isZero();
        assertThat(counts).hasSize(4);
        counts.values().forEach(c -> assertThat(c).isBetween(900, 1600));
    }

    @Test
    void leastOutstandingIsReproducibleForASeed() {
        List<FakeEndpoint> eps = endpoints(4);
        LoadBalancer a = new LeastOutstandingBalancer(7);
        LoadBalancer b = new LeastOutstandingBalancer(7);
        for (int i = 0; i < 50; i++) {
            assertThat(a.pick(eps, 0, null)).isSameAs(b.pick(eps, 0, null));
        }
    }

    @Test
    void peakEwmaPrefersTheFasterAndPenalisesUnmeasuredBusyEndpoints() {
        List<FakeEndpoint> eps = endpoints(2);
        eps.get(0).latency = 5_000_000;
        eps.get(1).latency = 1_000_000;
        LoadBalancer lb = LoadBalancing.PEAK_EWMA.newBalancer(3);
        for (int i = 0; i < 50; i++) {
            assertThat(lb.pick(eps, 0, null)).isSameAs(eps.get(1));
        }
        // Fast but with 9 requests queued costs 10 ms; slow and idle costs 5 ms.
        eps.get(1).outstanding = 9;
        assertThat(lb.pick(eps, 0, null)).isSameAs(eps.get(0));
        // No sample yet but requests in flight: treated as very slow.
        FakeEndpoint fresh = new FakeEndpoint("fresh:1");
        fresh.outstanding = 1;
        List<FakeEndpoint> two = List.of(eps.get(0), fresh);
        assertThat(lb.pick(two, 0, null)).isSameAs(eps.get(0));
    }

    @Test
    void peakEwmaJumpsToPeaksAndDecaysTowardsNewSamples() {
        PeakEwma ewma = new PeakEwma(1_000_000_000L);
        ewma.observe(1_000_000, 0);
        assertThat(ewma.estimateNanos()).isEqualTo(1_000_000);
        ewma.observe(50_000_000, 1_000);
        assertThat(ewma.estimateNanos()).isEqualTo(50_000_000);
        // One tau later, a fast sample pulls the estimate 63 % of the way down.
        ewma.observe(1_000_000, 1_000_001_000L);
        assertThat(ewma.estimateNanos()).isCloseTo(1_000_000 + 49_000_000 * Math.exp(-1), org.assertj.core.data.Offset.offset(1.0));
    }

    @Test
    void maglevSpreadsKeysEvenly() {
        List<FakeEndpoint> eps = endpoints(10);
        LoadBalancer lb = new MaglevBalancer();
        lb.endpointsChanged(eps);
        Map<String, Integer> counts = new HashMap<>();
        for (int k = 0; k < 100_000; k++) {
            counts.merge(lb.pick(eps, KeyHash.of("key:" + k), null).id, 1, Integer::sum);
        }
        assertThat(counts).hasSize(10);
        counts.values().forEach(c -> assertThat(c).isBetween(8_500, 11_500));
    }

    @Test
    void maglevRemovingOneOfNEndpointsMovesAboutOneNthOfTheKeys() {
        int n = 10;
        int keys = 100_000;
        List<FakeEndpoint> eps = endpoints(n);
        LoadBalancer lb = new MaglevBalancer();
        lb.endpointsChanged(eps);
        String[] before = new String[keys];
        for (int k = 0; k < keys; k++) {
            before[k] = lb.pick(eps, KeyHash.of("key:" + k), null).id;
        }
        FakeEndpoint removed = eps.get(4);
        List<FakeEndpoint> fewer = new ArrayList<>(eps);
        fewer.remove(removed);
        lb.endpointsChanged(fewer);
        int moved = 0;
        int onRemoved = 0;
        for (int k = 0; k < keys; k++) {
            String after = lb.pick(fewer, KeyHash.of("key:" + k), null).id;
            if (before[k].equals(removed.id)) {
                onRemoved++;
            }
            if (!after.equals(before[k])) {
                moved++;
                assertThat(after).isNotEqualTo(removed.id);
            }
        }
        // Every key of the removed endpoint must move; Maglev moves only a few others besides.
        assertThat(moved).isGreaterThanOrEqualTo(onRemoved);
        assertThat((double) moved / keys).isBetween(0.08, 0.14);
        // A fresh balancer on the same set agrees (every shard builds the same table).
        LoadBalancer other = new MaglevBalancer();
        other.endpointsChanged(fewer);
        for (int k = 0; k < 1000; k++) {
            assertThat(other.pick(fewer, KeyHash.of("key:" + k), null).id).isEqualTo(lb.pick(fewer, KeyHash.of("key:" + k), null).id);
        }
    }

    @Test
    void maglevUnavailableEndpointMovesOnlyItsOwnKeys() {
        List<FakeEndpoint> eps = endpoints(5);
        LoadBalancer lb = new MaglevBalancer();
        lb.endpointsChanged(eps);
        String[] before = new String[20_000];
        for (int k = 0; k < before.length; k++) {
            before[k] = lb.pick(eps, KeyHash.of("k" + k), null).id;
        }
        eps.get(2).available = false;
        for (int k = 0; k < before.length; k++) {
            String after = lb.pick(eps, KeyHash.of("k" + k), null).id;
            if (before[k].equals(eps.get(2).id)) {
                assertThat(after).isNotEqualTo(eps.get(2).id);
            } else {
                assertThat(after).isEqualTo(before[k]);
            }
        }
        eps.forEach(e -> e.available = false);
        assertThat(lb.pick(eps, 1, null)).isNull();
    }

    @Test
    void keyHashIsStable() {
        assertThat(KeyHash.of("user:42")).isEqualTo(KeyHash.of("user:42".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(KeyHash.of("user:42")).isNotEqualTo(KeyHash.of("user:43"));
        assertThat(KeyHash.of(new StringBuilder("user:42"))).isEqualTo(KeyHash.of("user:42"));
    }
}
