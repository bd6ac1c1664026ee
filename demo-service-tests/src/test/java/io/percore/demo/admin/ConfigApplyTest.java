package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemorySettings;
import io.percore.demo.server.ServerShard;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each row's apply function acts on every shard (or on shard 0 for a subsystem the service has once) when CONFIG SET
 * changes it, from whichever shard the CONFIG SET came ({@link ConfigApply}): the rows apply themselves, no second list
 * of what to do when a value changes.
 */
class ConfigApplyTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    private static <T> List<T> onEveryShard(Function<ServerShard, T> read) {
        return List.of(demo.service.servers().fromOutside().invokeOn(0, read::apply).join(),
                demo.service.servers().fromOutside().invokeOn(1, read::apply).join());
    }

    @Test
    void aConfigSetFromEitherShardActsOnEveryShard() throws Exception {
        for (int from = 0; from < 2; from++) {
            try (RespTestClient c = demo.clientOn(from)) {
                long maxmemory = (64L + from) << 20;
                assertThat(c.cmd("CONFIG", "SET", "maxmemory", Long.toString(maxmemory), "maxmemory-policy", "allkeys-lru",
                        "hash-max-listpack-entries", Integer.toString(7 + from), "slowlog-log-slower-than", Integer.toString(7 + from),
                        "tracking-table-max-keys", "1000", "notify-keyspace-events", "")).isEqualTo("OK");
                assertThat(onEveryShard(s -> s.data().databases().budget())).as("the budget, set from shard %d", from)
                        .containsOnly(new MemorySettings(maxmemory, MaxmemoryPolicy.ALLKEYS_LRU, 5).perShard(2));
                long entries = 7 + from;
                assertThat(onEveryShard(s -> s.data().databases().encodings().hash().maxEntries())).containsOnly(entries);
                assertThat(onEveryShard(s -> s.slowlogThresholdNanos)).containsOnly((7L + from) * 1000);
            }
        }
    }

    @Test
    void theServicesSubsystemsTakeTheirRowsOnce() throws Exception {
        try (RespTestClient c = demo.clientOn(1)) {
            assertThat(c.cmd("CONFIG", "SET", "save", "900 1", "repl-backlog-size", "3mb", "acllog-max-len", "7",
                    "requirepass", "applied")).isEqualTo("OK");
            assertThat(demo.service.persistence().settings().save().text()).isEqualTo("900 1");
            assertThat(demo.service.replication().settings().backlogSize()).isEqualTo(3L << 20);
            assertThat(onEveryShard(s -> s.acl().log().maxLength())).containsOnly(7L);
            try (RespTestClient other = new RespTestClient(demo.respPort())) {
                assertThat(String.valueOf(other.cmd("GET", "k"))).startsWith("Err[text=NOAUTH");
                assertThat(other.cmd("AUTH", "applied")).isEqualTo("OK");
                assertThat(other.cmd("CONFIG", "SET", "requirepass", "", "save", "", "acllog-max-len", "128")).isEqualTo("OK");
            }
        }
    }
}
