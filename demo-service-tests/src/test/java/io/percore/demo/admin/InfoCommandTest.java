package io.percore.demo.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 14, INFO on a 2-shard server, with the facts of Redis 7.0.15's {@code unit/info-command} and
 * {@code unit/info} (errorstats, commandstats): sections by name, default/all/everything, several in
 * one call, case-insensitive names; commandstats counting calls, rejected and failed calls per
 * command and subcommand; errorstats per error code; per-shard lines.
 */
class InfoCommandTest {

    private static TestServices demo;

    @BeforeAll
    static void start() {
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() {
        demo.close();
    }

    @BeforeEach
    void resetstat() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("CONFIG", "RESETSTAT")).isEqualTo("OK");
        }
    }

    private static String info(RespTestClient c, String... sections) throws IOException {
        String[] command = new String[sections.length + 1];
        command[0] = "INFO";
        System.arraycopy(sections, 0, command, 1, sections.length);
        return (String) c.cmd(command);
    }

    private static List<String> headers(String info) {
        return info.lines().filter(l -> l.startsWith("# ")).toList();
    }

    @Test
    void sectionsByNameDefaultAllAndEverything() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("GET", "x");
            List<String> defaults = List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU",
                    "# Modules", "# Errorstats", "# Cluster", "# Keyspace");
            for (String[] args : new String[][] {{}, {"default"}, {"DEFAULT"}}) {
                String info = info(c, args);
                assertThat(headers(info)).containsExactlyElementsOf(defaults);
                assertThat(info).contains("redis_version:7.0.15", "used_cpu_user:", "used_memory:").doesNotContain("rejected_calls",
                        "sentinel_tilt").doesNotEndWith("\r\n\r\n").endsWith("\r\n");
            }
            List<String> all = List.of("# Server", "# Clients", "# Memory", "# Persistence", "# Stats", "# Replication", "# CPU",
                    "# Modules", "# Commandstats", "# Errorstats", "# Latencystats", "# Cluster", "# Keyspace");
            for (String arg : List.of("all", "everything")) {
                String info = info(c, arg);
                assertThat(headers(info)).containsExactlyElementsOf(all);
                assertThat(info).contains("rejected_calls", "used_cpu_user", "used_memory").doesNotContain("sentinel_tilt");
            }
            assertThat(headers(info(c, "cpu"))).containsExactly("# CPU");
            assertThat(info(c, "commandSTATS")).contains("rejected_calls").doesNotContain("used_memory");
            assertThat(info(c, "sentinel")).isEmpty();
            String cpuAll = info(c, "cpu", "all");
            assertThat(cpuAll.split("used_cpu_user_children", -1)).hasSize(2); // once, not twice
            assertThat(cpuAll).contains("master_repl_offset", "rejected_calls");
            String cpuDefault = info(c, "cpu", "default");
            assertThat(cpuDefault).contains("used_cpu_user", "used_memory", "master_repl_offset").doesNotContain("rejected_calls");
            assertThat(headers(info(c, "keyspace", "server", "clients"))).containsExactly("# Server", "# Clients", "# Keyspace");
        }
    }

    @Test
    void commandstatsCountCallsRejectionsAndFailuresPerCommandAndSubcommand() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            String k0 = demo.keyOn(0, "cs");
            String k1 = demo.keyOn(1, "cs");
            c.cmd("SET", k0, "v");
            c.cmd("SET", k1, "v");            // on the other shard for one of them: counted when its reply comes
            c.cmd("SET", k0);                 // wrong arity: rejected
            c.cmd("INCR", k0);                // WRONGTYPE-like error while running: failed
            c.cmd("CLIENT", "ID");
            c.cmd("CLIENT", "NOSUCH");        // unknown subcommand: no figures of a command
            c.cmd("NOSUCHCOMMAND");
            Map<String, String> f = ClientCommandsTest.infoFields(info(c, "commandstats", "errorstats", "stats"));
            assertThat(f.get("cmdstat_set")).matches("calls=2,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=1,failed_calls=0");
            assertThat(f.get("cmdstat_incr")).matches("calls=1,usec=\\d+,usec_per_call=\\d+\\.\\d\\d,rejected_calls=0,failed_calls=1");
            assertThat(f.get("cmdstat_client|id")).startsWith("calls=1,");
            assertThat(f).doesNotContainKeys("cmdstat_client", "cmdstat_nosuchcommand");
            assertThat(f).containsEntry("errorstat_ERR", "count=4").containsEntry("total_error_replies", "4");
        }
    }

    @Test
    void errorstatsCountByTheErrorsFirstWord() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            String key = demo.keyOn(1, "es");
            c.cmd("SET", key, "v");
            c.cmd("LPUSH", key, "x");          // WRONGTYPE, on the other shard or this one
            c.cmd("HELLO", "9");               // NOPROTO
            c.cmd("AUTH", "x");                // ERR AUTH ... without a password configured
            Map<String, String> f = ClientCommandsTest.infoFields(info(c, "errorstats", "commandstats"));
            assertThat(f).containsEntry("errorstat_WRONGTYPE", "count=1").containsEntry("errorstat_NOPROTO", "count=1")
                    .containsEntry("errorstat_ERR", "count=1");
            assertThat(f.get("cmdstat_auth")).matches("calls=1,.*,rejected_calls=0,failed_calls=1");
            List<String> codes = f.keySet().stream().filter(k -> k.startsWith("errorstat_")).toList();
            assertThat(codes).isSorted();
        }
    }

    @Test
    void anOomIsARejectedCallAsInRedis() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("CONFIG", "SET", "maxmemory", "1");
            try {
                assertThat(((RespTestClient.Err) c.cmd("SET", demo.keyOn(0, "oom"), "b")).text()).startsWith("OOM");
                assertThat(((RespTestClient.Err) c.cmd("SET", demo.keyOn(1, "oom"), "b")).text()).startsWith("OOM");
                Map<String, String> f = ClientCommandsTest.infoFields(info(c, "errorstats", "commandstats"));
                assertThat(f).containsEntry("errorstat_OOM", "count=2");
                assertThat(f.get("cmdstat_set")).matches("calls=0,.*,rejected_calls=2,failed_calls=0");
            } finally {
                c.cmd("CONFIG", "SET", "maxmemory", "0");
            }
        }
    }

    @Test
    void perShardLinesAndServerWideFigures() throws IOException {
        try (RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", demo.keyOn(0, "ps"), "1");
            c.cmd("SET", demo.keyOn(1, "ps"), "1");
            Map<String, String> f = ClientCommandsTest.infoFields(info(c, "keyspace"));
            assertThat(f.get("db0")).startsWith("keys=");
            assertThat(f).containsKeys("shard_0", "shard_1");
            String all = info(c, "all");
            assertThat(all).contains("# CPU\r\nused_cpu_sys:", "used_cpu_sys_main_thread:", "shard_0:used_cpu_sys=",
                    "shard_1:used_cpu_sys=", "instantaneous_ops_per_sec:", "connected_clients:", "maxclients:20000",
                    "role:master", "cluster_enabled:0", "maxmemory_policy:noeviction", "tcp_port:");
            Map<String, String> fields = ClientCommandsTest.infoFields(all);
            assertThat(Long.parseLong(fields.get("total_net_input_bytes"))).isPositive();
            assertThat(fields.get("run_id")).hasSize(40);
        }
    }
}
