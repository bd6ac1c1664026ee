package io.percore.demo.replication;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The stream's thread between turns: a GETACK or a proof (PING + GETACK) asked for goes out at once when there is a
 * replica to ask; when there is none, or the stream is a replica's copy of its primary's, the thread parks as usual.
 * With min-replicas-to-write the cron asks for proof every second on every server: taken as urgent where it could not
 * go out, the thread turned without a pause, a CPU on each replica (seen on the real node: two replicas at 100 %).
 */
class ReplicationStreamTest {

    private final AtomicBoolean attached = new AtomicBoolean();
    private final ReplicationStream stream = new ReplicationStream(new ReplicationBuffer(1), 2, 1 << 20, TimeUnit.SECONDS.toNanos(10),
            new ReplicationStream.Readers() {
                @Override
                public void appended() {
                }

                @Override
                public long needed() {
                    return Long.MAX_VALUE;
                }

                @Override
                public boolean any() {
                    return attached.get();
                }
            });

    @AfterEach
    void close() {
        stream.close(5_000);
    }

    @Test
    void aProofWithNoReplicaToAskWaitsForOneInsteadOfTurningTheThreadWithoutPause() throws Exception {
        stream.requestProof();
        stream.requestAcks();
        assertThat(stream.idleNanos()).as("parks between turns while no replica is attached").isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));

        java.util.concurrent.atomic.AtomicReference<Thread> streamThread = new java.util.concurrent.atomic.AtomicReference<>();
        stream.run(() -> streamThread.set(Thread.currentThread())).get(30, TimeUnit.SECONDS);
        Thread thread = streamThread.get();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getThreadCpuTime(thread.getId());
        long wallBefore = System.nanoTime();
        Thread.sleep(500);
        long cpu = threads.getThreadCpuTime(thread.getId()) - cpuBefore;
        long wall = System.nanoTime() - wallBefore;
        // a parked thread takes microseconds a turn; one that spins takes what the scheduler gives it (all of a free CPU)
        assertThat(cpu).as("the stream thread's CPU over %d ms", TimeUnit.NANOSECONDS.toMillis(wall)).isLessThan(wall / 4);

        // on the stream's thread, so that no turn of it sends the GETACK (and clears the request) between the two
        java.util.concurrent.atomic.AtomicLong idleOnceAttached = new java.util.concurrent.atomic.AtomicLong(-1);
        stream.run(() -> {
            attached.set(true);
            idleOnceAttached.set(stream.idleNanos());
        }).get(30, TimeUnit.SECONDS);
        assertThat(idleOnceAttached.get()).as("with a replica to ask, it goes out at once").isZero();
    }

    @Test
    void aReplicasCopyOfItsPrimarysStreamNeverAsksItsOwnReplicas() throws Exception {
        long[] idle = new long[2];
        // on the stream's thread: a turn between ownStream(true) and the reading would send the GETACK and clear it
        stream.run(() -> {
            attached.set(true);
            stream.ownStream(false);
            stream.requestProof();
            idle[0] = stream.idleNanos();
            stream.ownStream(true);
            idle[1] = stream.idleNanos();
        }).get(30, TimeUnit.SECONDS);
        assertThat(idle[0]).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(idle[1]).isZero();
    }
}
