package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.KeyspaceContents;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.RespTestClient.Err;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshots of the service against the real counterparts: what SAVE writes, {@code redis-check-rdb}
 * accepts and a real redis-server 7.0 loads with the same keys, types, values and TTLs; what
 * redis-server saves, the service loads (the migration path); a file written by N shards loads
 * into M, every key on its new owner; a BGSAVE under a cross-shard transactional writer holds no
 * half transaction; a failed save refuses writes with -MISCONF; the save rules and the final save
 * at close write on their own.
 */
class SnapshotTest {

    @TempDir
    Path dir;

    private TestServices start(int shards, PersistenceSettings persistence) {
        return TestServices.start(shards, DemoSettings.forTests().withPersistence(persistence));
    }

    @Test
    void whatSaveWritesRedisLoadsTheSameAndTheServiceLoadsItBackIntoAnyShardCount() throws Exception {
        Map<String, String> original;
        long before = System.currentTimeMillis() / 1000;
        try (TestServices demo = start(4, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            KeyspaceContents.fillEveryType(c);
            for (int i = 0; i < 500; i++) {
                c.cmd("SET", "key:" + i, "value-" + i);
            }
            original = KeyspaceContents.of(c);
            assertThat(info(c).get("rdb_changes_since_last_save")).isNotEqualTo("0");
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            assertThat((Long) c.cmd("LASTSAVE")).isGreaterThanOrEqualTo(before);
            Map<String, String> info = info(c);
            assertThat(info).containsEntry("rdb_changes_since_last_save", "0").containsEntry("rdb_saves", "1")
                    .containsEntry("rdb_last_bgsave_status", "ok").containsEntry("rdb_bgsave_in_progress", "0");
            // the shard's own CPU in its longest slice cannot exceed that slice's wall time
            assertThat(Long.parseLong(info.get("rdb_last_save_longest_slice_cpu_usec")))
                    .isLessThanOrEqualTo(Long.parseLong(info.get("rdb_last_save_longest_slice_usec")) + 1000);
        }
        Path file = dir.resolve("dump.rdb");
        assertThat(file).exists();
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("dump.rdb");

        Process check = new ProcessBuilder("redis-check-rdb", file.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("RDB looks OK").contains(original.size() + " keys read");

        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--dbfilename", "dump.rdb", "--databases", "1", "--save", "");
             RespTestClient c = new RespTestClient(redis.port())) {
            assertThat(KeyspaceContents.of(c)).isEqualTo(original);
        }
        // written by 4 shards: loads into 7, and what 7 save loads into 3, each key found through its new owner
        for (int shards : new int[] {7, 3}) {
            try (TestServices demo = start(shards, PersistenceSettings.in(dir));
                 RespTestClient c = new RespTestClient(demo.respPort())) {
                assertThat(c.cmd("DBSIZE")).isEqualTo((long) original.size());
                assertThat(KeyspaceContents.of(c)).as("%d shards", shards).isEqualTo(original);
                assertThat(info(c)).containsEntry("rdb_last_load_keys_loaded", Integer.toString(original.size()))
                        .containsEntry("rdb_changes_since_last_save", "0").containsEntry("loading", "0");
                assertThat(c.cmd("SAVE")).isEqualTo("OK");
            }
        }
    }

    @Test
    void aDumpRedisSavedIsLoadedAtStart() throws Exception {
        Map<String, String> original;
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--dbfilename", "dump.rdb", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            KeyspaceContents.fillEveryType(c);
            c.cmd("SET", "gone", "x", "PX", "1");
            Thread.sleep(5);
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            original = KeyspaceContents.of(c);
        }
        Path ours = Files.createDirectory(dir.resolve("ours"));
        Files.copy(redisDir.resolve("dump.rdb"), ours.resolve("dump.rdb"), StandardCopyOption.REPLACE_EXISTING);
        try (TestServices demo = start(2, PersistenceSettings.in(ours));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(KeyspaceContents.of(c)).isEqualTo(original);
        }
    }

    @Test
    void aBrokenFileStopsTheStartNamingFileOffsetAndReason() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            for (int i = 0; i < 100; i++) {
                c.cmd("SET", "key:" + i, "value-" + i);
            }
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
        }
        Path file = dir.resolve("dump.rdb");
        byte[] good = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(good, good.length - 20));
        assertThatThrownBy(() -> start(2, PersistenceSettings.in(dir)))
                .hasMessageContaining(file.toAbsolutePath().toString()).hasMessageContaining("at offset");
    }

    @Test
    void aBackgroundSaveHoldsNoHalfOfACrossShardTransaction() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Throwable> writerFailed = new AtomicReference<>();
        try (TestServices demo = start(3, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            String a = demo.keyOn(0, "a");
            String b = demo.keyOn(1, "b");
            String d = demo.keyOn(2, "d");
            for (int i = 0; i < 20_000; i++) {
                c.cmd("SET", "filler:" + i, "x".repeat(20));
            }
            Thread writer = new Thread(() -> {
                try (RespTestClient w = new RespTestClient(demo.respPort())) {
                    for (int n = 1; !stop.get(); n++) {
                        String v = Integer.toString(n);
                        w.cmd("MULTI");
                        w.cmd("SET", a, v);
                        w.cmd("SET", b, v);
                        w.cmd("SET", d, v);
                        w.cmd("EXEC");
                    }
                } catch (Throwable e) {
                    writerFailed.set(e);
                }
            });
            writer.start();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (c.cmd("GET", d) == null) { // the writer's first transaction is in (a loaded machine starts it late)
                    assertThat(System.nanoTime()).as("the writer's first transaction").isLessThan(deadline);
                    Thread.sleep(5);
                }
                for (int round = 0; round < 5; round++) {
                    Thread.sleep(20);
                    assertThat(c.cmd("BGSAVE")).isEqualTo("Background saving started");
                    waitForSave(c);
                    Path copy = dir.resolve("round-" + round + ".rdb");
                    Files.copy(dir.resolve("dump.rdb"), copy);
                    Map<String, String> saved = new HashMap<>();
                    io.percore.demo.rdb.RdbFileReader.read(copy, new io.percore.demo.rdb.RdbReader.Limits(1 << 20, x -> { },
                            io.percore.demo.kv.ZSetValue.Limits.DEFAULT, io.percore.demo.kv.HashValue.Limits.DEFAULT,
                            io.percore.demo.kv.SetValue.Limits.DEFAULT), (key, value, at) -> {
                                String k = new String(key, StandardCharsets.UTF_8);
                                if (k.equals(a) || k.equals(b) || k.equals(d)) {
                                    saved.put(k, new String((byte[]) value.value(), StandardCharsets.UTF_8));
                                }
                            });
                    assertThat(saved.get(a)).as("round %d", round).isNotNull().isEqualTo(saved.get(b)).isEqualTo(saved.get(d));
                }
            } finally {
                stop.set(true);
                writer.join(10_000);
            }
            assertThat(writerFailed.get()).isNull();
        }
    }

    @Test
    void aFailedSaveRefusesWritesWithMisconfUntilASaveSucceeds() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "k", "v");
            assertThat(c.cmd("CONFIG", "SET", "save", "3600 1000000")).isEqualTo("OK");
            assertThat(c.cmd("CONFIG", "GET", "save")).isEqualTo(List.of("save", "3600 1000000"));
            // the target cannot be replaced: a directory (not empty) stands where the file goes
            Path blocker = Files.createDirectories(dir.resolve("dump.rdb").resolve("in-the-way"));
            assertThat(c.cmd("SAVE")).isEqualTo(new Err("ERR"));
            assertThat(info(c)).containsEntry("rdb_last_bgsave_status", "err");
            assertThat(c.cmd("SET", "k", "w")).isEqualTo(new Err(Persistence.MISCONF));
            assertThat(c.cmd("PING")).isEqualTo(new Err(Persistence.MISCONF));
            assertThat(c.cmd("GET", "k")).isEqualTo("v");
            // nothing of the failed save is left behind
            assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("dump.rdb");

            assertThat(c.cmd("CONFIG", "SET", "stop-writes-on-bgsave-error", "no")).isEqualTo("OK");
            assertThat(c.cmd("SET", "k", "w")).isEqualTo("OK");
            assertThat(c.cmd("CONFIG", "SET", "stop-writes-on-bgsave-error", "yes")).isEqualTo("OK");
            assertThat(c.cmd("SET", "k", "x")).isEqualTo(new Err(Persistence.MISCONF));

            Files.delete(blocker);
            Files.delete(blocker.getParent());
            assertThat(c.cmd("BGSAVE")).isEqualTo("Background saving started");
            waitForSave(c);
            assertThat(info(c)).containsEntry("rdb_last_bgsave_status", "ok");
            assertThat(c.cmd("SET", "k", "x")).isEqualTo("OK");
        }
    }

    @Test
    void theSaveRulesAndTheFinalSaveWriteOnTheirOwn() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir).withSave(SaveRules.parse("1 2")));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "a", "1");
            c.cmd("SET", "b", "2");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!info(c).get("rdb_saves").equals("1")) {
                assertThat(System.nanoTime()).as("the rule 1 2 saved").isLessThan(deadline);
                Thread.sleep(50);
            }
            assertThat(info(c)).containsEntry("rdb_changes_since_last_save", "0");
            c.cmd("SET", "c", "3"); // one change: below the rule, so only the final save has it
        }
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("MGET", "a", "b", "c")).isEqualTo(List.of("1", "2", "3"));
        }
    }

    @Test
    void flushallWithSaveRulesSavesTheEmptyKeyspaceSoARestartDoesNotBringItBack() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir).withSave(SaveRules.parse("3600 1000000")));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "a", "1");
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            assertThat(c.cmd("FLUSHALL")).isEqualTo("OK");
            assertThat(info(c)).containsEntry("rdb_saves", "2");
            c.cmd("SHUTDOWN", "NOSAVE");
        } catch (java.io.EOFException closedBySHUTDOWN) {
            // expected
        }
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("DBSIZE")).isEqualTo(0L);
        }
    }

    @Test
    void bgsaveInATransactionIsScheduledAndSaveIsRefusedThere() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "k", "v");
            assertThat(c.cmd("MULTI")).isEqualTo("OK");
            assertThat(c.cmd("BGSAVE")).isEqualTo("QUEUED");
            assertThat(c.cmd("EXEC")).isEqualTo(List.of("Background saving scheduled"));
            waitForSave(c);
            assertThat(info(c)).containsEntry("rdb_saves", "1");
            assertThat(c.cmd("BGSAVE", "now")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("MULTI")).isEqualTo("OK");
            assertThat(c.cmd("SAVE")).isEqualTo(new Err("ERR Command not allowed inside a transaction"));
            c.cmd("DISCARD");
        }
    }

    @Test
    void shutdownSavesWhenAskedOrRuledAndEndsTheService() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "a", "1");
            assertThat(c.cmd("SHUTDOWN", "ABORT")).isEqualTo(new Err("ERR No shutdown in progress."));
            assertThat(c.cmd("SHUTDOWN", "SAVE", "NOSAVE")).isEqualTo(new Err("ERR syntax error"));
            assertThat(c.cmd("SHUTDOWN", "LATER")).isEqualTo(new Err("ERR syntax error"));
            // a save that fails keeps the service up, unless FORCE
            Path blocker = Files.createDirectories(dir.resolve("dump.rdb").resolve("in-the-way"));
            assertThat(c.cmd("SHUTDOWN", "SAVE")).isEqualTo(new Err("ERR Errors trying to SHUTDOWN. Check logs."));
            assertThat(c.cmd("GET", "a")).isEqualTo("1");
            Files.delete(blocker);
            Files.delete(blocker.getParent());
            // no save rules: SHUTDOWN alone does not save
            assertThatThrownBy(() -> c.cmd("SHUTDOWN")).isInstanceOf(java.io.EOFException.class);
        }
        assertThat(dir.resolve("dump.rdb")).doesNotExist();
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", "a")).isNull();
            c.cmd("SET", "a", "2");
            assertThatThrownBy(() -> c.cmd("SHUTDOWN", "SAVE")).isInstanceOf(java.io.EOFException.class);
        }
        try (TestServices demo = start(2, PersistenceSettings.in(dir).withSave(SaveRules.parse("3600 1")));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", "a")).isEqualTo("2");
            c.cmd("SET", "a", "3");
            // rules, but NOSAVE: neither SHUTDOWN nor the close after it saves
            assertThatThrownBy(() -> c.cmd("SHUTDOWN", "NOSAVE")).isInstanceOf(java.io.EOFException.class);
        }
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", "a")).isEqualTo("2");
        }
    }

    @Test
    void changesSinceTheLastSaveAreCountedAsRedisCountsThemForStringsAndKeys() throws Exception {
        String[][] commands = {
                {"SET", "s", "1"}, {"SETBIT", "b", "0", "0"}, {"SETBIT", "b", "0", "0"}, {"SETBIT", "b", "0", "1"},
                {"SETBIT", "b2", "7", "1"}, {"BITFIELD", "f", "INCRBY", "i5", "0", "1"}, {"BITFIELD", "f", "INCRBY", "i5", "0", "1"},
                {"MSET", "m1", "1", "m2", "2", "m3", "3"}, {"DEL", "m1", "m2", "nothing"}, {"INCR", "s"}, {"APPEND", "s", "x"},
                {"SETRANGE", "s", "1", "yz"}, {"SETRANGE", "s", "0", "q"}, {"SETRANGE", "new", "2", "x"},
                {"EXPIRE", "m3", "100"}, {"PERSIST", "m3"}, {"GET", "s"}, {"FLUSHALL"}};
        // (the aggregates differ: docs/reference/differences-from-redis.md)
        try (RealRedis redis = RealRedis.start("--save", "");
             RespTestClient r = new RespTestClient(redis.port());
             TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            for (String[] command : commands) {
                long redisBefore = Long.parseLong(info(r).get("rdb_changes_since_last_save"));
                long oursBefore = Long.parseLong(info(c).get("rdb_changes_since_last_save"));
                assertThat(c.cmd(command)).isEqualTo(r.cmd(command));
                long redisDelta = Long.parseLong(info(r).get("rdb_changes_since_last_save")) - redisBefore;
                long oursDelta = Long.parseLong(info(c).get("rdb_changes_since_last_save")) - oursBefore;
                assertThat(oursDelta).as(String.join(" ", command)).isEqualTo(redisDelta);
            }
        }
    }

    private static void waitForSave(RespTestClient c) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!info(c).get("rdb_bgsave_in_progress").equals("0") || info(c).get("rdb_saves").equals("0")) {
            assertThat(System.nanoTime()).as("the save finished").isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    static Map<String, String> info(RespTestClient c) throws IOException {
        Map<String, String> out = new HashMap<>();
        for (String line : ((String) c.cmd("INFO", "persistence")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }
}
