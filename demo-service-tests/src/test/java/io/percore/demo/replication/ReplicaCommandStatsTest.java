package io.percore.demo.replication;

import static io.percore.demo.replication.ReplicationPrimaryTest.info;
import static io.percore.demo.replication.ReplicationPrimaryTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What a replica applies from its primary's stream counts and shows as redis-server 7.0's replica counts and shows it:
 * Redis runs its master client's commands through {@code call()}, so INFO commandstats, {@code total_commands_processed}
 * and MONITOR see them (the append-only file, loaded outside {@code call()}, is not counted: {@code AofTest}'s concern).
 * A redis-server replica and the demo's follow the same redis-server primary; the primary's writes, one of them inside
 * MULTI/EXEC, are counted alike on both.
 */
class ReplicaCommandStatsTest {

    @Test
    void theStreamsCommandsAreCountedAndShownAsRedisServersReplicaCountsThem() throws Exception {
        try (RealRedis primary = RealRedis.start("--repl-diskless-sync-delay", "0");
             RealRedis redisReplica = RealRedis.start("--replicaof", "127.0.0.1", Integer.toString(primary.port()));
             TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient p = new RespTestClient(primary.port());
             RespTestClient r = new RespTestClient(redisReplica.port());
             RespTestClient d = new RespTestClient(demo.respPort())) {
            assertThat(d.cmd("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()))).isEqualTo("OK");
            waitFor(() -> "up".equals(info(d).get("master_link_status")) && "up".equals(info(r).get("master_link_status")),
                    "both replicas linked");
            assertThat(r.cmd("CONFIG", "RESETSTAT")).isEqualTo("OK");
            assertThat(d.cmd("CONFIG", "RESETSTAT")).isEqualTo("OK");
            // opened once it is a replica: the demotion closes the connections it had (they reconnect to the new primary)
            RespTestClient monitor = new RespTestClient(demo.respPort());
            assertThat(monitor.cmd("MONITOR")).isEqualTo("OK");
            RespTestClient redisMonitor = new RespTestClient(redisReplica.port());
            assertThat(redisMonitor.cmd("MONITOR")).isEqualTo("OK");

            for (int i = 0; i < 5; i++) {
                p.cmd("SET", "k" + i, "v" + i);
            }
            p.cmd("INCR", "counter");
            p.cmd("INCR", "counter");
            p.cmd("MULTI");
            p.cmd("SET", "in-multi", "1");
            p.cmd("LPUSH", "list", "a", "b");
            assertThat(p.cmd("EXEC")).isNotNull();
            long offset = Long.parseLong(info(p).get("master_repl_offset"));
            waitFor(() -> Long.parseLong(info(d).get("slave_repl_offset")) >= offset
                    && Long.parseLong(info(r).get("slave_repl_offset")) >= offset, "both replicas applied the writes");

            Map<String, String> ours = callsOf(d);
            Map<String, String> redis = callsOf(r);
            for (String command : new String[] {"set", "incr", "lpush", "multi", "exec"}) {
                assertThat(ours.get(command)).as("cmdstat_%s calls on the demo's replica (redis-server's: %s)", command, redis)
                        .isEqualTo(redis.get(command)).isNotNull();
            }
            assertThat(ours.get("set")).isEqualTo("6");
            assertThat(Long.parseLong(info(d).get("total_commands_processed")))
                    .as("the stream's commands in total_commands_processed").isGreaterThanOrEqualTo(10);

            // MONITOR on the replica shows what the stream applied (its own INFO between them), from the primary's address as
            // redis-server's replica shows it ([db ip:port] of its master client); a read times out, failing
            String line = firstLineWith(monitor, "\"k0\"");
            String redisLine = firstLineWith(redisMonitor, "\"k0\"");
            assertThat(line).endsWith("\"SET\" \"k0\" \"v0\"");
            assertThat(client(line)).as("the client of %s (redis-server's replica: %s)", line, redisLine).isEqualTo(client(redisLine))
                    .isEqualTo("0 127.0.0.1:" + primary.port());
            monitor.close();
            redisMonitor.close();
        }
    }

    private static String firstLineWith(RespTestClient monitor, String text) throws Exception {
        String line;
        do {
            line = (String) monitor.read();
        } while (!line.contains(text));
        return line;
    }

    /** A MONITOR line's {@code [db client]}. */
    private static String client(String line) {
        return line.substring(line.indexOf('[') + 1, line.indexOf(']'));
    }

    /** INFO commandstats' {@code calls} per command name. */
    private static Map<String, String> callsOf(RespTestClient c) throws Exception {
        Map<String, String> calls = new TreeMap<>();
        for (String line : String.valueOf(c.cmd("INFO", "commandstats")).split("\r\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                String stats = line.substring(line.indexOf(':') + 1);
                for (String field : stats.split(",")) {
                    if (field.startsWith("calls=")) {
                        calls.put(name, field.substring("calls=".length()));
                    }
                }
            }
        }
        return calls;
    }
}
