package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The longest string a write may make is the live {@code proto-max-bulk-len}, as redis-server 7.0.15's
 * {@code checkStringLength} (APPEND, SETRANGE) and {@code getBitOffsetFromArgument} (SETBIT, GETBIT, BITFIELD) read it:
 * a CONFIG SET sent to one shard bounds the next write on every shard, and a primary's stream is obeyed whatever the
 * replica's bound ({@code mustObeyClient}). Each reply is compared with redis-server's.
 */
class StringLengthBoundParityTest {

    private static final int MB = 1 << 20;

    @Test
    void theBoundIsTheLiveProtoMaxBulkLenOnEveryShard() throws Exception {
        try (RealRedis redis = RealRedis.start();
             TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient r = new RespTestClient(redis.port());
             RespTestClient configOn0 = demo.clientOn(0);
             RespTestClient d = demo.clientOn(1)) {
            assertThat(configOn0.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb")).isEqualTo("OK");
            assertThat(r.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb")).isEqualTo("OK");
            String big = "x".repeat(MB - 1000);
            List<String[]> commands = new ArrayList<>();
            // keys named by shard count; the eight spread over both shards
            for (int k = 0; k < 8; k++) {
                String key = "bound:" + k;
                commands.add(new String[] {"SETRANGE", key, Integer.toString(MB - 1), "x"}); // ends at the bound: taken
                commands.add(new String[] {"SETRANGE", key, Integer.toString(MB), "x"}); // one byte past it
                commands.add(new String[] {"DEL", key});
                commands.add(new String[] {"SET", key, "y".repeat(1000)});
                commands.add(new String[] {"APPEND", key, big}); // to the bound
                commands.add(new String[] {"APPEND", key, "z"});
                commands.add(new String[] {"SETBIT", "bits:" + k, Integer.toString(8 * MB - 1), "1"});
                commands.add(new String[] {"SETBIT", "bits:" + k, Integer.toString(8 * MB), "1"});
                commands.add(new String[] {"GETBIT", "bits:" + k, Integer.toString(8 * MB)});
                commands.add(new String[] {"BITFIELD", "bits:" + k, "SET", "u8", Integer.toString(8 * MB - 8), "1"});
                commands.add(new String[] {"BITFIELD", "bits:" + k, "SET", "u8", "#" + MB, "1"});
                commands.add(new String[] {"STRLEN", key});
                commands.add(new String[] {"STRLEN", "bits:" + k});
            }
            for (String[] command : commands) {
                assertThat(d.cmd(command)).as(String.join(" ", command).replace(big, "<" + big.length() + " bytes>"))
                        .isEqualTo(r.cmd(command));
            }
            assertThat(String.valueOf(d.cmd("SETRANGE", "bound:0", Integer.toString(MB), "x"))).contains("proto-max-bulk-len");

            // raised again: the next write takes it, on every shard
            assertThat(configOn0.cmd("CONFIG", "SET", "proto-max-bulk-len", "2mb")).isEqualTo("OK");
            assertThat(r.cmd("CONFIG", "SET", "proto-max-bulk-len", "2mb")).isEqualTo("OK");
            for (int k = 0; k < 8; k++) {
                String[] past = {"SETRANGE", "bound:" + k, Integer.toString(MB), "x"};
                assertThat(d.cmd(past)).as(String.join(" ", past)).isEqualTo(r.cmd(past)).isEqualTo((long) MB + 1);
            }
        }
    }

    @Test
    void aPrimarysStreamIsObeyedWhateverTheReplicasBound() throws Exception {
        try (RealRedis primary = RealRedis.start("--repl-diskless-sync-delay", "0");
             RealRedis redisReplica = RealRedis.start("--proto-max-bulk-len", "1mb", "--replicaof", "127.0.0.1",
                     Integer.toString(primary.port()));
             TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient p = new RespTestClient(primary.port());
             RespTestClient r = new RespTestClient(redisReplica.port())) {
            try (RespTestClient d = new RespTestClient(demo.respPort())) {
                assertThat(d.cmd("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()))).isEqualTo("OK");
            }
            try (RespTestClient d = new RespTestClient(demo.respPort())) {
                // linked first: the writes below come in the stream (a full sync's snapshot has no bound to obey)
                awaitField(d, "master_link_status", "up");
                awaitField(r, "master_link_status", "up");
                assertThat(d.cmd("CONFIG", "SET", "proto-max-bulk-len", "1mb")).isEqualTo("OK");
                for (int k = 0; k < 4; k++) {
                    p.cmd("SETRANGE", "obeyed:" + k, Integer.toString(2 * MB), "x");
                    p.cmd("APPEND", "obeyed:" + k, "y");
                    p.cmd("SETBIT", "obeyedbits:" + k, Integer.toString(16 * MB), "1");
                }
                long offset = offset(p, "master_repl_offset");
                awaitOffset(r, offset);
                awaitOffset(d, offset);
                for (int k = 0; k < 4; k++) {
                    for (String[] read : new String[][] {{"STRLEN", "obeyed:" + k}, {"GETRANGE", "obeyed:" + k, "-2", "-1"},
                            {"STRLEN", "obeyedbits:" + k}}) {
                        assertThat(d.cmd(read)).as(String.join(" ", read)).isEqualTo(r.cmd(read)).isNotEqualTo(0L);
                    }
                }
                assertThat(d.cmd("STRLEN", "obeyed:0")).isEqualTo(2L * MB + 2);
            }
        }
    }

    private static long offset(RespTestClient c, String field) throws IOException {
        String value = field(c, field);
        return value.isEmpty() ? -1 : Long.parseLong(value);
    }

    private static void awaitField(RespTestClient c, String field, String value) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!field(c, field).equals(value)) {
            assertThat(System.nanoTime()).as("%s became %s", field, value).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String field(RespTestClient c, String field) throws IOException {
        for (String line : ((String) c.cmd("INFO", "replication")).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return "";
    }

    private static void awaitOffset(RespTestClient replica, long offset) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (offset(replica, "slave_repl_offset") < offset) {
            assertThat(System.nanoTime()).as("the replica reached offset %d", offset).isLessThan(deadline);
            Thread.sleep(20);
        }
    }
}
