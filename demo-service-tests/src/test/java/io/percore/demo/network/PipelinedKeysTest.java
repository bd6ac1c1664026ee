package io.percore.demo.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A pipelined batch's keys are looked up ahead of its commands on the connection's shard, only the
 * keys that shard owns, and the replies are what they are without it.
 */
class PipelinedKeysTest {

    private static TestServices services;

    @BeforeAll
    static void start() {
        services = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        services.close();
    }

    private static long lookedAhead(int shard) {
        return services.service.servers().fromOutside().invokeOn(shard, s -> s.keysLookedAhead).join();
    }

    @Test
    void aBatchLooksAheadAtTheKeysItsShardOwnsAndAnswersAsWithout() throws Exception {
        List<String> own = new ArrayList<>();
        List<String> other = new ArrayList<>();
        for (int i = 0; own.size() < 6 || other.size() < 4; i++) {
            String key = "pk" + i;
            List<String> to = services.service.keyspace().shardOf(key.getBytes()) == 0 ? own : other;
            if (to.size() < (to == own ? 6 : 4)) {
                to.add(key);
            }
        }
        try (RespTestClient c = services.clientOn(0)) {
            for (String key : own) {
                assertThat(c.cmd("SET", key, "v-" + key)).isEqualTo("OK");
            }
            assertThat(c.cmd("SET", other.get(0), "v-" + other.get(0))).isEqualTo("OK");
            long before0 = lookedAhead(0);
            long before1 = lookedAhead(1);
            assertThat(c.cmd("GET", own.get(0))).as("a lone command is not looked ahead").isEqualTo("v-" + own.get(0));
            assertThat(lookedAhead(0)).isEqualTo(before0);

            ByteArrayOutputStream batch = new ByteArrayOutputStream(); // one write: one read on loopback
            List<String> keys = new ArrayList<>();
            keys.add(other.get(1));
            keys.addAll(own);
            keys.addAll(other);
            for (String key : keys) {
                batch.write(RespTestClient.encode("GET", key));
            }
            c.send(batch.toByteArray());
            for (String key : keys) {
                assertThat(c.read()).as(key).isEqualTo(key.equals(other.get(0)) || own.contains(key) ? "v-" + key : null);
            }
            assertThat(lookedAhead(0)).as("the batch's keys on shard 0").isEqualTo(before0 + own.size());
            assertThat(lookedAhead(1)).as("shard 1 ran its keys' commands, not the batch").isEqualTo(before1);
        }
    }
}
