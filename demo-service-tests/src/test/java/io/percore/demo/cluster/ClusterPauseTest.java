package io.percore.demo.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 74: a cluster node that did not run for {@code confirm-layout-after-pause} (a frozen process: here every shard
 * held at once) may have been failed over meanwhile, so its layout waits for the control plane: {@code -CLUSTERDOWN} and
 * {@code cluster_state:fail} until the layout comes again. Without it, a primary thawed after its replica took its slots
 * took writes for them beside the new owner until the operator reached it. A shorter pause changes nothing.
 */
class ClusterPauseTest {

    private static final Duration BOUND = Duration.ofSeconds(3);

    @Test
    void aNodeThatDidNotRunForTheBoundServesItsLayoutOnlyOnceTheControlPlaneSendsItAgain() throws Exception {
        try (TestServices node = TestServices.start(2, DemoSettings.forTests().withCluster(new ClusterSettings(true, null, null, 0, BOUND)));
             RespTestClient c = new RespTestClient(node.respPort())) {
            String id = (String) c.cmd("CLUSTER", "MYID");
            String layout = "node " + id + " 127.0.0.1 " + node.respPort() + " primary\nslots " + id + " 0-16383\n";
            assertThat(c.cmd("CLUSTER", "SETLAYOUT", "1", layout)).isEqualTo("OK");
            assertThat(c.cmd("SET", "k", "before")).isEqualTo("OK");

            holdEveryShard(node, Duration.ofMillis(100)); // a pause well under the bound, as a collector's
            assertThat(c.cmd("SET", "k", "short")).isEqualTo("OK");
            assertThat((String) c.cmd("CLUSTER", "INFO")).contains("cluster_state:ok");

            holdEveryShard(node, BOUND.plusSeconds(1)); // as a frozen process
            assertThat(c.cmd("SET", "k", "thawed")).isEqualTo(new RespTestClient.Err("CLUSTERDOWN The cluster is down"));
            assertThat(c.cmd("GET", "k")).isEqualTo(new RespTestClient.Err("CLUSTERDOWN The cluster is down"));
            assertThat((String) c.cmd("CLUSTER", "INFO")).contains("cluster_state:fail", "cluster_slots_assigned:16384");

            assertThat(c.cmd("CLUSTER", "SETLAYOUT", "1", layout)).as("the control plane confirms it").isEqualTo("OK");
            assertThat(c.cmd("GET", "k")).isEqualTo("short");
            assertThat(c.cmd("SET", "k", "confirmed")).isEqualTo("OK");
            assertThat((String) c.cmd("CLUSTER", "INFO")).contains("cluster_state:ok");
        }
    }

    @Test
    void withoutTheSettingAPauseChangesNothing() throws Exception {
        try (TestServices node = TestServices.start(2, DemoSettings.forTests().withCluster(new ClusterSettings(true, null, null, 0)));
             RespTestClient c = new RespTestClient(node.respPort())) {
            String id = (String) c.cmd("CLUSTER", "MYID");
            assertThat(c.cmd("CLUSTER", "SETLAYOUT", "1", "node " + id + " 127.0.0.1 " + node.respPort() + " primary\nslots " + id
                    + " 0-16383\n")).isEqualTo("OK");
            holdEveryShard(node, Duration.ofSeconds(1));
            assertThat(c.cmd("SET", "k", "v")).isEqualTo("OK");
        }
    }

    /** Every shard held at once for at least {@code held}: no cron, no command runs meanwhile. */
    private static void holdEveryShard(TestServices node, Duration held) throws InterruptedException {
        int shards = node.engine.shardCount();
        CountDownLatch entered = new CountDownLatch(shards);
        CountDownLatch release = new CountDownLatch(1);
        for (int i = 0; i < shards; i++) {
            node.engine.submitTo(i, () -> {
                entered.countDown();
                release.await(60, TimeUnit.SECONDS);
                return null;
            });
        }
        assertThat(entered.await(60, TimeUnit.SECONDS)).as("every shard held").isTrue();
        Thread.sleep(held.toMillis());
        release.countDown();
    }
}
