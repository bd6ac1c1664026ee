package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 28, functions outlive the process and reach replicas as redis-server's do: a snapshot holds
 * the libraries (Redis's function opcode, before the keys), {@code redis-check-rdb} accepts it,
 * redis-server loads it and a redis-server's snapshot with libraries loads here, into any shard
 * count; the append-only file logs FUNCTION LOAD/DELETE/RESTORE and its rewrite's base holds the
 * libraries; a replica, redis-server or this service, gets them in its full sync and the changes
 * after it in the stream.
 */
class FunctionPersistenceTest {

    @TempDir
    Path dir;

    private static final String LIB = "#!lua name=lib\n"
            + "redis.register_function('setk', function(keys, args) return redis.call('set', keys[1], args[1]) end)\n"
            + "redis.register_function{function_name='getk', description='reads', callback=function(keys) return redis.call('get', keys[1]) end,"
            + " flags={'no-writes'}}";
    private static final String OTHER = "#!lua name=other\nredis.register_function('one', function() return 1 end)";

    private static Object libraries(RespTestClient c) throws IOException {
        return RealRedis.listsUnordered(c.cmd("FUNCTION", "LIST", "WITHCODE"));
    }

    @Test
    void aSnapshotHoldsTheLibrariesForRedisAndForAnyShardCountAndRedisSnapshotsLoadHere() throws Exception {
        Object expected;
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("FUNCTION", "LOAD", LIB)).isEqualTo("lib");
            assertThat(c.cmd("FUNCTION", "LOAD", OTHER)).isEqualTo("other");
            c.cmd("FCALL", "setk", "1", "k", "v");
            expected = libraries(c);
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        Path file = dir.resolve("dump.rdb");
        Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("RDB looks OK");
        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--dbfilename", "dump.rdb", "--databases", "1");
             RespTestClient r = new RespTestClient(redis.port())) {
            assertThat(libraries(r)).isEqualTo(expected);
            assertThat(r.cmd("FCALL_RO", "getk", "1", "k")).isEqualTo("v");
            r.cmd("FUNCTION", "DELETE", "other");
            r.cmd("FUNCTION", "LOAD", "#!lua name=fromredis\nredis.register_function('two', function() return 2 end)");
            expected = libraries(r);
            assertThat(r.cmd("SAVE")).isEqualTo("OK"); // redis-server's own file, its strings LZF-compressed
        }
        for (int shards : new int[] {3, 1}) {
            try (TestServices demo = TestServices.start(shards, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
                 RespTestClient c = new RespTestClient(demo.respPort())) {
                assertThat(libraries(c)).as("%d shards", shards).isEqualTo(expected);
                for (int i = 0; i < shards; i++) {
                    String key = demo.keyOn(i, "on" + i + ":");
                    assertThat(c.cmd("FCALL", "SETK", "1", key, "x" + i)).isEqualTo("OK");
                    assertThat(c.cmd("FCALL_RO", "getk", "1", key)).isEqualTo("x" + i);
                }
                assertThat(c.cmd("FCALL", "two", "0")).isEqualTo(2L);
                assertThat(c.cmd("SAVE")).isEqualTo("OK");
            }
        }
    }

    @Test
    void theAppendOnlyFileLogsLibraryChangesAndItsRewriteKeepsThem() throws Exception {
        PersistenceSettings aof = PersistenceSettings.in(dir).withAof(AofSettings.OFF.withEnabled(true));
        Object expected;
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(aof));
             RespTestClient c = new RespTestClient(demo.respPort()).binary()) {
            c.cmd("FUNCTION", "LOAD", LIB);
            c.cmd("FUNCTION", "LOAD", OTHER);
            String payload = (String) c.cmd("FUNCTION", "DUMP");
            c.cmd("FUNCTION", "DELETE", "lib");
            c.cmd("FUNCTION", "LOAD", "#!lua name=gone\nredis.register_function('g', function() return 0 end)");
            c.cmd("FUNCTION", "FLUSH");
            assertThat(c.cmd("FUNCTION", "RESTORE", payload)).isEqualTo("OK");
            expected = libraries(c);
        }
        Path copy = Files.createDirectory(dir.resolve("copy"));
        copyTree(dir.resolve("appendonlydir"), copy.resolve("appendonlydir"));
        try (TestServices demo = TestServices.start(3, DemoSettings.forTests().withPersistence(aof));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(libraries(c)).isEqualTo(expected);
            assertThat(c.cmd("BGREWRITEAOF")).isEqualTo("Background append only file rewriting started");
            waitFor(() -> "0".equals(info(c, "aof_rewrite_in_progress")) && "0".equals(info(c, "aof_rewrite_scheduled")));
            c.cmd("FUNCTION", "DELETE", "other");
            expected = libraries(c);
        }
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(aof));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(libraries(c)).as("from the rewrite's base and the log after it").isEqualTo(expected);
        }
        // the log before the rewrite, as redis-server reads it
        try (RealRedis redis = RealRedis.start("--dir", copy.toString(), "--appendonly", "yes", "--databases", "1");
             RespTestClient r = new RespTestClient(redis.port())) {
            assertThat(r.cmd("FCALL_RO", "getk", "1", "nokey")).isNull();
            assertThat(r.cmd("FCALL", "one", "0")).isEqualTo(1L);
            assertThat(r.cmd("FCALL", "g", "0")).isEqualTo(new RespTestClient.Err("ERR Function not found"));
        }
    }

    @Test
    void replicasGetTheLibrariesInTheirFullSyncAndTheChangesAfterIt() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
             RespTestClient p = new RespTestClient(demo.respPort())) {
            p.cmd("FUNCTION", "LOAD", LIB);
            Path replicaDir = Files.createDirectory(dir.resolve("redis-replica"));
            try (RealRedis replica = RealRedis.start("--dir", replicaDir.toString(), "--replicaof", "127.0.0.1",
                    Integer.toString(demo.respPort()), "--databases", "1");
                 RespTestClient r = new RespTestClient(replica.port())) {
                waitFor(() -> "up".equals(info(r, "master_link_status")));
                assertThat(libraries(r)).isEqualTo(libraries(p));
                p.cmd("FUNCTION", "LOAD", OTHER);
                p.cmd("FUNCTION", "DELETE", "lib");
                p.cmd("FCALL", "one", "0");
                waitFor(() -> libraries(r).equals(libraries(p)));
            }
        }
        // this service as a replica of redis-server
        try (RealRedis primary = RealRedis.start("--databases", "1");
             RespTestClient p = new RespTestClient(primary.port());
             TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(
                     PersistenceSettings.in(Files.createDirectory(dir.resolve("demo-replica")))));
             RespTestClient r = new RespTestClient(demo.respPort())) {
            p.cmd("FUNCTION", "LOAD", LIB);
            p.cmd("FCALL", "setk", "1", "k", "v");
            assertThat(r.cmd("FUNCTION", "LOAD", OTHER)).isEqualTo("other"); // gone with the full sync
            assertThat(r.cmd("REPLICAOF", "127.0.0.1", Integer.toString(primary.port()))).isEqualTo("OK");
            waitFor(() -> "up".equals(info(r, "master_link_status")));
            assertThat(libraries(r)).isEqualTo(libraries(p));
            assertThat(r.cmd("FCALL_RO", "getk", "1", "k")).isEqualTo("v");
            assertThat(r.cmd("FCALL", "setk", "1", "k", "w")).isEqualTo(new RespTestClient.Err("READONLY Can not run script with write flag on readonly replica"));
            p.cmd("FUNCTION", "LOAD", "REPLACE", OTHER);
            p.cmd("FUNCTION", "DELETE", "lib");
            waitFor(() -> libraries(r).equals(libraries(p)));
            // not no-writes: refused before it runs, in redis-server's words (script.c's scriptPrepareForRun)
            assertThat(r.cmd("FCALL", "one", "0")).isEqualTo(new RespTestClient.Err("READONLY Can not run script with write flag on readonly replica"));
        }
    }

    private static String info(RespTestClient c, String field) throws IOException {
        for (String line : ((String) c.cmd("INFO", "everything")).split("\r\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1);
            }
        }
        return null;
    }

    private static void waitFor(Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.call()) {
            assertThat(System.nanoTime()).as("timed out").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
