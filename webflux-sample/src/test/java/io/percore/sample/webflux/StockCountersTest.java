package io.percore.sample.webflux;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** The same counters on Spring Boot's own Reactor Netty server (its event loops: at least four), over a shared ConcurrentHashMap. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"percore.web.enabled=false", "percore.engine.shards=1", "percore.engine.mode=overprovisioned"})
class StockCountersTest extends CountersContract {

    @LocalServerPort
    int port;

    @Autowired
    KeyCounts counts;

    @Override
    int port() {
        return port;
    }

    @Test
    void springBootsOwnServerServesThemWithSharedState() {
        assertThat(counts).isInstanceOf(ConcurrentKeyCounts.class);
    }
}
