package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.rdb.RdbFileReader;
import io.percore.demo.rdb.RdbReader;
import io.percore.demo.support.AppProcess;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability as a user meets it, with the Spring Boot app in a process of its own: SIGTERM under
 * pipelined write load saves every write that was acknowledged, within the shutdown bound; SIGKILL,
 * even in the middle of a save, leaves the last complete snapshot, which has every write
 * acknowledged before that snapshot began; with the append-only file and {@code appendfsync always},
 * SIGKILL under pipelined writes loses none of at least 100,000 acknowledged writes, and with
 * {@code everysec} at most about a second's worth.
 */
class ProcessKillTest {

    private static final List<String> JVM = List.of("-Xmx512m");
    private static final int BATCH = 100;

    @TempDir
    Path dir;

    @Test
    void sigtermUnderWriteLoadSavesEveryAcknowledgedWrite() throws Exception {
        AtomicLong acked = new AtomicLong();
        try (AppProcess app = AppProcess.start(2, JVM, "--percore.demo.persistence.dir=" + dir,
                "--percore.demo.persistence.save=3600 1")) {
            Thread writer = writer(app.respPort(), "k:", acked);
            writer.start();
            waitFor(() -> acked.get() >= 100_000, "100,000 acknowledged writes");
            long start = System.nanoTime();
            app.terminate();
            assertThat(app.waitFor(90)).as("ended after SIGTERM:\n%s", app.output()).isTrue();
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            writer.join(30_000);
            assertThat(dir.resolve("dump.rdb")).as(app.output()).exists();
            assertThat(app.output()).contains("Saving the final snapshot before shutdown").contains("Saved ");
            Set<String> saved = keysIn(dir.resolve("dump.rdb"));
            long missing = 0;
            for (long n = 0; n < acked.get(); n++) {
                if (!saved.contains("k:" + n)) {
                    missing++;
                }
            }
            assertThat(missing).as("of %d acknowledged writes (stopped in %d ms)", acked.get(), took).isZero();
        }
    }

    @Test
    void afterSigkillEvenMidSaveTheLastSnapshotHasEverythingAcknowledgedBeforeItBegan() throws Exception {
        AtomicLong before = new AtomicLong();
        try (AppProcess app = AppProcess.start(2, JVM, "--percore.demo.persistence.dir=" + dir)) {
            Thread first = writer(app.respPort(), "before:", before);
            first.start();
            waitFor(() -> before.get() >= 50_000, "50,000 acknowledged writes");
            first.interrupt();
            first.join(30_000);
            try (RespTestClient c = new RespTestClient(app.respPort())) {
                assertThat(c.cmd("SAVE")).isEqualTo("OK");
                AtomicLong after = new AtomicLong();
                Thread second = writer(app.respPort(), "after:", after);
                second.start();
                waitFor(() -> after.get() >= 20_000, "more writes after the save");
                assertThat(c.cmd("BGSAVE")).isEqualTo("Background saving started");
                app.kill(); // in the middle of the second save, or just after it: either file is whole
                second.join(30_000);
            }
        }
        Process check = new ProcessBuilder("redis-check-rdb", dir.resolve("dump.rdb").toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        // loaded by a fresh start in this JVM: the same loading code, without a JVM's start (the kill is what needs a process)
        try (TestServices app = TestServices.start(2, DemoSettings.forTests().withPersistence(PersistenceSettings.in(dir)));
             RespTestClient c = new RespTestClient(app.respPort())) {
            for (long n = 0; n < before.get(); n += 997) {
                assertThat(c.cmd("GET", "before:" + n)).as("before:%d", n).isEqualTo("v" + n);
            }
            assertThat(c.cmd("GET", "before:" + (before.get() - 1))).isEqualTo("v" + (before.get() - 1));
            assertThat((Long) c.cmd("DBSIZE")).isGreaterThanOrEqualTo(before.get());
            try (var files = Files.list(dir)) {
                assertThat(files.map(p -> p.getFileName().toString())).as("a killed save's file is gone").containsExactly("dump.rdb");
            }
        }
    }

    @Test
    void sigkillWithAppendfsyncAlwaysLosesNoAcknowledgedWrite() throws Exception {
        long[] counts = killUnderWritesAndCountLost("always");
        assertThat(counts[1]).as("lost of %d acknowledged writes", counts[0]).isZero();
    }

    @Test
    void sigkillWithAppendfsyncEverysecLosesAtMostAboutASecondOfWrites() throws Exception {
        long[] counts = killUnderWritesAndCountLost("everysec");
        // the writes of a second, at the rate measured: what a crash may cost with everysec
        assertThat(counts[1]).as("lost of %d acknowledged writes at %d a second", counts[0], counts[2]).isLessThanOrEqualTo(counts[2]);
    }

    /**
     * Redis's rule for a full disk under {@code appendfsync always}: the write the file refuses ends the process (exit 1,
     * its replicas take over), never acknowledged. Before, the server stayed up holding every reply behind the write
     * that could not become durable: a primary answering nothing, still Ready, until someone freed the disk (issue 74's
     * campaign, its claim filled on the real node).
     */
    @Test
    void withAppendfsyncAlwaysAWriteTheDiskRefusesEndsTheProcessUnacknowledged() throws Exception {
        String[] options = {"--percore.demo.persistence.dir=" + dir, "--percore.demo.persistence.mode=aof",
            "--percore.demo.persistence.appendfsync=always"};
        Path incr = dir.resolve("appendonlydir/appendonly.aof.1.incr.aof");
        // the files a first start makes (the same code in this JVM: only the refused write's exit needs a process of its own)
        try (TestServices first = TestServices.start(1, DemoSettings.forTests().withPersistence(
                PersistenceSettings.in(dir).withAof(AofSettings.OFF.withEnabled(true).withFsync(AofSettings.Fsync.ALWAYS))))) {
            assertThat(incr).as("the log made at the start").exists();
        }
        // the incremental file on a device where every write fails with ENOSPC (a full disk)
        Files.delete(incr);
        Files.createSymbolicLink(incr, Path.of("/dev/full"));
        try (AppProcess app = AppProcess.start(1, JVM, options); RespTestClient c = new RespTestClient(app.respPort())) {
            assertThat(c.cmd("GET", "k")).as("a read before any write").isNull();
            Object reply;
            try {
                reply = c.cmd("SET", "k", "v");
            } catch (java.io.IOException closed) {
                reply = closed.toString();
            }
            assertThat(reply).as("the write's reply").isNotEqualTo("OK");
            assertThat(app.waitFor(30)).as("the process ended: " + app.output()).isTrue();
            assertThat(app.output()).contains("Can't recover from AOF write error when the AOF fsync policy is 'always'", "[exit 1]");
        }
    }

    /** Pipelined writes until 100,000 are acknowledged, SIGKILL, restart: {acknowledged, lost, writes per second}. */
    private long[] killUnderWritesAndCountLost(String fsync) throws Exception {
        AtomicLong acked = new AtomicLong();
        String[] options = {"--percore.demo.persistence.dir=" + dir, "--percore.demo.persistence.mode=aof",
            "--percore.demo.persistence.appendfsync=" + fsync};
        long ackedAtKill;
        long perSecond;
        try (AppProcess app = AppProcess.start(2, JVM, options)) {
            Thread writer = writer(app.respPort(), "k:", acked);
            long start = System.nanoTime();
            writer.start();
            waitFor(() -> acked.get() >= 100_000, "100,000 acknowledged writes");
            app.kill();
            ackedAtKill = acked.get();
            perSecond = ackedAtKill * 1_000_000_000L / Math.max(1, System.nanoTime() - start);
            writer.join(30_000);
            ackedAtKill = acked.get(); // replies read before the socket closed were acknowledged too
        }
        Process check = new ProcessBuilder("redis-check-aof", dir.resolve("appendonlydir/appendonly.aof.manifest").toString())
                .redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // a torn last command is what a kill may leave: --fix would cut it, the service's start does; so is a command cut
        // short and then zeros to the end (seen once in CI, on a 6.18 kernel: redis-check-aof calls it not valid, the
        // service's start cuts it as a torn command, AofTest)
        assertThat(check.waitFor() == 0 || report.contains("truncated") || zeroTail(report)).as(report).isTrue();
        long lost = 0;
        AofSettings.Fsync policy = "always".equals(fsync) ? AofSettings.Fsync.ALWAYS : AofSettings.Fsync.EVERYSEC;
        try (TestServices app = TestServices.start(2, DemoSettings.forTests().withPersistence(
                PersistenceSettings.in(dir).withAof(AofSettings.OFF.withEnabled(true).withFsync(policy))));
             RespTestClient c = new RespTestClient(app.respPort())) {
            for (long n = 0; n < ackedAtKill; n += 1000) {
                Object[] keys = new Object[(int) Math.min(1000, ackedAtKill - n) + 1];
                keys[0] = "MGET";
                for (int i = 1; i < keys.length; i++) {
                    keys[i] = "k:" + (n + i - 1);
                }
                List<?> values = (List<?>) c.cmd(java.util.Arrays.copyOf(keys, keys.length, String[].class));
                for (Object v : values) {
                    if (v == null) {
                        lost++;
                    }
                }
            }
        }
        System.out.printf("ProcessKillTest appendfsync %s: %d acknowledged, %d lost, %d writes a second%n", fsync, ackedAtKill, lost, perSecond);
        return new long[] {ackedAtKill, lost, perSecond};
    }

    /** Whether redis-check-aof stopped at the last file's tail of zeros after a cut command (what AofLoad.tornThenZeros cuts). */
    private boolean zeroTail(String report) throws IOException {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("filename=(\\S+\\.incr\\.aof), size=(\\d+), ok_up_to=(\\d+)").matcher(report);
        String file = null;
        long size = 0;
        long okUpTo = 0;
        while (m.find()) { // the last incr file's line
            file = m.group(1);
            size = Long.parseLong(m.group(2));
            okUpTo = Long.parseLong(m.group(3));
        }
        return file != null && AofLoad.tornThenZeros(dir.resolve("appendonlydir").resolve(file), okUpTo, size);
    }

    /** Writes {@code prefix<n>} = {@code v<n>} in pipelined batches until the connection ends or it is interrupted; {@code acked} counts the replies read. */
    private static Thread writer(int port, String prefix, AtomicLong acked) {
        return new Thread(() -> {
            try (RespTestClient w = new RespTestClient(port)) {
                for (long n = 0; !Thread.currentThread().isInterrupted(); n += BATCH) {
                    StringBuilder batch = new StringBuilder();
                    for (long i = n; i < n + BATCH; i++) {
                        String key = prefix + i;
                        String value = "v" + i;
                        batch.append("*3\r\n$3\r\nSET\r\n$").append(key.length()).append("\r\n").append(key)
                                .append("\r\n$").append(value.length()).append("\r\n").append(value).append("\r\n");
                    }
                    w.send(batch.toString());
                    for (int i = 0; i < BATCH; i++) {
                        if (!"OK".equals(w.read())) {
                            return;
                        }
                        acked.incrementAndGet();
                    }
                }
            } catch (IOException e) {
                // the server went away: what was acknowledged is counted
            }
        }, "writer-" + prefix);
    }

    private static Set<String> keysIn(Path file) throws IOException {
        Set<String> keys = new HashSet<>();
        RdbFileReader.read(file, new RdbReader.Limits(1 << 20, x -> { }, ZSetValue.Limits.DEFAULT, HashValue.Limits.DEFAULT,
                SetValue.Limits.DEFAULT), (key, value, at) -> keys.add(new String(key, StandardCharsets.UTF_8)));
        return keys;
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }
}
