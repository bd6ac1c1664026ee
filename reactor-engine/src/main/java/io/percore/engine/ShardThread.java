package io.percore.engine;

import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A shard's thread and its life around the loop: pin, open the I/O loop, run
 * {@link Shard#runLoop} ({@link ShardLoop}), then the way out, whether the engine asked it to stop, a fatal error
 * ended it, or the closer gave up on it. It also tells the shard's owner-only methods whether
 * they run on it. Being a {@link FastThreadLocalThread} makes Netty's thread-locals (buffer
 * caches) fast.
 */
final class ShardThread extends FastThreadLocalThread {

    /** How long the I/O loop may take to close its channels before the shard confirms anyway. */
    private static final long IO_SHUTDOWN_NANOS = TimeUnit.SECONDS.toNanos(5);

    final Shard shard;
    private final PlannedCpu plannedCpu;
    /** The fatal error that ends this shard's loop (see {@link FatalErrorHandler}); set once. */
    private volatile Throwable fatalError;

    ShardThread(Shard shard, PlannedCpu plannedCpu) {
        super(shard.name());
        this.shard = shard;
        this.plannedCpu = plannedCpu;
        // A shard stuck in a task that never returns must not keep the JVM alive after close().
        setDaemon(true);
    }

    @Override
    public void run() {
        try {
            runShard();
        } finally {
            FastThreadLocal.removeAll(); // the promise willCleanupFastThreadLocals() makes
        }
    }

    /**
     * Netty pools its recycled objects (the outbound buffer's entry, one per write to a channel) only
     * on threads that promise to remove their fast thread-locals when they end, as {@link #run} does;
     * on any other thread each write allocates its entry anew (issue 29's allocation profile: 60 of the
     * 205 bytes of a RESP request one at a time).
     */
    @Override
    public boolean willCleanupFastThreadLocals() {
        return true;
    }

    private void runShard() {
        Engine engine = shard.engine();
        plannedCpu.pinCurrentThread(shard.id(), shard.stats());
        ShardEventLoop loop;
        try {
            loop = shard.openEventLoop();
        } catch (Throwable t) {
            shard.termination().confirm();
            engine.shardFailedToStart(shard, t);
            return;
        }
        engine.shardStarted(shard);
        try {
            shard.runLoop();
        } catch (Throwable t) {
            if (fatalError == null && !FatalErrorHandler.isFatal(t) && shard.stopRequested()) {
                // The engine is stopping this shard anyway: nothing is left to save.
                Shard.LOG.warn("Shard {} loop failed while stopping", shard.id(), t);
            } else {
                // A fatal error from a task, or anything the running loop itself threw: either way
                // the loop is gone, and a shard that no longer turns must not leave a zombie process.
                failFatally(t);
            }
        } finally {
            Throwable fatal = fatalError;
            if (fatal != null) {
                engine.shardFailedFatally(shard, fatal);
            }
            terminate(loop);
        }
    }

    /**
     * For {@code assert} in the methods only the shard's own thread may call: true on this
     * thread, otherwise throws naming both threads, so a test shows who broke the rule.
     */
    boolean checkCurrent() {
        if (Thread.currentThread() != this) {
            throw new AssertionError("Only " + getName() + "'s own thread may call this (called on '"
                    + Thread.currentThread().getName() + "')");
        }
        return true;
    }

    /** Asks the loop to stop at the end of its turn, and wakes it if it sleeps. Any thread. */
    void requestStop() {
        shard.termination().request();
        ShardEventLoop l = shard.eventLoop();
        if (l != null) {
            l.wakeup();
        }
    }

    /**
     * Marks the loop to stop at the end of the current turn and report {@code error} to the
     * engine's {@link FatalErrorHandler}. This thread only; the first error wins.
     */
    void failFatally(Throwable error) {
        if (fatalError == null) {
            fatalError = error;
        }
        shard.termination().request();
    }

    /** The closer gives up on this thread, stuck in a task: it rejects what outsiders queued. */
    void abandoned() {
        shard.termination().markClosed();
        // The stuck thread is inside a task, not draining, so the closer is the queue's only consumer.
        shard.foreignQueue().rejectQueued(Engine.closedException());
    }

    /** Shuts the I/O loop down, fails what is left queued, then confirms termination. */
    private void terminate(ShardEventLoop loop) {
        try {
            loop.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
            long deadline = System.nanoTime() + IO_SHUTDOWN_NANOS;
            while (!loop.isTerminated() && System.nanoTime() - deadline < 0) {
                loop.runNow();
            }
        } catch (Throwable t) {
            Shard.LOG.warn("Shard {} did not shut its I/O loop down cleanly", shard.id(), t);
        } finally {
            ShardTermination termination = shard.termination();
            termination.markClosed();
            RejectedExecutionException e = Engine.closedException();
            shard.rejectQueued(e);
            termination.confirm();
            shard.engine().shardTerminated(shard);
        }
    }
}
