package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.feed.FeedRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code appendfsync everysec} a slow fsync runs beside the writer: the writes go on while it
 * is in flight, and it makes durable only what was written before it began.
 */
class AofWriterFsyncTest {

    private static final byte[] SET = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    private AofWriter writer;
    private final Semaphore allowed = new Semaphore(0);
    private final Semaphore entered = new Semaphore(0);

    /** A disk whose fsync lasts until the test allows it, one force per permit. */
    private final ChannelForce slowDisk = channel -> {
        entered.release();
        allowed.acquireUninterruptibly();
        channel.force(false);
    };

    @AfterEach
    void close() {
        allowed.release(1000);
        if (writer != null) {
            writer.close(Duration.ofSeconds(30));
        }
    }

    @Test
    void writesGoOnWhileAnEverysecFsyncIsInFlightAndItMakesDurableOnlyWhatCameBefore() throws Exception {
        writer = open(slowDisk);
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).as("the once-a-second fsync began").isTrue();
        long sizeAtFsync = writer.currentSize();
        assertThat(sizeAtFsync).isPositive();

        for (long seq = 2; seq <= 100; seq++) {
            writer.offer(List.of(new FeedRecord.Encoded(0, seq, SET, 0, 0)));
        }
        Path incr = dir.resolve(writer.manifest().lastIncr().name());
        long expected = sizeAtFsync + 99L * SET.length;
        awaitTrue(() -> writer.currentSize() == expected, "the writer wrote while the fsync was in flight");
        assertThat(Files.size(incr)).isEqualTo(expected);
        assertThat(writer.reached(new long[] {1})).as("nothing is durable before the fsync ends").isFalse();
        assertThat(writer.fsyncPending()).isTrue();

        allowed.release();
        awaitTrue(() -> writer.reached(new long[] {1}), "the fsync's end published what it covers");
        // the next fsync (a second later) stays in flight until allowed: what was written after the first began is not durable yet
        assertThat(writer.reached(new long[] {2})).isFalse();

        allowed.release(1000);
        awaitTrue(() -> writer.reached(new long[] {100}), "the next fsync covered the rest");
        assertThat(writer.close(Duration.ofSeconds(30))).isTrue();
        awaitTrue(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.getName().equals("percore-aof-fsync") && t.isAlive()), "the fsync thread ended");
        writer = null;
    }

    @Test
    void aFailedBackgroundFsyncIsAWriteErrorUntilAForceSucceeds() throws Exception {
        AtomicInteger failures = new AtomicInteger(1);
        writer = open(channel -> {
            if (failures.getAndDecrement() > 0) {
                throw new IOException("the disk is gone");
            }
            slowDisk.force(channel);
        });
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        awaitTrue(() -> writer.writeError() != null, "the fsync's error surfaced");
        assertThat(writer.writeError()).contains("the disk is gone");
        assertThat(writer.reached(new long[] {1})).isFalse();
        assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).as("retried").isTrue();
        assertThat(writer.writeError()).as("still failed while the retry is in flight").isNotNull();
        assertThat(writer.reached(new long[] {1})).isFalse();
        allowed.release();
        awaitTrue(() -> writer.writeError() == null && writer.reached(new long[] {1}), "the retried fsync made it durable");
    }

    @Test
    void closingWaitsForTheFsyncInFlightThenForcesEverything() throws Exception {
        writer = open(slowDisk);
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
        writer.offer(List.of(new FeedRecord.Encoded(0, 2, SET, 0, 0)));
        awaitTrue(() -> writer.currentSize() > SET.length, "the second write is written");

        assertThat(writer.close(Duration.ofMillis(200))).as("not closed while the fsync is held").isFalse();
        allowed.release(1000);
        assertThat(writer.close(Duration.ofSeconds(30))).isTrue();
        assertThat(writer.reached(new long[] {2})).as("the final force covers everything").isTrue();
        assertThat(entered.availablePermits()).as("one final force after the one in flight").isEqualTo(1);
        writer = null;
    }

    @Test
    void aRotationWaitsForTheFsyncInFlightBeforeItClosesTheFile() throws Exception {
        writer = open(slowDisk);
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).isTrue();
        String before = writer.manifest().lastIncr().name();
        long oneFile = writer.currentSize();
        BitSet alone = new BitSet();
        alone.set(0);
        writer.offer(List.of(new FeedRecord.Mark(0, 2, 1, alone)));
        writer.offer(List.of(new FeedRecord.Encoded(0, 3, SET, 0, 0)));
        Thread.sleep(200);
        assertThat(writer.manifest().lastIncr().name()).as("no rotation while the fsync is in flight").isEqualTo(before);

        allowed.release(1000);
        awaitTrue(() -> !writer.manifest().lastIncr().name().equals(before), "the rotation after the fsync");
        awaitTrue(() -> writer.currentSize() == 2 * oneFile, "the next write in the next file");
        assertThat(writer.writeError()).as("no force ran on the closed file").isNull();
        assertThat(writer.reached(new long[] {2})).as("the rotation forced the old file").isTrue();
    }

    @Test
    void aReplicasAckWaitsUntilWhatItAppliedIsForcedWithAlwaysAndOnlyWrittenWithEverysec() throws Exception {
        writer = AofWriter.open(dir, "appendonly.aof", AofManifest.EMPTY, AofSettings.Fsync.ALWAYS, 1, shard -> { }, () -> { }, false,
                slowDisk);
        assertThat(writer.awaitSafeAsReplies(0)).as("nothing changed: nothing to wait for").isTrue();
        writer.created(0, 1);
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).as("the force began").isTrue();
        long began = System.nanoTime();
        assertThat(writer.awaitSafeAsReplies(TimeUnit.MILLISECONDS.toNanos(200))).as("not while the force is held").isFalse();
        assertThat(System.nanoTime() - began).as("waited its bound").isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        java.util.concurrent.CompletableFuture<Boolean> waiting = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> writer.awaitSafeAsReplies(TimeUnit.SECONDS.toNanos(30)));
        Thread.sleep(50);
        assertThat(waiting).as("still waiting for the force").isNotDone();
        allowed.release();
        assertThat(waiting.get(30, TimeUnit.SECONDS)).as("let go by the force's end").isTrue();

        // everysec: written is enough, as a reply's changes are (Redis's ack leaves after its write(2), before the fsync)
        writer.fsync(AofSettings.Fsync.EVERYSEC);
        writer.created(0, 2);
        writer.offer(List.of(new FeedRecord.Encoded(0, 2, SET, 0, 0)));
        assertThat(writer.awaitSafeAsReplies(TimeUnit.SECONDS.toNanos(30))).isTrue();
        assertThat(writer.reached(new long[] {2})).as("not forced yet").isFalse();
    }

    private AofWriter open(ChannelForce force) throws IOException {
        return AofWriter.open(dir, "appendonly.aof", AofManifest.EMPTY, AofSettings.Fsync.EVERYSEC, 1, shard -> { }, () -> { }, false,
                force);
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for: %s", what).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void repliesAreHeldOnceRecordsHaveWaitedHalfASecondForAStuckWriterAndLetOutWhenItCatchesUp() throws Exception {
        AtomicInteger woken = new AtomicInteger();
        writer = AofWriter.open(dir, "appendonly.aof", AofManifest.EMPTY, AofSettings.Fsync.EVERYSEC, 1, shard -> woken.incrementAndGet(),
                () -> { }, false, ChannelForce.DISK);
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        awaitTrue(() -> writer.bufferLength() == 0 && writer.currentSize() > 0, "the first write");
        long firstSize = writer.currentSize();
        Thread.sleep(TimeUnit.NANOSECONDS.toMillis(AofWriter.MAX_LAG_NANOS) + 100);
        // an idle writer is not behind, and the first record after a pause longer than the bound is not late either
        assertThat(writer.behind()).isFalse();

        java.util.concurrent.CountDownLatch stuck = new java.util.concurrent.CountDownLatch(1);
        writer.control(() -> {
            try {
                stuck.await(); // a writer that gets no CPU, or a write(2) the disk holds up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long offeredAt = System.nanoTime();
        writer.offer(List.of(new FeedRecord.Encoded(0, 2, SET, 0, 0)));
        assertThat(writer.behind()).as("just offered").isFalse();
        awaitTrue(writer::behind, "held once the record waited past the bound");
        assertThat(System.nanoTime() - offeredAt).isGreaterThanOrEqualTo(AofWriter.MAX_LAG_NANOS);
        writer.wakeMe(0);
        int wakesBefore = woken.get();

        stuck.countDown();
        awaitTrue(() -> !writer.behind(), "let out when the writer wrote the record");
        awaitTrue(() -> woken.get() > wakesBefore, "the waiting shard is woken");
        awaitTrue(() -> writer.currentSize() == firstSize + SET.length, "the second record written");
    }

    @Test
    void aWriteThatKeepsFailingIsTriedOnceASecondNotInABusyLoop() throws Exception {
        // the incremental file on a device where every write fails with ENOSPC (a full disk)
        Files.createSymbolicLink(dir.resolve("appendonly.aof.1.incr.aof"), Path.of("/dev/full"));
        writer = open(ChannelForce.DISK);
        writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
        awaitTrue(() -> writer.writeError() != null, "the write's error surfaced");
        Thread writerThread = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("percore-aof-writer") && t.isAlive()).findFirst().orElseThrow();
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(writerThread.getId());
        Thread.sleep(2000);
        long cpu = threads.getThreadCpuTime(writerThread.getId()) - cpuBefore;
        // a retry a second costs microseconds; the busy loop this replaced took a whole CPU (or its share of a loaded one)
        assertThat(cpu).as("the writer's CPU over 2 s of a full disk, ns").isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
        assertThat(writer.writeError()).as("still failing").isNotNull();
    }

    @Test
    void anFsyncOfASecondOrMoreIsLoggedWithWhatItHeld() throws Exception {
        ch.qos.logback.classic.Logger log = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(AofWriter.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged = new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        log.addAppender(logged);
        try {
            writer = open(slowDisk);
            writer.offer(List.of(new FeedRecord.Encoded(0, 1, SET, 0, 0)));
            assertThat(entered.tryAcquire(30, TimeUnit.SECONDS)).as("the once-a-second fsync began").isTrue();
            Thread.sleep(AofWriter.SLOW_FSYNC.toMillis());
            allowed.release();
            awaitTrue(() -> writer.reached(new long[] {1}), "the slow fsync ended");
            awaitTrue(() -> messages(logged).stream().anyMatch(m -> m.startsWith("Fsync of the append-only file took ")),
                    "the slow fsync logged");
            assertThat(messages(logged)).filteredOn(m -> m.startsWith("Fsync of the append-only file took ")).singleElement().asString()
                    .contains("(disk is busy?)", "appendfsync everysec")
                    .satisfies(m -> assertThat(Long.parseLong(m.replaceAll("^Fsync of the append-only file took (\\d+) ms.*$", "$1")))
                            .isGreaterThanOrEqualTo(AofWriter.SLOW_FSYNC.toMillis()));
        } finally {
            log.detachAppender(logged);
        }
    }

    private static List<String> messages(ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> appender) {
        synchronized (appender) { // the writer's threads append while the test reads
            return appender.list.stream().map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
