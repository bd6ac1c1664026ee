package io.percore.demo.feed;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The loop a change feed's readers share: the order of hand-overs and tasks, the wake-up from a sleep, the stop, a failure. */
class FeedReaderThreadTest {

    /** What the thread did, in order: records given to the output, tasks, the turns' ends, the failure and the end. */
    private final List<String> events = new CopyOnWriteArrayList<>();

    private final FeedOrder.Output output = new FeedOrder.Output() {
        @Override
        public void encoded(byte[] commands, int firstDb, int lastDb) {
            events.add("record " + new String(commands, StandardCharsets.US_ASCII));
        }

        @Override
        public void block(Block commands) {
            events.add("block");
        }

        @Override
        public void mark(long group) {
            events.add("mark " + group);
        }
    };

    private final class Recording implements FeedReaderThread.Turns {
        final long idleNanos;
        final CountDownLatch ended = new CountDownLatch(1);

        Recording(long idleNanos) {
            this.idleNanos = idleNanos;
        }

        @Override
        public void beforeTask() {
            events.add("before task");
        }

        @Override
        public void endOfTurn(long turnBegan, boolean stopping) {
            if (stopping) {
                events.add("last turn");
            }
        }

        @Override
        public long idleNanos() {
            return idleNanos;
        }

        @Override
        public void failed(Throwable e) {
            events.add("failed " + e.getMessage());
        }

        @Override
        public void ended() {
            events.add("ended");
            ended.countDown();
        }
    }

    private static FeedRecord.Encoded record(int shard, long seq, String text) {
        return new FeedRecord.Encoded(shard, seq, text.getBytes(StandardCharsets.US_ASCII), 0, 0);
    }

    @Test
    void aTaskRunsAfterWhatWasHandedOverBeforeItAndTheStopTakesALastTurnOverEverything() {
        Recording turns = new Recording(TimeUnit.SECONDS.toNanos(30));
        FeedReaderThread reader = new FeedReaderThread("test-feed-reader", 2, TimeUnit.MICROSECONDS.toNanos(100), output, turns);
        // handed over before the thread starts: all in its first turn, in order
        reader.handOver(List.of(record(0, 1, "a"), record(0, 2, "b")), false);
        reader.control(() -> events.add("task"));
        reader.handOver(List.of(record(1, 1, "c")), false);
        reader.created(1, 5);
        reader.start();
        assertThat(reader.stop(10_000)).as("the thread ended").isTrue();
        assertThat(events).containsExactly("record a", "record b", "before task", "task", "record c", "last turn", "ended");
        assertThat(reader.order().createdNow()).as("what the shards said they made").containsExactly(0, 5);
    }

    @Test
    void aHandOverWakesASleepingThreadLongBeforeItsIdleTimeEnds() throws Exception {
        Recording turns = new Recording(TimeUnit.SECONDS.toNanos(60));
        FeedReaderThread reader = new FeedReaderThread("test-feed-reader", 1, TimeUnit.MICROSECONDS.toNanos(100), output, turns);
        reader.start();
        Thread.sleep(200); // it found nothing and sleeps for up to a minute
        CompletableFuture<Void> ran = new CompletableFuture<>();
        reader.handOver(List.of(record(0, 1, "x")), false);
        reader.control(() -> ran.complete(null));
        ran.get(20, TimeUnit.SECONDS); // woken by the hand-over or the task, not by the minute's end
        assertThat(events).startsWith("record x", "before task");
        assertThat(reader.stop(10_000)).isTrue();
    }

    @Test
    void aFailureEndsTheThreadThroughFailedAndEnded() throws Exception {
        Recording turns = new Recording(TimeUnit.SECONDS.toNanos(30));
        FeedReaderThread reader = new FeedReaderThread("test-feed-reader", 1, TimeUnit.MICROSECONDS.toNanos(100), output, turns);
        reader.start();
        reader.control(() -> {
            throw new IllegalStateException("the disk is gone");
        });
        assertThat(turns.ended.await(20, TimeUnit.SECONDS)).isTrue();
        assertThat(events).containsExactly("before task", "failed the disk is gone", "ended");
        assertThat(reader.stop(10_000)).as("nothing left running").isTrue();
    }
}
