package io.percore.demo.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoService;
import io.percore.demo.support.FullSyncHold;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The readiness the kubelet asks ({@code /actuator/health/readiness}): a replica is ready only while its link to its
 * primary streams. Loading a full sync, or with the link down, it is out of service (503) with the reason, so the
 * Services that spread reads never send a read to a replica that does not hold its primary's data (issue 69: 9 of 12
 * reads through the read Service were answered empty by a replica whose link was down). Liveness is not touched.
 */
class ReplicaReadinessTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aReplicaIsReadyOnlyWhileItsLinkStreams() throws Exception {
        // the replica's link goes through a relay that holds the primary's snapshot until this test has seen the replica
        // loading it: the order is this test's, whatever the time the app takes to start on a loaded machine
        try (RealRedis primary = RealRedis.start("--repl-diskless-sync", "no"); FullSyncHold hold = FullSyncHold.to(primary.port());
             RespTestClient p = new RespTestClient(primary.port())) {
            String address = "127.0.0.1:" + hold.port();
            p.cmd("SET", "k", "v");
            try (ConfigurableApplicationContext context = new SpringApplicationBuilder(DemoApplication.class).run(
                    "--percore.servers.resp.port=0", "--percore.servers.http.port=0", "--management.server.port=0",
                    "--percore.engine.shards=2", "--percore.engine.mode=overprovisioned",
                    "--percore.demo.replication.replicaof=127.0.0.1 " + hold.port())) {
                String management = context.getEnvironment().getProperty("local.management.port");
                int port = Integer.parseInt(management != null ? management : context.getEnvironment().getProperty("local.server.port"));
                DemoService service = context.getBean(DemoService.class);

                HttpResponse<String> syncing = awaitReadiness(port, r -> r.body().contains("loading a full sync"));
                assertThat(hold.holding()).as("seen while its snapshot is held").isTrue();
                assertThat(syncing.statusCode()).isEqualTo(503);
                assertThat(syncing.body()).contains("OUT_OF_SERVICE").contains(address)
                        .contains("\"percore\"").as("the starter's shards stay in the group");
                assertThat(get(port, "/actuator/health/liveness").statusCode()).as("a replica waiting for its primary is alive").isEqualTo(200);
                try (RespTestClient r = new RespTestClient(service.respPort())) {
                    assertThat(String.valueOf(r.cmd("INFO", "replication"))).contains("master_sync_in_progress:1");
                    assertThat(r.cmd("GET", "k")).as("nothing loaded yet: why it must not be sent reads").isNull();
                }
                hold.release();

                HttpResponse<String> streaming = awaitReadiness(port, r -> r.statusCode() == 200);
                assertThat(streaming.body()).contains("\"replication\"").contains("UP");
                try (RespTestClient r = new RespTestClient(service.respPort())) {
                    assertThat(r.cmd("GET", "k")).isEqualTo("v");
                }

                primary.close(); // the primary dies: the replica's data is of a past moment now
                HttpResponse<String> down = awaitReadiness(port, r -> r.statusCode() == 503);
                assertThat(down.body()).contains("a replica whose link to " + address + " is down");
                hold.close(); // and nothing listens at its address any more
                // the reason follows the tries: the primary closed the link, then nothing listens there
                awaitReadiness(port, r -> r.statusCode() == 503 && r.body().contains("cannot connect to " + address));
                assertThat(get(port, "/actuator/health/liveness").statusCode()).isEqualTo(200);
                try (RespTestClient r = new RespTestClient(service.respPort())) {
                    String info = String.valueOf(r.cmd("INFO", "replication"));
                    assertThat(info).contains("master_link_status:down").contains("master_link_last_error:cannot connect to " + address);
                    r.cmd("REPLICAOF", "NO", "ONE"); // promoted: a primary serves what it has
                }
                assertThat(awaitReadiness(port, r -> r.statusCode() == 200).body()).contains("\"role\":\"primary\"");
            }
        }
    }

    private static HttpResponse<String> awaitReadiness(int port, Predicate<HttpResponse<String>> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        HttpResponse<String> last = null;
        while (System.nanoTime() < deadline) {
            last = get(port, "/actuator/health/readiness");
            if (until.test(last)) {
                return last;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("readiness never got there; last " + (last == null ? null : last.statusCode() + " " + last.body())
                + "; /actuator/health: " + get(port, "/actuator/health").body());
    }

    private static HttpResponse<String> get(int port, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
