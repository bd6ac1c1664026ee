package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 68, the files: keys in databases 0, 3 and 15 go both ways between the service and a real
 * redis-server 7.0.15 through the snapshot (SELECTDB and RESIZEDB per database) and the append-only file
 * (SELECT before the commands of another database; a rewrite's base holds every database), redis-check-rdb
 * and redis-check-aof accept the service's files, the service reloads its own into another shard count,
 * and a file with keys of a database past the service's {@code databases} stops the start with the reason.
 */
class DatabasesPersistenceTest {

    @TempDir
    Path dir;

    private static TestServices start(int shards, PersistenceSettings persistence) {
        return TestServices.start(shards, DemoSettings.forTests().withPersistence(persistence));
    }

    private PersistenceSettings aof(Path in) {
        return PersistenceSettings.in(in).withAof(AofSettings.OFF.withEnabled(true).withFsync(AofSettings.Fsync.EVERYSEC));
    }

    @Test
    void aDumpOfSeveralDatabasesGoesBothWaysWithRedisServer() throws Exception {
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        Map<String, String> original;
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--dbfilename", "dump.rdb", "--save", "");
             RespTestClient c = new RespTestClient(redis.port())) {
            KeyspaceContents.fillDatabases(c);
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            original = KeyspaceContents.ofDatabases(c);
        }
        assertThat(original.keySet()).anyMatch(k -> k.startsWith("3:")).anyMatch(k -> k.startsWith("15:"));
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Files.copy(redisDir.resolve("dump.rdb"), ours.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        try (TestServices demo = start(3, PersistenceSettings.in(ours)); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(KeyspaceContents.ofDatabases(c)).as("redis-server's dump loaded, each key in its database").isEqualTo(original);
            String keyspace = (String) c.cmd("INFO", "keyspace");
            assertThat(keyspace).contains("db0:keys=").contains("db3:keys=204,expires=1,").contains("db15:keys=204,expires=1,");
            c.cmd("SELECT", "15");
            c.cmd("SET", "written:by:the:service", "15");
            original = KeyspaceContents.ofDatabases(c);
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        Path file = ours.resolve("dump.rdb");
        Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("RDB looks OK").contains(original.size() + " keys read");
        try (RealRedis redis = RealRedis.start("--dir", ours.toString(), "--dbfilename", "dump.rdb", "--save", "");
             RespTestClient c = new RespTestClient(redis.port())) {
            assertThat(KeyspaceContents.ofDatabases(c)).as("the service's dump loaded by redis-server").isEqualTo(original);
        }
        try (TestServices demo = start(2, PersistenceSettings.in(ours)); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(KeyspaceContents.ofDatabases(c)).as("the service's own dump, into another shard count").isEqualTo(original);
        }
    }

    @Test
    void aDumpWithADatabaseTheServiceDoesNotHaveStopsTheStartSayingWhy() throws Exception {
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--dbfilename", "dump.rdb", "--save", "",
                "--databases", "32"); RespTestClient c = new RespTestClient(redis.port())) {
            c.cmd("SET", "a", "0");
            c.cmd("SELECT", "20");
            c.cmd("SET", "b", "20");
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        assertThatThrownBy(() -> start(2, PersistenceSettings.in(redisDir)))
                .hasMessageContaining("keys of database 20: this server has 16 databases, 0 to 15");
        // with databases 32 the same file loads
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(redisDir))
                .withDatabases(32)); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("CONFIG", "GET", "databases")).isEqualTo(List.of("databases", "32"));
            c.cmd("SELECT", "20");
            assertThat(c.cmd("GET", "b")).isEqualTo("20");
        }
    }

    @Test
    void theAppendOnlyFileSelectsEachDatabaseAndGoesBothWaysWithRedisServer() throws Exception {
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Map<String, String> original;
        try (TestServices demo = start(3, aof(ours)); RespTestClient c = new RespTestClient(demo.respPort())) {
            KeyspaceContents.fillDatabases(c);
            c.cmd("SELECT", "3");
            c.cmd("MULTI");
            c.cmd("INCR", "counter:3");
            c.cmd("SELECT", "15"); // inside the transaction: its commands after it, and the client after EXEC
            c.cmd("INCR", "counter:15");
            c.cmd("EXEC");
            c.cmd("MOVE", "counter:15", "0");
            c.cmd("COPY", "h:15", "h:copied", "DB", "3");
            c.cmd("SWAPDB", "3", "15");
            original = KeyspaceContents.ofDatabases(c);
        }
        Path incr = ours.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
        String log = Files.readString(incr, StandardCharsets.ISO_8859_1);
        assertThat(log).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n").contains("*2\r\n$6\r\nSELECT\r\n$1\r\n3\r\n")
                .contains("*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n").contains("SWAPDB");
        checkAof(ours.resolve("appendonlydir").resolve("appendonly.aof.manifest"));
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        copyTree(ours.resolve("appendonlydir"), redisDir.resolve("appendonlydir"));
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--appendonly", "yes");
             RespTestClient c = new RespTestClient(redis.port())) {
            assertThat(KeyspaceContents.ofDatabases(c)).as("the service's log loaded by redis-server").isEqualTo(original);
            // what redis-server logs from here (its rewrite's base, then SELECTs), the service loads
            c.cmd("BGREWRITEAOF");
            waitFor(c, "aof_rewrite_in_progress:0");
            c.cmd("SELECT", "15");
            c.cmd("RPUSH", "after:rewrite", "x");
            c.cmd("SELECT", "3");
            c.cmd("SET", "after:rewrite", "3");
            original = KeyspaceContents.ofDatabases(c);
        }
        Path back = Files.createDirectory(dir.resolve("back"));
        copyTree(redisDir.resolve("appendonlydir"), back.resolve("appendonlydir"));
        try (TestServices demo = start(2, aof(back)); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(KeyspaceContents.ofDatabases(c)).as("redis-server's log loaded by the service").isEqualTo(original);
            // the service's rewrite: a base holding every database, reloaded
            c.cmd("BGREWRITEAOF");
            waitFor(c, "aof_rewrite_in_progress:0");
            c.cmd("SELECT", "15");
            c.cmd("DEL", "after:rewrite");
            original = KeyspaceContents.ofDatabases(c);
        }
        checkAof(back.resolve("appendonlydir").resolve("appendonly.aof.manifest"));
        try (TestServices demo = start(3, aof(back)); RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(KeyspaceContents.ofDatabases(c)).as("the service's rewritten log, reloaded").isEqualTo(original);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void waitFor(RespTestClient c, String line) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!((String) c.cmd("INFO", "persistence")).contains(line)) {
            assertThat(System.nanoTime()).as("INFO persistence says %s", line).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void checkAof(Path manifest) throws Exception {
        Process check = new ProcessBuilder("redis-check-aof", manifest.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("All AOF files and manifest are valid");
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> list = Files.list(from)) {
            list.forEach(files::add);
        }
        for (Path f : files) {
            Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
