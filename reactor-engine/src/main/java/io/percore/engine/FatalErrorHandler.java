package io.percore.engine;

/**
 * What happens when a fatal error ends a shard's loop ({@link Engine#onFatalError}). Fatal: a
 * {@link VirtualMachineError} ({@link OutOfMemoryError}, {@link StackOverflowError},
 * {@link InternalError}) thrown by a task, a timer, a continuation or a cross-shard call on a
 * shard, or anything thrown by the loop itself. A shard's loop is then gone: left alone, the
 * process would keep its listeners open and answer nothing (a zombie). Exceptions and other
 * errors thrown by a task ({@link AssertionError}, {@link LinkageError}) are failures of that
 * task's code, not of the JVM: they fail the task's future or are logged, and the loop goes on.
 *
 * <p>Called once per engine, on the failing shard's thread, after its loop stopped and before
 * its sockets are closed. It must not block for long and must end the process (or arrange for
 * it): the other shards keep serving until it does.
 */
@FunctionalInterface
public interface FatalErrorHandler {

    /** The exit code of {@link #HALT}: the one the JVM uses for {@code -XX:+ExitOnOutOfMemoryError}. */
    int EXIT_CODE = 3;

    /**
     * The default: log at ERROR with the shard and the stack, then {@link Runtime#halt} with
     * {@link #EXIT_CODE}. Halt, not {@code System.exit}: exit runs shutdown hooks, which need
     * threads and memory a JVM that just ran out of either may not have (the hooks can hang,
     * as a SIGTERM to an out-of-memory JVM does), and a process that cannot finish exiting is
     * the zombie this prevents. Applications that want a graceful exit install their own
     * handler (the Spring Boot starter does, with a bound, then halts).
     */
    FatalErrorHandler HALT = (shard, error) -> {
        try {
            Shard.LOG.error("Fatal error on shard {}: its loop has stopped; halting the process with exit code {}",
                    shard.id(), EXIT_CODE, error);
        } catch (Throwable ignored) {
            // Logging needs memory too; halting must not depend on it.
        } finally {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
    };

    void onFatalError(Shard shard, Throwable error);

    /** Whether {@code t} thrown by a task means the JVM itself is in trouble (see the class comment). */
    static boolean isFatal(Throwable t) {
        return t instanceof VirtualMachineError;
    }

    /**
     * For code that catches throwables on a shard where the engine cannot see them (a Netty
     * handler's {@code exceptionCaught}): if {@code t} is fatal, the calling shard's loop stops and
     * the engine's handler runs, as if a task had thrown it. Returns whether it was fatal.
     */
    static boolean reportIfFatal(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (isFatal(c)) {
                Shard s = Shard.currentOrNull();
                if (s != null) {
                    s.thread().failFatally(c);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * If {@code t} is fatal: marks the calling shard's loop to stop and report it (so it holds
     * even where a library such as Netty catches and logs what we rethrow), then rethrows it.
     */
    static void rethrowIfFatal(Throwable t) {
        if (isFatal(t)) {
            Shard s = Shard.currentOrNull();
            if (s != null) {
                s.thread().failFatally(t);
            }
            throw (VirtualMachineError) t;
        }
    }
}
