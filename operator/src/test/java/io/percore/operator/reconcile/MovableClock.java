package io.percore.operator.reconcile;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The system's time, moved forward by what a test says: a schedule's next minute is reached by moving the clock to it,
 * not by waiting for it. Time still runs between moves.
 */
final class MovableClock extends Clock {

    private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);

    /** From now on the clock reads {@code at} (and runs on from there); never backwards. */
    void moveTo(Instant at) {
        ahead.updateAndGet(d -> {
            Duration to = Duration.between(Instant.now(), at);
            return to.compareTo(d) > 0 ? to : d;
        });
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(ahead.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the operator reads UTC instants only");
    }
}
