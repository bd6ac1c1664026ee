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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The append-only file against the real counterparts: what the service logs, {@code redis-check-aof}
 * accepts and a real redis-server 7.0 loads with the same keys; what redis-server logs, the service
 * loads; the service reloads its own log into any shard count; a cross-shard transaction is one
 * MULTI ... EXEC and, torn by a crash, replays not at all; a torn last command is cut off (or stops
 * the start with aof-load-truncated no), corrupt bytes stop it naming file and offset; BGREWRITEAOF,
 * the automatic rewrite and CONFIG SET appendonly make a new base and drop the old files; with
 * appendfsync always no reply to a write arrives before the file has it.
 */
class AofTest {

    @TempDir
    Path dir;

    private PersistenceSettings aof(AofSettings.Fsync fsync) {
        return PersistenceSettings.in(dir).withAof(AofSettings.OFF.withEnabled(true).withFsync(fsync));
    }

    private TestServices start(int shards, PersistenceSettings persistence) {
        return TestServices.start(shards, DemoSettings.forTests().withPersistence(persistence));
    }

    private Path aofDir() {
        return dir.resolve("appendonlydir");
    }

    @Test
    void whatTheServiceLogsRedisToolsAcceptRedisLoadsAndTheServiceReloadsIntoAnyShardCount() throws Exception {
        Map<String, String> original;
        try (TestServices demo = start(3, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            KeyspaceContents.fillEveryType(c);
            for (int i = 0; i < 300; i++) {
                c.cmd("SET", "key:" + i, "value-" + i, "EX", Integer.toString(5020 + 100 * (i % 3)));
            }
            c.cmd("INCRBYFLOAT", "float", "1.5");
            c.cmd("DEL", "key:7", "key:8");
            c.cmd("APPEND", "grown", "abc");
            c.cmd("APPEND", "grown", "def");
            c.cmd("MULTI");
            c.cmd("SET", demo.keyOn(0, "t"), "1");
            c.cmd("SET", demo.keyOn(1, "t"), "1");
            c.cmd("SET", demo.keyOn(2, "t"), "1");
            assertThat(c.cmd("EXEC")).isInstanceOf(List.class);
            original = KeyspaceContents.of(c);
            assertThat(SnapshotTest.info(c)).containsEntry("aof_enabled", "1").containsEntry("aof_last_write_status", "ok");
        }
        assertThat(names(aofDir())).containsExactlyInAnyOrder("appendonly.aof.1.base.rdb", "appendonly.aof.1.incr.aof",
                "appendonly.aof.manifest");
        String incr = Files.readString(aofDir().resolve("appendonly.aof.1.incr.aof"), StandardCharsets.ISO_8859_1);
        assertThat(incr).startsWith("*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n").contains("PXAT").contains("*1\r\n$5\r\nMULTI\r\n");
        checkAof(aofDir().resolve("appendonly.aof.manifest"));

        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        copyTree(aofDir(), redisDir.resolve("appendonlydir"));
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--appendonly", "yes", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            assertSame(original, KeyspaceContents.of(c));
        }
        for (int shards : new int[] {2, 5}) {
            try (TestServices demo = start(shards, aof(AofSettings.Fsync.EVERYSEC));
                 RespTestClient c = new RespTestClient(demo.respPort())) {
                assertSame(original, KeyspaceContents.of(c));
                c.cmd("SET", "after-" + shards, "x"); // appended to the same incremental file after a restart
                original.put("after-" + shards, KeyspaceContents.of(c).get("after-" + shards));
            }
        }
        checkAof(aofDir().resolve("appendonly.aof.manifest"));
    }

    /**
     * A replica's file carries where it stands in its primary's stream ({@code #REPL:} annotations, as Redis's own
     * {@code #TS:} lines): {@code redis-check-aof} still calls it valid, a real redis-server loads it with the same keys
     * (its loader skips annotations), and the replica restarted from it continues its primary's stream (a partial
     * resync) instead of syncing in full.
     */
    @Test
    void aReplicasFileSaysWhereItStandsAndRedisToolsStillAcceptIt() throws Exception {
        Path replicaDir = Files.createDirectories(dir.resolve("replica"));
        try (TestServices primary = start(2, PersistenceSettings.in(dir));
             RespTestClient p = new RespTestClient(primary.respPort())) {
            DemoSettings asReplica = replicaWithAof(primary.respPort(), replicaDir, AofSettings.Fsync.ALWAYS);
            try (TestServices replica = TestServices.start(2, asReplica);
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitUntilIn(r, "replication", "master_link_status", "up");
                KeyspaceContents.fillEveryType(p);
                for (int i = 0; i < 200; i++) {
                    p.cmd("INCR", primary.keyOn(i % 2, "n"));
                    p.cmd("MSET", primary.keyOn(0, "m"), "v" + i, primary.keyOn(1, "m"), "v" + i);
                }
                assertThat(p.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                // a rewrite drops the file that held the last line: the new one says it again
                r.cmd("BGREWRITEAOF");
                waitUntil(r, "aof_rewrite_in_progress", "0");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!lastLineOfIncr(replicaDir.resolve("appendonlydir")).startsWith("#REPL:")) {
                    assertThat(System.nanoTime()).as("the rewritten file says where it stands").isLessThan(deadline);
                    Thread.sleep(10);
                }
            }
            Path replicaAof = replicaDir.resolve("appendonlydir");
            String replid = infoOf(p, "replication").get("master_replid");
            assertThat(lastLineOfIncr(replicaAof)).startsWith("#REPL:" + replid + ":");
            checkAof(replicaAof.resolve("appendonly.aof.manifest"));
            Path redisDir = Files.createDirectory(dir.resolve("redis"));
            copyTree(replicaAof, redisDir.resolve("appendonlydir"));
            try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--appendonly", "yes", "--databases", "1");
                 RespTestClient c = new RespTestClient(redis.port())) {
                assertSame(KeyspaceContents.of(p), KeyspaceContents.of(c));
            }

            p.cmd("SET", "while-it-was-down", "x");
            continuesFromItsFile(p, asReplica);
        }
    }

    /**
     * A file killed in the middle of writes ends in commands after its last annotation: the server back from it says offset
     * 0 (it cannot continue a stream from there), but INFO persistence still says the position the file named last, which
     * it holds at least; an operator choosing whom to promote ranks the pod by it. A file ending in its annotation says the
     * same there and its offset exactly; a full sync replaces what the start loaded, and the fields go.
     */
    @Test
    void aFileEndingInCommandsAfterItsAnnotationSaysNoOffsetButHowFarItHoldsAtLeast() throws Exception {
        Path replicaDir = Files.createDirectories(dir.resolve("replica"));
        DemoSettings nowhere = replicaWithAof(1, replicaDir, AofSettings.Fsync.ALWAYS); // a primary that never answers
        try (TestServices replica = TestServices.start(2, nowhere);
             RespTestClient r = new RespTestClient(replica.respPort())) {
            assertThat(infoOf(r, "persistence")).doesNotContainKey("loaded_repl_id"); // an empty start named nothing
        }
        String history = "4f0c8d5e1a2b3c4d5e6f708192a3b4c5d6e7f801";
        Path incr = replicaDir.resolve("appendonlydir").resolve("appendonly.aof.1.incr.aof");
        Files.writeString(incr, "#REPL:" + history + ":1000:0\r\n", StandardCharsets.US_ASCII, java.nio.file.StandardOpenOption.APPEND);
        try (TestServices replica = TestServices.start(2, nowhere);
             RespTestClient r = new RespTestClient(replica.respPort())) {
            assertThat(infoOf(r, "replication")).containsEntry("master_replid", history).containsEntry("slave_repl_offset", "1000");
            assertThat(infoOf(r, "persistence")).containsEntry("loaded_repl_id", history)
                    .containsEntry("loaded_repl_offset_at_least", "1000");
        }
        Files.writeString(incr, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n", StandardCharsets.US_ASCII,
                java.nio.file.StandardOpenOption.APPEND);
        try (TestServices primary = start(1, PersistenceSettings.in(dir.resolve("primary")));
             TestServices replica = TestServices.start(2, nowhere);
             RespTestClient r = new RespTestClient(replica.respPort())) {
            assertThat(r.cmd("GET", "k")).isEqualTo("v");
            assertThat(infoOf(r, "replication")).as("no offset: commands follow the annotation")
                    .doesNotContainEntry("master_replid", history).containsEntry("slave_repl_offset", "0");
            assertThat(infoOf(r, "persistence")).containsEntry("loaded_repl_id", history)
                    .containsEntry("loaded_repl_offset_at_least", "1000");

            assertThat(r.cmd("REPLICAOF", "127.0.0.1", Integer.toString(primary.respPort()))).isEqualTo("OK");
            waitUntilIn(r, "replication", "master_link_status", "up");
            assertThat(infoOf(r, "persistence")).as("a full sync replaced what the start loaded").doesNotContainKey("loaded_repl_id")
                    .doesNotContainKey("loaded_repl_offset_at_least");
        }
    }

    private static DemoSettings replicaWithAof(int primaryPort, Path dir, AofSettings.Fsync fsync) {
        DemoSettings s = DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir).withAof(AofSettings.OFF.withEnabled(true).withFsync(fsync)));
        return s.withReplication(s.replication().withReplicaof("127.0.0.1", primaryPort));
    }

    /** The replica started again from its file continues the primary's stream: a partial resync, the keys equal. */
    private static void continuesFromItsFile(RespTestClient p, DemoSettings asReplica) throws Exception {
        try (TestServices replica = TestServices.start(2, asReplica);
             RespTestClient r = new RespTestClient(replica.respPort())) {
            waitUntilIn(r, "replication", "master_link_status", "up");
            assertThat(p.cmd("WAIT", "1", "10000")).isEqualTo(1L);
            assertThat(infoOf(p, "stats")).as("continued from where its file stood").containsEntry("sync_full", "1")
                    .containsEntry("sync_partial_ok", "1");
            assertSame(KeyspaceContents.of(p), KeyspaceContents.of(r));
        }
    }

    /**
     * A replica stopped while writes flow (a roll, a drain): its link stops, what it was handed runs, and its file's last
     * line says where the stream stood, as its final snapshot would; it comes back with a partial resync. Without that
     * line its file ended in commands and the restart was a full sync.
     */
    @Test
    void aReplicaStoppedWhileWritesFlowSaysWhereItStoppedAndContinues() throws Exception {
        Path replicaDir = Files.createDirectories(dir.resolve("replica"));
        try (TestServices primary = start(2, PersistenceSettings.in(dir));
             RespTestClient p = new RespTestClient(primary.respPort())) {
            DemoSettings asReplica = replicaWithAof(primary.respPort(), replicaDir, AofSettings.Fsync.EVERYSEC);
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicLong written = new java.util.concurrent.atomic.AtomicLong();
            Thread writer;
            try (TestServices replica = TestServices.start(2, asReplica);
                 RespTestClient r = new RespTestClient(replica.respPort())) {
                waitUntilIn(r, "replication", "master_link_status", "up");
                p.cmd("SET", "before", "x");
                assertThat(p.cmd("WAIT", "1", "10000")).isEqualTo(1L);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!lastLineOfIncr(replicaDir.resolve("appendonlydir")).startsWith("#REPL:")) { // past the full sync's rewrite
                    assertThat(System.nanoTime()).as("an ack's line once the full sync's rewrite ended").isLessThan(deadline);
                    p.cmd("INCR", "settle");
                    p.cmd("WAIT", "1", "1000");
                    Thread.sleep(10);
                }
                writer = new Thread(() -> {
                    try (RespTestClient w = new RespTestClient(primary.respPort())) {
                        while (writing.get()) {
                            long i = written.incrementAndGet();
                            w.cmd("INCR", primary.keyOn((int) (i % 2), "n"));
                            w.cmd("RPUSH", primary.keyOn(1, "l"), Long.toString(i));
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
                writer.start();
                long from = written.get();
                while (written.get() < from + 500) {
                    Thread.sleep(5);
                }
            } // stopped gracefully while the writer goes on
            assertThat(lastLineOfIncr(replicaDir.resolve("appendonlydir"))).as("the stopped replica's file says where it stands")
                    .startsWith("#REPL:" + infoOf(p, "replication").get("master_replid") + ":");
            writing.set(false);
            writer.join(10_000);
            continuesFromItsFile(p, asReplica);
        }
    }

    @Test
    void whatRedisLogsTheServiceLoads() throws Exception {
        Map<String, String> original;
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--appendonly", "yes", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            KeyspaceContents.fillEveryType(c);
            c.cmd("BGREWRITEAOF"); // a base with keys, then commands after it
            waitUntil(c, "aof_rewrite_in_progress", "0");
            c.cmd("MSET", "m1", "a", "m2", "b", "m3", "c"); // keys on several shards here: one command spanning them
            c.cmd("MULTI");
            c.cmd("INCR", "counter");
            c.cmd("RPUSH", "list2", "x", "y");
            c.cmd("EXEC");
            c.cmd("RENAME", "m1", "renamed");
            original = KeyspaceContents.of(c);
        }
        copyTree(redisDir.resolve("appendonlydir"), aofDir());
        try (TestServices demo = start(3, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            // loaded outside call(), as Redis loads it: not counted as commands (a primary's stream is: ReplicaCommandStatsTest)
            assertThat(String.valueOf(c.cmd("INFO", "commandstats"))).doesNotContain("cmdstat_mset", "cmdstat_incr", "cmdstat_rename");
            assertSame(original, KeyspaceContents.of(c));
        }
    }

    /**
     * redis-server logs SORT ... BY ... STORE as it came, and its BY pattern reads keys it does not name,
     * here on another shard than the sorted key's: the load must run it after every command before it
     * on all shards (as a command spanning shards), not in its own shard's batch, or it sorts by
     * weights not loaded yet.
     */
    @Test
    void aSortWhosePatternReadsOtherShardsKeysLoadsAfterTheWritesBeforeIt() throws Exception {
        String src;
        String[] items = new String[3];
        try (TestServices layout = TestServices.start(3, DemoSettings.forTests())) {
            src = layout.keyOn(0, "src");
            for (int i = 0; i < items.length; i++) {
                items[i] = layout.keyOn(2, "w_" + (char) ('a' + i)).substring(2); // each weight on shard 2
            }
        }
        String dst = "{" + src + "}dst";
        Map<String, String> original;
        Path redisDir = Files.createDirectory(dir.resolve("redis"));
        try (RealRedis redis = RealRedis.start("--dir", redisDir.toString(), "--appendonly", "yes", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            c.cmd("RPUSH", src, items[0], items[1], items[2]);
            c.cmd("SET", "w_" + items[0], "3");
            c.cmd("SET", "w_" + items[1], "1");
            c.cmd("SET", "w_" + items[2], "2");
            assertThat(c.cmd("SORT", src, "BY", "w_*", "STORE", dst)).isEqualTo(3L);
            assertThat(c.cmd("LRANGE", dst, "0", "-1")).isEqualTo(List.of(items[1], items[2], items[0]));
            original = KeyspaceContents.of(c);
        }
        copyTree(redisDir.resolve("appendonlydir"), aofDir());
        try (TestServices demo = start(3, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertSame(original, KeyspaceContents.of(c));
        }
    }

    @Test
    void aCrossShardTransactionIsOneBlockAndTornByACrashReplaysNotAtAll() throws Exception {
        String a;
        String b;
        try (TestServices demo = start(2, aof(AofSettings.Fsync.ALWAYS));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            a = demo.keyOn(0, "a");
            b = demo.keyOn(1, "b");
            c.cmd("SET", "before", "1");
            c.cmd("MULTI");
            c.cmd("SET", a, "1");
            c.cmd("SET", b, "1");
            c.cmd("EXEC");
        }
        Path incr = aofDir().resolve("appendonly.aof.1.incr.aof");
        String text = Files.readString(incr, StandardCharsets.ISO_8859_1);
        int multi = text.lastIndexOf("*1\r\n$5\r\nMULTI\r\n");
        assertThat(multi).isPositive();
        assertThat(text.substring(multi)).contains(a).contains(b).endsWith("*1\r\n$4\r\nEXEC\r\n");
        // a crash tore the transaction after its first command: neither half replays
        byte[] whole = Files.readAllBytes(incr);
        int cut = text.indexOf(b, multi) - 3;
        Files.write(incr, java.util.Arrays.copyOf(whole, cut));
        PersistenceSettings strict = aof(AofSettings.Fsync.EVERYSEC).withAof(aof(AofSettings.Fsync.EVERYSEC).aof().withLoadTruncated(false));
        assertThatThrownBy(() -> start(2, strict)).hasMessageContaining(incr.toAbsolutePath().toString())
                .hasMessageContaining("Unexpected end of file").hasMessageContaining("at offset " + text.indexOf("*3\r\n$3\r\nSET\r\n$" + b.length() + "\r\n" + b, multi))
                .hasMessageContaining("aof-load-truncated yes loads it up to offset " + multi);
        try (TestServices demo = start(2, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", "before")).isEqualTo("1");
            assertThat(c.cmd("EXISTS", a, b)).isEqualTo(0L);
            c.cmd("SET", "appended", "after the cut");
        }
        assertThat(Files.size(incr)).isGreaterThan(multi);
        checkAof(aofDir().resolve("appendonly.aof.manifest")); // cut at the MULTI, so what followed is whole again
        try (TestServices demo = start(2, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("GET", "appended")).isEqualTo("after the cut");
        }
    }

    /**
     * A write cut off by a crash can leave its command cut short and then zeros to the end of the file (seen after a
     * SIGKILL under writes: ProcessKillTest in CI); with aof-load-truncated (the default) that tail is cut as a torn
     * command is, and every key before it loads. A byte other than zero after the zeros is still a bad format.
     */
    @Test
    void aCommandCutShortThenZerosAtTheEndIsCutLikeATornCommand() throws Exception {
        try (TestServices demo = start(2, aof(AofSettings.Fsync.ALWAYS));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            for (int i = 0; i < 50; i++) {
                c.cmd("SET", "key:" + i, "v" + i);
            }
        }
        Path incr = aofDir().resolve("appendonly.aof.1.incr.aof");
        byte[] whole = Files.readAllBytes(incr);
        byte[] torn = "*3\r\n$3\r\nSET\r\n$6\r\nkey:50\r\n$3\r\nv5".getBytes(StandardCharsets.US_ASCII);
        byte[] tail = java.util.Arrays.copyOf(torn, torn.length + 5); // the cut command, then five zeros
        Files.write(incr, tail, java.nio.file.StandardOpenOption.APPEND);
        try (TestServices demo = start(2, aof(AofSettings.Fsync.ALWAYS));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("DBSIZE")).isEqualTo(50L);
            assertThat(c.cmd("GET", "key:49")).isEqualTo("v49");
        }
        assertThat(Files.size(incr)).as("cut where the torn command began, then written on").isGreaterThanOrEqualTo(whole.length);
        assertThat(java.util.Arrays.copyOf(Files.readAllBytes(incr), whole.length)).isEqualTo(whole);

        byte[] garbage = java.util.Arrays.copyOf(torn, torn.length + 6);
        garbage[garbage.length - 1] = 'x'; // a byte after the zeros: not what a cut write leaves
        long size = Files.size(incr);
        Files.write(incr, garbage, java.nio.file.StandardOpenOption.APPEND);
        assertThatThrownBy(() -> start(2, aof(AofSettings.Fsync.ALWAYS))).hasMessageContaining("Bad file format")
                .hasMessageContaining("at offset " + size);
    }

    @Test
    void corruptBytesOrAMissingFileStopTheStartNamingFileAndOffset() throws Exception {
        try (TestServices demo = start(2, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            for (int i = 0; i < 50; i++) {
                c.cmd("SET", "key:" + i, "v");
            }
        }
        Path incr = aofDir().resolve("appendonly.aof.1.incr.aof");
        byte[] bytes = Files.readAllBytes(incr);
        int at = bytes.length / 2;
        while (bytes[at] != '*') {
            at++;
        }
        bytes[at] = '!';
        Files.write(incr, bytes);
        int offset = at;
        assertThatThrownBy(() -> start(2, aof(AofSettings.Fsync.EVERYSEC))).hasMessageContaining(incr.toAbsolutePath().toString())
                .hasMessageContaining("Bad file format").hasMessageContaining("at offset " + offset)
                .hasMessageContaining("expected '*'");
        Files.delete(incr);
        assertThatThrownBy(() -> start(2, aof(AofSettings.Fsync.EVERYSEC))).hasMessageContaining("doesn't exist");
    }

    @Test
    void bgrewriteaofUnderWritesMakesANewBaseKeepsEveryWriteAndDropsTheOldFiles() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong written = new AtomicLong();
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Map<String, String> atClose;
        try (TestServices demo = start(3, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            for (int i = 0; i < 20_000; i++) {
                c.cmd("SET", "filler:" + (i % 5000), "x" + i);
            }
            Thread writer = new Thread(() -> {
                try (RespTestClient w = new RespTestClient(demo.respPort())) {
                    for (long n = 0; !stop.get(); n++) {
                        w.cmd("SET", "live:" + (n % 3000), Long.toString(n));
                        w.cmd("INCR", "count");
                        written.incrementAndGet();
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            writer.start();
            try {
                for (int round = 0; round < 3; round++) {
                    Thread.sleep(30);
                    assertThat(c.cmd("BGREWRITEAOF")).isEqualTo("Background append only file rewriting started");
                    waitUntil(c, "aof_rewrites", Integer.toString(round + 2)); // the first made the base at start
                }
            } finally {
                stop.set(true);
                writer.join(10_000);
            }
            assertThat(failed.get()).isNull();
            assertThat(c.cmd("GET", "count")).isEqualTo(Long.toString(written.get()));
            atClose = KeyspaceContents.of(c);
            Map<String, String> info = SnapshotTest.info(c);
            assertThat(Long.parseLong(info.get("aof_base_size"))).isPositive();
        }
        assertThat(names(aofDir())).containsExactlyInAnyOrder("appendonly.aof.4.base.rdb", "appendonly.aof.4.incr.aof",
                "appendonly.aof.manifest");
        checkAof(aofDir().resolve("appendonly.aof.manifest"));
        try (TestServices demo = start(2, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertSame(atClose, KeyspaceContents.of(c));
        }
    }

    @Test
    void theLogRewritesItselfPastItsThresholdsAndConfigSetTurnsItOnAndOff() throws Exception {
        try (TestServices demo = start(2, PersistenceSettings.in(dir));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "before", "on");
            assertThat(c.cmd("CONFIG", "GET", "appendonly")).isEqualTo(List.of("appendonly", "no"));
            assertThat(c.cmd("CONFIG", "SET", "appendonly", "yes")).isEqualTo("OK");
            waitUntil(c, "aof_rewrites", "1");
            assertThat(SnapshotTest.info(c)).containsEntry("aof_enabled", "1");
            assertThat(c.cmd("CONFIG", "SET", "appendfsync", "sometimes")).isInstanceOf(RespTestClient.Err.class);
            assertThat(c.cmd("CONFIG", "SET", "appendfsync", "always")).isEqualTo("OK");
            assertThat(c.cmd("CONFIG", "SET", "auto-aof-rewrite-min-size", "4096")).isEqualTo("OK");
            assertThat(c.cmd("CONFIG", "SET", "auto-aof-rewrite-percentage", "100")).isEqualTo("OK");
            for (int i = 0; i < 400; i++) {
                c.cmd("SET", "grow:" + (i % 10), "x".repeat(100)); // the log grows; the data does not
            }
            waitAtLeast(c, "aof_rewrites", 2);
            c.cmd("SET", "last", "1");
            assertThat(c.cmd("CONFIG", "SET", "appendonly", "no")).isEqualTo("OK");
            waitUntil(c, "aof_enabled", "0");
            c.cmd("SET", "not-logged", "1");
        }
        try (TestServices demo = start(2, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            assertThat(c.cmd("MGET", "before", "last", "grow:3", "not-logged"))
                    .isEqualTo(java.util.Arrays.asList("on", "1", "x".repeat(100), null));
        }
    }

    @Test
    void aFailedWriteRefusesWritesWithMisconfAndLosesNothingOnceTheDiskWorksAgain() throws Exception {
        start(2, aof(AofSettings.Fsync.EVERYSEC)).close(); // makes the log: a base and an empty incremental file
        // the incremental file on a device where every write fails with ENOSPC (a full disk)
        Path incr = aofDir().resolve("appendonly.aof.1.incr.aof");
        Files.delete(incr);
        Files.createSymbolicLink(incr, Path.of("/dev/full"));
        try (TestServices demo = start(2, aof(AofSettings.Fsync.EVERYSEC));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            c.cmd("SET", "first", "1"); // answered before the writer met the full disk
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Object reply;
            do {
                assertThat(System.nanoTime()).as("writes refused").isLessThan(deadline);
                Thread.sleep(10);
                reply = c.cmd("SET", "later", "1");
            } while ("OK".equals(reply));
            assertThat(reply).isInstanceOf(RespTestClient.Err.class);
            assertThat(((RespTestClient.Err) reply).text()).startsWith("MISCONF Errors writing to the AOF file:");
            assertThat(c.cmd("GET", "first")).isEqualTo("1"); // reads go on
            assertThat(SnapshotTest.info(c)).containsEntry("aof_last_write_status", "err");
        }
    }

    @Test
    void withAppendfsyncAlwaysNoReplyToAWriteArrivesBeforeTheFileHasIt() throws Exception {
        try (TestServices demo = start(2, aof(AofSettings.Fsync.ALWAYS));
             RespTestClient c = new RespTestClient(demo.respPort())) {
            Path incr = aofDir().resolve("appendonly.aof.1.incr.aof");
            for (int i = 0; i < 300; i++) {
                String key = demo.keyOn(i % 2, "durable:" + i + ":");
                assertThat(c.cmd("SET", key, "v")).isEqualTo("OK");
                String logged = Files.readString(incr, StandardCharsets.ISO_8859_1);
                assertThat(logged).as("write %d is in the file when its reply arrives", i).contains(key);
            }
            for (int i = 0; i < 50; i++) { // a write and QUIT in one packet: QUIT's reply closes, not before the disk has the write
                String key = demo.keyOn(i % 2, "quit:" + i + ":");
                try (RespTestClient q = new RespTestClient(demo.respPort())) {
                    q.send("*3\r\n$3\r\nSET\r\n$" + key.length() + "\r\n" + key + "\r\n$1\r\nv\r\n*1\r\n$4\r\nQUIT\r\n");
                    assertThat(q.read()).isEqualTo("OK");
                    assertThat(q.read()).isEqualTo("OK");
                }
                assertThat(Files.readString(incr, StandardCharsets.ISO_8859_1)).as("write %d before QUIT", i).contains(key);
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    /** Equal keyspaces, or the keys that differ (the whole maps are too large to read in a failure). */
    static void assertSame(Map<String, String> expected, Map<String, String> actual) {
        java.util.TreeMap<String, String> differences = new java.util.TreeMap<>();
        for (var e : expected.entrySet()) {
            if (!e.getValue().equals(actual.get(e.getKey()))) {
                differences.put(e.getKey(), abbreviated(e.getValue()) + " -> " + abbreviated(actual.get(e.getKey())));
            }
        }
        for (String k : actual.keySet()) {
            if (!expected.containsKey(k)) {
                differences.put(k, "(none) -> " + abbreviated(actual.get(k)));
            }
        }
        assertThat(differences).as("keys that differ").isEmpty();
    }

    private static String abbreviated(String s) {
        return s == null || s.length() < 120 ? s : s.substring(0, 120) + "...";
    }

    /** The last line of the (only) incremental file in {@code aof}. */
    private static String lastLineOfIncr(Path aof) throws IOException {
        try (Stream<Path> files = Files.list(aof)) {
            String incr = Files.readString(files.filter(f -> f.toString().endsWith(".incr.aof")).findFirst().orElseThrow(),
                    StandardCharsets.ISO_8859_1).stripTrailing();
            return incr.substring(incr.lastIndexOf('\n') + 1);
        }
    }

    private static Map<String, String> infoOf(RespTestClient c, String section) throws IOException {
        Map<String, String> out = new java.util.HashMap<>();
        for (String line : ((String) c.cmd("INFO", section)).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0) {
                out.put(line.substring(0, colon), line.substring(colon + 1));
            }
        }
        return out;
    }

    private static void waitUntilIn(RespTestClient c, String section, String field, String value) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!value.equals(infoOf(c, section).get(field))) {
            assertThat(System.nanoTime()).as("%s reaches %s", field, value).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void waitUntil(RespTestClient c, String field, String value) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!value.equals(SnapshotTest.info(c).get(field))) {
            assertThat(System.nanoTime()).as("%s reaches %s (is %s)", field, value, SnapshotTest.info(c).get(field)).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void waitAtLeast(RespTestClient c, String field, long least) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Long.parseLong(SnapshotTest.info(c).get(field)) < least) {
            assertThat(System.nanoTime()).as("%s reaches %d", field, least).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static void checkAof(Path manifest) throws Exception {
        Process check = new ProcessBuilder("redis-check-aof", manifest.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("All AOF files and manifest are valid");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        List<Path> files = new ArrayList<>();
        try (Stream<Path> s = Files.list(from)) {
            s.forEach(files::add);
        }
        for (Path f : files) {
            Files.copy(f, to.resolve(f.getFileName()));
        }
    }
}
