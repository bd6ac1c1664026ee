package io.percore.demo.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The wall clock read from a monotonic reading: the realtime clock's milliseconds at that instant. */
class WallClockTest {

    @Test
    void millisAtAReadingAreTheRealtimeClocksThenWithinAMillisecond() throws Exception {
        WallClock clock = new WallClock();
        for (int i = 0; i < 30; i++) {
            long before = System.currentTimeMillis();
            long at = clock.millisAt(System.nanoTime());
            long after = System.currentTimeMillis();
            // the pair is read a few µs apart, and each side may round down: one millisecond either way
            assertThat(at).as("round %d", i).isBetween(before - 1, after + 1);
            Thread.sleep(i % 3 == 0 ? WallClock.RESYNC_MILLIS / 3 : 1); // across renewals too
        }
    }

    @Test
    void aReadingTakenBeforeARenewalStillGivesItsOwnInstant() throws Exception {
        WallClock clock = new WallClock();
        Thread.sleep(WallClock.RESYNC_MILLIS + 20);
        long start = System.nanoTime();
        long wallAtStart = System.currentTimeMillis();
        Thread.sleep(50);
        // the first reading after the pause renews the pair; an older reading stays in its own past
        assertThat(clock.millisAt(System.nanoTime())).isGreaterThanOrEqualTo(wallAtStart + 49);
        assertThat(clock.millisAt(start)).isBetween(wallAtStart - 1, wallAtStart + 1);
    }
}
