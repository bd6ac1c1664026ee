package io.percore.spring.boot.autoconfigure;

import io.percore.engine.Engine;
import io.percore.engine.FatalErrorHandler;
import io.percore.engine.Shard;
import java.time.Duration;
import java.util.Objects;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The application's answer to a fatal error on a shard (an {@link OutOfMemoryError} or
 * {@link StackOverflowError} from a task; see {@link FatalErrorHandler}): log it, mark the
 * application broken ({@link LivenessState#BROKEN}, so {@code /actuator/health/liveness} and
 * the {@code percore} indicator say DOWN), then exit with {@link FatalErrorHandler#EXIT_CODE}.
 * The exit runs Spring's shutdown (listeners stop, the engine closes) on a thread of its own;
 * if that has not ended the process within {@link #EXIT_BOUND} (shutdown hooks can hang in a
 * JVM short of memory or threads), the process is halted with the same code. Either way it
 * ends: no zombie that accepts connections and never answers.
 */
public final class PercoreFatalErrorExit implements FatalErrorHandler {

    /** How long a graceful exit may take before the process is halted. */
    public static final Duration EXIT_BOUND = Duration.ofSeconds(10);

    private static final Logger LOG = LoggerFactory.getLogger(PercoreFatalErrorExit.class);

    private final ApplicationEventPublisher events;
    private final IntConsumer exit;
    private final IntConsumer halt;
    private final Duration bound;

    /** The production one: {@code System.exit}, then {@code Runtime.halt} after {@link #EXIT_BOUND}. */
    public PercoreFatalErrorExit(Engine engine, ApplicationEventPublisher events) {
        this(engine, events, System::exit, Runtime.getRuntime()::halt, EXIT_BOUND);
    }

    /** With the exit actions injected (tests must not end their own JVM). */
    public PercoreFatalErrorExit(Engine engine, ApplicationEventPublisher events, IntConsumer exit, IntConsumer halt, Duration bound) {
        this.events = Objects.requireNonNull(events, "events");
        this.exit = Objects.requireNonNull(exit, "exit");
        this.halt = Objects.requireNonNull(halt, "halt");
        this.bound = Objects.requireNonNull(bound, "bound");
        engine.onFatalError(this);
    }

    @Override
    public void onFatalError(Shard shard, Throwable error) {
        try {
            LOG.error("Fatal error on shard {}: its loop has stopped; liveness is BROKEN and the application exits with code {}"
                    + " (halting after {} if the shutdown does not finish)", shard.id(), EXIT_CODE, bound, error);
            // Health first: probes that look while the shutdown runs see DOWN, not UP.
            AvailabilityChangeEvent.publish(events, this, LivenessState.BROKEN);
        } catch (Throwable t) {
            // Logging and events need memory; the exit must not depend on them.
        }
        try {
            Thread watchdog = new Thread(() -> {
                try {
                    Thread.sleep(bound.toMillis());
                } catch (InterruptedException e) {
                    // halt now
                }
                halt.accept(EXIT_CODE);
            }, "percore-fatal-halt");
            watchdog.setDaemon(true);
            watchdog.start();
            // Not daemon and not this shard's thread: System.exit blocks until the hooks ran.
            new Thread(() -> exit.accept(EXIT_CODE), "percore-fatal-exit").start();
        } catch (Throwable noThreads) {
            halt.accept(EXIT_CODE);
        }
    }
}
