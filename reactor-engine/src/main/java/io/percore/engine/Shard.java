package io.percore.engine;

import io.netty.channel.IoEventLoop;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One core's worth of the engine: a thread that owns its sockets, timers, tasks and data, and
 * runs them all in one loop ({@link ShardLoop}). Other shards reach it through the mesh rings,
 * other threads through its foreign queue; nothing else touches its state. Methods only the
 * shard's own thread may call say so and assert it ({@code -ea} is on in tests).
 *
 * <p>This file is the public face; the parts, each with one job: {@link ShardLoop} (the loop and
 * its I/O poll), {@link GroupScheduler} (tasks by scheduling group), {@link IdleStrategy} (what to do before
 * sleeping, per mode), {@link ShardCounters} (counting, published as {@link ShardStats}),
 * {@link Outbox} (sending), {@link CrossShardCalls} (this shard's calls to others and their
 * pooled messages), {@link ForeignQueue} (work from outside the engine, bounded by
 * {@link ForeignAdmission}), {@link ShardTimers} (timers and timeouts), {@link ShardThread}
 * (the thread's life around the loop: pinning, start, fatal errors, the way out),
 * {@link QuiescenceSignal} (what a draining engine may know), {@link ShardTermination} (stopping
 * and its confirmation), {@link PlannedCpu} (pinning). The loop holds the fields it touches on
 * every turn or message (queues, rings, scheduler, timing) itself, not through another part.
 */
public final class Shard {

    static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    private final Engine engine;
    private final int id;
    private final String name;
    private final SchedulingGroup[] groupDefs;
    private final ForeignQueue foreignQueue;
    private final ShardStats stats;
    private final ShardCounters counters;
    private final GroupScheduler scheduler;
    private final IdleStrategy idleStrategy;
    private final ShardLoop loop;
    private final CrossShardCalls calls;
    private final ShardTimers timers = new ShardTimers(this);
    private final QuiescenceSignal quiescence = new QuiescenceSignal();
    private final ShardTermination termination = new ShardTermination();
    private final ShardThread thread;

    // Set during Engine construction, before the thread starts.
    private Outbox outbox;

    private volatile ShardEventLoop eventLoop;
    /** Shard-thread only: depth of synchronously run future continuations. */
    int notifyDepth;

    /**
     * The only place a shard reads its engine's configuration; the parts get plain values.
     *
     * @param cpu the CPU to pin to, or -1 for none
     */
    Shard(Engine engine, int id, SchedulingGroup[] groupDefs, ShardTransport transport, int cpu) {
        this.engine = engine;
        this.id = id;
        this.name = "percore-shard-" + id;
        this.groupDefs = groupDefs;
        boolean pinnedMode = engine.busyPolling();
        long quotaNanos = engine.settings().taskQuota().toNanos();
        long idlePollNanos = engine.settings().idlePoll().toNanos();
        this.foreignQueue = new ForeignQueue(this, engine.settings().foreignQueueCapacity());
        this.stats = new ShardStats(id, groupDefs, transport.name(), transport.fallbackReason(), foreignQueue.queue::size, this::isIdle);
        this.counters = new ShardCounters(id, stats);
        // Overprovisioned: the OS preempts the thread at will, so competing groups are charged CPU time.
        this.scheduler = new GroupScheduler(groupDefs, quotaNanos, !pinnedMode, counters);
        this.idleStrategy = IdleStrategy.forMode(pinnedMode, idlePollNanos, ShardTransport.IO_URING.equals(transport.name()));
        this.calls = new CrossShardCalls(this, scheduler);
        this.thread = new ShardThread(this,
                new PlannedCpu(cpu, pinnedMode ? "placement is unpinned" : "overprovisioned mode: not pinned"));
        this.loop = new ShardLoop(this, thread, foreignQueue, stats, counters, scheduler, idleStrategy, quiescence, termination,
                quotaNanos, LiveTuning.ioTaskBudgetNanos(quotaNanos, engine.settings().stallThreshold()),
                LiveTuning.maxSleepNanos(engine.settings().stallThreshold()));
    }

    void connect(Shard[] all, CrossShardMesh mesh) {
        this.outbox = new Outbox(this, all, mesh, engine.settings().crossShardOverflowCapacity());
        loop.connect(outbox, mesh.ringsTo(id));
    }

    // ================================================================ public API

    /** The shard whose thread is calling. @throws IllegalStateException off a shard thread */
    public static Shard current() {
        Shard s = currentOrNull();
        if (s == null) {
            throw new IllegalStateException("Not on a Percore shard thread (thread '" + Thread.currentThread().getName() + "')");
        }
        return s;
    }

    /** Whether {@code thread} is a shard's loop thread (e.g. for Reactor's non-blocking thread check). */
    public static boolean isShardThread(Thread thread) {
        return thread instanceof ShardThread;
    }

    /** The shard whose thread is calling, or null. */
    public static Shard currentOrNull() {
        Thread t = Thread.currentThread();
        return t instanceof ShardThread ? ((ShardThread) t).shard : null;
    }

    public int id() {
        return id;
    }

    public String name() {
        return name;
    }

    public Engine engine() {
        return engine;
    }

    public boolean inShardThread() {
        return Thread.currentThread() == thread;
    }

    public ShardStats stats() {
        return stats;
    }

    public ShardTransport transport() {
        return engine.shardTransport();
    }

    /**
     * The Netty loop driven by this shard. Register channels on it (as both {@code group} and
     * {@code childGroup} of a bootstrap) to do their I/O on this shard's thread. Do not shut it
     * down yourself: the engine does on close.
     */
    public IoEventLoop ioEventLoop() {
        return eventLoop;
    }

    /** The scheduling group called {@code name}. @throws IllegalArgumentException if unknown */
    public SchedulingGroup group(String name) {
        return engine.group(name);
    }

    /** Runs {@code task} on this shard in the default group. Callable from any thread. */
    public void execute(Runnable task) {
        if (Thread.currentThread() == thread && task != null) {
            // The hot path: a task spawning a task on its own shard.
            quiescence.publishBusy();
            scheduler.add(0, task);
            return;
        }
        executeIn(0, Objects.requireNonNull(task, "task"));
    }

    /** Runs {@code task} on this shard in {@code group}. Callable from any thread. */
    public void execute(SchedulingGroup group, Runnable task) {
        Objects.requireNonNull(task, "task");
        executeIn(Objects.requireNonNull(group, "group").indexIn(groupDefs), task);
    }

    private void executeIn(int g, Runnable task) {
        if (inShardThread()) {
            quiescence.publishBusy();
            scheduler.add(g, task);
            return;
        }
        Shard caller = currentOrNull();
        if (caller != null && caller.engine == engine) {
            if (!caller.sendRequest(id, g == 0 ? task : new GroupTask(g, task))) {
                throw caller.overflowRejection(id);
            }
            return;
        }
        engine.checkAccepting();
        foreignQueue.offerOrThrow(g == 0 ? task : new GroupTask(g, task));
    }

    /**
     * Runs {@code task} on shard {@code target} and completes the returned future on the calling
     * shard. Must be called on a shard thread; the task runs in the caller's current scheduling
     * group. The round trip uses pooled messages and takes no lock.
     */
    public <T> ShardFuture<T> submitTo(int target, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return CrossShardCalls.ofCaller(engine).send(engine.shard(target), task, null);
    }

    /**
     * Like {@link #submitTo} for a task that itself returns a future (owned by the target shard):
     * the caller's future completes when that one does.
     */
    public <T> ShardFuture<T> submitToAsync(int target, Supplier<? extends ShardFuture<T>> task) {
        Objects.requireNonNull(task, "task");
        return CrossShardCalls.ofCaller(engine).send(engine.shard(target), null, task);
    }

    /**
     * Runs {@code task} on shard {@code target} and waits here, inside the calling task, for its
     * result, without returning to the loop: for a task that cannot yield until it has the answer (a
     * Lua script's call of a command on a shard its transaction holds). Nothing else of this shard
     * runs meanwhile but {@code whileWaiting}, every few microseconds (it may throw to give up: the
     * call is then abandoned, and skipped by the target if it has not begun). The caller must know
     * that {@code task}'s future completes without anything from this shard (its transaction holds
     * the target, which runs only its work): this shard drains no ring while it waits. Shard thread only.
     *
     * @return a completed future: the task's result or its failure
     * @throws RejectedExecutionException when the mesh refuses the call, or the target stopped; and
     *         whatever {@code whileWaiting} threw
     */
    public <T> ShardFuture<T> callAndWait(int target, Supplier<? extends ShardFuture<T>> task, Runnable whileWaiting) {
        assert thread.checkCurrent();
        Objects.requireNonNull(task, "task");
        if (target == id) {
            throw new IllegalArgumentException("a shard cannot wait for itself");
        }
        WaitingCall<T> call = new WaitingCall<>(task);
        if (!sendRequest(target, call)) {
            throw overflowRejection(target);
        }
        outbox.flush(); // the target, asleep or not, gets it now rather than at the end of this turn
        return call.await(this, engine.shard(target), whileWaiting);
    }

    /** Moves parked messages on and wakes the targets that sleep (see {@link #callAndWait}). */
    void flushOutbox() {
        outbox.flush();
    }

    /**
     * Polls this shard's sockets once without blocking and runs their handlers now, nested in the
     * task that calls it: for a task that runs far longer than a loop turn and must let the
     * shard's clients be answered meanwhile (a script past its time limit, as Redis's
     * {@code processEventsWhileBlocked}). Nothing else of the loop runs: no inbound messages, tasks
     * or timers. Shard thread only; does nothing (returns -1) when called from inside the I/O poll
     * itself (a socket handler), where Netty's handler may not be entered again.
     *
     * @return the I/O events handled, or -1 when it could not poll
     */
    public int pollIoNow() {
        return loop.pollIoNow();
    }

    /**
     * Wakes now, rather than at the end of the turn, the shards this one sent messages to: for a
     * task that runs far longer than a loop turn (a script past its time limit) and whose messages
     * must not wait for it. A message is in its ring as soon as it is sent, so a shard that is awake
     * takes it anyway; one asleep in its poll would otherwise wait for its sleep's cap. Shard thread
     * only; a no-op elsewhere.
     */
    public void wakeTargetsNow() {
        if (inShardThread()) {
            outbox.flush();
        }
    }

    /** The loop's non-blocking I/O poll, for its idle strategy ({@link ShardLoop#pollIo}). Loop thread only. */
    int pollIo(ShardEventLoop loop) {
        return this.loop.pollIo(loop);
    }

    /**
     * Whether this shard is inside Netty's I/O poll now: a socket handler is running, or a task the
     * shard runs between two completions of a long poll ({@link #beforeIoCompletion}). Netty's handler
     * must not be entered again there: {@link #pollIoNow} refuses, and a task that needs it hands on to
     * a timer ({@link #schedule}), which runs outside the poll. Shard thread only.
     */
    public boolean inIoPoll() {
        return loop.inIoPoll();
    }

    /** Runs {@code task} once after {@code delay}, on this shard. */
    public Cancellable schedule(Duration delay, Runnable task) {
        return timers.schedule(delay, task);
    }

    /** Runs {@code task} after {@code initialDelay}, then every {@code period}, until cancelled. */
    public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        return timers.scheduleAtFixedRate(initialDelay, period, task);
    }

    /**
     * A future with {@code future}'s outcome, or failed with {@link TimeoutException} if that
     * takes longer than {@code timeout}. Owned by this shard.
     */
    public <T> ShardFuture<T> timeout(ShardFuture<T> future, Duration timeout) {
        return timers.timeout(future, timeout);
    }

    @Override
    public String toString() {
        return name;
    }

    // ================================================================ package API

    ShardThread thread() {
        return thread;
    }

    ShardEventLoop eventLoop() {
        return eventLoop;
    }

    boolean stopRequested() {
        return termination.requested();
    }

    ShardTermination termination() {
        return termination;
    }

    QuiescenceSignal quiescence() {
        return quiescence;
    }

    ForeignQueue foreignQueue() {
        return foreignQueue;
    }

    boolean isIdle() {
        return loop.isIdle();
    }

    boolean isTerminated() {
        return termination.closed();
    }

    RegistrationTracker tracker() {
        return loop.tracker;
    }

    /** Enqueue work that must get through while draining (future completions, internal hops). */
    void executeInternal(Runnable task) {
        if (inShardThread()) {
            quiescence.publishBusy();
            scheduler.addToCurrent(task);
            return;
        }
        Shard caller = currentOrNull();
        if (caller != null && caller.engine == engine) {
            caller.sendTo(id, task);
            return;
        }
        foreignQueue.offerUnrefusable(task);
    }

    /** Live configuration ({@link LiveTuning}): a new task quota, budget for Netty's tasks and longest sleep, on this thread between two turns. */
    void applyTiming(long quota, long ioTaskBudget, long maxSleep) {
        assert thread.checkCurrent();
        loop.applyTiming(quota, ioTaskBudget, maxSleep);
    }

    /** Enqueue in the current group. Shard thread only. */
    void executeLocal(Runnable task) {
        assert thread.checkCurrent();
        quiescence.publishBusy();
        scheduler.addToCurrent(task);
    }

    /**
     * Sends new work (a call or a task) to shard {@code to}; false, having sent nothing, when it
     * would have to be parked and the overflow is at {@code cross-shard-overflow-capacity}
     * (then {@link #overflowRejection} says so). Shard thread only.
     */
    boolean sendRequest(int to, Object message) {
        assert thread.checkCurrent();
        quiescence.publishBusy();
        if (to == id) {
            loop.accept(message);
            return true;
        }
        return outbox.sendRequest(to, message);
    }

    /** What new work refused by {@link #sendRequest} fails with. */
    RejectedExecutionException overflowRejection(int to) {
        return outbox.overflowRejection(to);
    }

    /** Sends a message that must get through (a reply, a completion) to shard {@code to}. Shard thread only. */
    void sendTo(int to, Object message) {
        assert thread.checkCurrent();
        quiescence.publishBusy();
        if (to == id) {
            loop.accept(message);
            return;
        }
        outbox.send(to, message);
    }

    /** What this shard does between running out of work and sleeping (its mode's). */
    IdleStrategy idleStrategy() {
        return idleStrategy;
    }

    /** This shard's calls to others, and the pool their messages return to. */
    CrossShardCalls calls() {
        return calls;
    }

    /** A timer is about to run its task. Shard thread only. */
    void timerFired() {
        assert thread.checkCurrent();
        counters.timerFired();
    }

    /** Shard thread only. */
    void taskFailed(Throwable t, String what) {
        assert thread.checkCurrent();
        counters.taskFailed(t, what);
    }

    /**
     * Wakes the shard if it sleeps in the I/O poll. The caller must have issued a full fence
     * between publishing its work and calling this, or the shard may go to sleep unwoken.
     */
    void wakeIfSleeping() {
        loop.wakeIfSleeping();
    }

    /** Whether anything is queued for this shard's scheduler. Shard thread only. */
    boolean hasLocalWork() {
        return loop.hasLocalWork();
    }

    // ================================================================ start and stop (see ShardThread)

    /** Creates the Netty loop this shard drives, on the shard's own thread, and publishes it. */
    ShardEventLoop openEventLoop() {
        eventLoop = new ShardEventLoop(this, thread, loop.tracker.wrap(engine.shardTransport().newHandlerFactory()));
        return eventLoop;
    }

    /** Fails what is queued once no loop will run it: outsiders' calls, and the scheduler's tasks. */
    void rejectQueued(RejectedExecutionException e) {
        foreignQueue.rejectQueued(e);
        scheduler.rejectQueued(e);
    }

    // ================================================================ the loop

    /** The loop ({@link ShardLoop#run}). Run by {@link ShardThread} only. */
    void runLoop() {
        loop.run();
    }
}
