package io.percore.engine;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jctools.queues.SpscArrayQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One core's worth of the engine: a thread that owns its sockets, timers, tasks and data, and
 * runs them all in one loop ({@link #runLoop}). Other shards reach it through the mesh rings,
 * other threads through its foreign queue; nothing else touches its state. Methods only the
 * shard's own thread may call say so and assert it ({@code -ea} is on in tests).
 *
 * <p>The parts, each with one job: {@link GroupScheduler} (tasks by scheduling group),
 * {@link IdleStrategy} (what to do before sleeping, per mode), {@link ShardCounters} (counting,
 * published as {@link ShardStats}), {@link Outbox} (sending), {@link QuiescenceSignal} (what a
 * draining engine may know), {@link ShardTermination} (the way out), {@link PlannedCpu} (pinning).
 */
public final class Shard {

    static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    /** Messages taken from one inbound ring per turn, so one busy peer cannot starve the rest. */
    private static final int DRAIN_BATCH = 1024;
    private static final int CALL_POOL_LIMIT = 4096;
    /** Sleep while parked messages wait for room in a ring. */
    private static final long OVERFLOW_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);
    private static final long IO_SHUTDOWN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final Engine engine;
    private final int id;
    private final String name;
    private final SchedulingGroup[] groupDefs;
    private final MpscUnboundedXaddArrayQueue<Object> foreign = new MpscUnboundedXaddArrayQueue<>(1024);
    private final ForeignAdmission foreignAdmission;
    private final ShardStats stats;
    private final ShardCounters counters;
    private final GroupScheduler scheduler;
    private final IdleStrategy idleStrategy;
    private final QuiescenceSignal quiescence = new QuiescenceSignal();
    private final ShardTermination termination = new ShardTermination();
    private final PlannedCpu plannedCpu;
    private final RegistrationTracker tracker = new RegistrationTracker();
    private final ShardThread thread;
    private final long quotaNanos;
    private final long maxSleepNanos;
    private final MessagePassingQueue.Consumer<Object> inboundConsumer = this::accept;
    private final ArrayDeque<CrossShardCall> callPool = new ArrayDeque<>();

    // Set during Engine construction, before the thread starts.
    private Outbox outbox;
    private SpscArrayQueue<Object>[] inbound;

    private volatile ShardEventLoop eventLoop;
    private volatile boolean sleeping;
    /** True while the shard is idle (spinning or asleep): the stall detector leaves it alone. */
    private volatile boolean idle;
    /** The fatal error that ends this shard's loop (see {@link FatalErrorHandler}); set once. */
    private volatile Throwable fatalError;

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
        this.quotaNanos = engine.settings().taskQuota().toNanos();
        long idlePollNanos = engine.settings().idlePoll().toNanos();
        // Wake at least once per stall threshold so the last-turn time stays fresh when idle.
        this.maxSleepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), engine.settings().stallThreshold().toNanos());
        this.stats = new ShardStats(id, groupDefs, transport.name(), transport.fallbackReason(), foreign::size, this::isIdle);
        this.foreignAdmission = new ForeignAdmission(id, engine.settings().foreignQueueCapacity());
        this.counters = new ShardCounters(id, stats);
        // Overprovisioned: the OS preempts the thread at will, so competing groups are charged CPU time.
        this.scheduler = new GroupScheduler(groupDefs, quotaNanos, !pinnedMode, counters);
        this.idleStrategy = IdleStrategy.forMode(pinnedMode, idlePollNanos);
        this.plannedCpu = new PlannedCpu(cpu, pinnedMode ? "placement is unpinned" : "overprovisioned mode: not pinned");
        this.thread = new ShardThread(this);
    }

    @SuppressWarnings("unchecked")
    void connect(Shard[] all, CrossShardMesh mesh) {
        this.outbox = new Outbox(this, all, mesh, engine.settings().crossShardOverflowCapacity());
        this.inbound = new SpscArrayQueue[all.length];
        for (int from = 0; from < all.length; from++) {
            if (from != id) {
                inbound[from] = mesh.ring(from, id);
            }
        }
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
        execute(groupDefs[0], task);
    }

    /** Runs {@code task} on this shard in {@code group}. Callable from any thread. */
    public void execute(SchedulingGroup group, Runnable task) {
        Objects.requireNonNull(task, "task");
        int g = groupIndex(group);
        if (inShardThread()) {
            quiescence.publishBusy();
            scheduler.add(g, task);
            return;
        }
        Shard caller = currentOrNull();
        if (caller != null && caller.engine == engine) {
            if (!caller.sendRequest(id, g == 0 ? task : new GroupTask(g, task))) {
                throw caller.outbox.overflowRejection(id);
            }
            return;
        }
        engine.checkAccepting();
        foreignAdmission.admitOrThrow();
        executeForeign(g == 0 ? task : new GroupTask(g, task));
    }

    /**
     * Runs {@code task} on shard {@code target} and completes the returned future on the calling
     * shard. Must be called on a shard thread; the task runs in the caller's current scheduling
     * group. The round trip uses pooled messages and takes no lock.
     */
    public <T> ShardFuture<T> submitTo(int target, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        return call(target, task, null);
    }

    /**
     * Like {@link #submitTo} for a task that itself returns a future (owned by the target shard):
     * the caller's future completes when that one does.
     */
    public <T> ShardFuture<T> submitToAsync(int target, Supplier<? extends ShardFuture<T>> task) {
        Objects.requireNonNull(task, "task");
        return call(target, null, task);
    }

    private <T> ShardFuture<T> call(int target, Callable<T> task, Supplier<? extends ShardFuture<T>> asyncTask) {
        Shard caller = currentOrNull();
        if (caller == null || caller.engine != engine) {
            throw new IllegalStateException("Shard.submitTo must be called on a shard thread of this engine"
                    + " (thread '" + Thread.currentThread().getName() + "'); use Engine.submitTo from other threads");
        }
        Shard dst = engine.shard(target);
        ShardPromise<T> promise = new ShardPromise<>(caller, true);
        CrossShardCall c = caller.callPool.pollFirst();
        if (c == null) {
            c = new CrossShardCall();
        }
        c.init(caller, dst, task, asyncTask, promise, caller.scheduler.currentGroup());
        if (!caller.sendRequest(target, c)) {
            // Never sent: the call goes back to the pool and the caller learns at once.
            c.clear();
            caller.recycle(c);
            promise.setFailure0(caller.outbox.overflowRejection(target));
        }
        return promise;
    }

    /** Runs {@code task} once after {@code delay}, on this shard. */
    public Cancellable schedule(Duration delay, Runnable task) {
        Objects.requireNonNull(task, "task");
        long nanos = nonNegative(delay, "delay");
        TimerTask t = new TimerTask(this, task);
        t.future = liveLoop().schedule(t, nanos, TimeUnit.NANOSECONDS);
        return t;
    }

    /** Runs {@code task} after {@code initialDelay}, then every {@code period}, until cancelled. */
    public Cancellable scheduleAtFixedRate(Duration initialDelay, Duration period, Runnable task) {
        Objects.requireNonNull(task, "task");
        long initial = nonNegative(initialDelay, "initialDelay");
        long p = nonNegative(period, "period");
        if (p == 0) {
            throw new IllegalArgumentException("period must be positive, got " + period);
        }
        TimerTask t = new TimerTask(this, task);
        t.future = liveLoop().scheduleAtFixedRate(t, initial, p, TimeUnit.NANOSECONDS);
        return t;
    }

    /**
     * A future with {@code future}'s outcome, or failed with {@link TimeoutException} if that
     * takes longer than {@code timeout}. Owned by this shard.
     */
    public <T> ShardFuture<T> timeout(ShardFuture<T> future, Duration timeout) {
        Objects.requireNonNull(future, "future");
        long nanos = nonNegative(timeout, "timeout");
        ShardPromise<T> result = new ShardPromise<>(this, true);
        Cancellable timer = schedule(Duration.ofNanos(nanos),
                () -> result.setFailure0(new TimeoutException("Timed out after " + timeout + " on shard " + id)));
        future.addListener(f -> {
            timer.cancel();
            result.completeFrom(f);
        });
        return result;
    }

    // ================================================================ package API

    Thread thread() {
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

    /** Entries ever offered to the foreign queue (its producers' counter, readable from any thread). */
    long foreignArrivals() {
        return foreign.currentProducerIndex();
    }

    boolean isIdle() {
        return idle;
    }

    boolean isTerminated() {
        return termination.closed();
    }

    RegistrationTracker tracker() {
        return tracker;
    }

    /**
     * Admits a new submission from outside the engine against {@code foreign-queue-capacity}.
     * Returns false (having admitted nothing) when the queue is full.
     */
    boolean admitForeign() {
        return foreignAdmission.tryAdmit();
    }

    /** The error a refused outside submission gets. */
    RejectedExecutionException foreignRejection() {
        return foreignAdmission.rejection();
    }

    /**
     * Enqueue from a non-shard thread (or another engine's shard). New work must have been
     * admitted ({@link #admitForeign}); completions and internal hops are counted but never refused.
     */
    void executeForeign(Object entry) {
        foreign.offer(entry);
        VarHandle.fullFence(); // pairs with the loop's fence before sleeping, and with markClosed()
        wakeIfSleeping();
        if (termination.closed()) {
            // The loop has gone; nobody will run this (it rejected what it found queued).
            RejectedExecutionException e = Engine.closedException();
            if (entry instanceof ForeignCall) {
                ((ForeignCall<?>) entry).reject(e);
                return;
            }
            throw e;
        }
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
        if (termination.closed()) {
            LOG.debug("Dropping a completion for terminated shard {}", id);
            return;
        }
        foreignAdmission.countUnrefusable();
        executeForeign(task);
    }

    /** Enqueue in the current group. Shard thread only. */
    void executeLocal(Runnable task) {
        assert ownerThread();
        quiescence.publishBusy();
        scheduler.addToCurrent(task);
    }

    /**
     * Sends new work (a call or a task) to shard {@code to}; false, having sent nothing, when it
     * would have to be parked and the overflow is at {@code cross-shard-overflow-capacity}.
     * Shard thread only.
     */
    boolean sendRequest(int to, Object message) {
        assert ownerThread();
        quiescence.publishBusy();
        if (to == id) {
            accept(message);
            return true;
        }
        return outbox.sendRequest(to, message);
    }

    /** Sends a message that must get through (a reply, a completion) to shard {@code to}. Shard thread only. */
    void sendTo(int to, Object message) {
        assert ownerThread();
        quiescence.publishBusy();
        if (to == id) {
            accept(message);
            return;
        }
        outbox.send(to, message);
    }

    /** Takes back a finished call for reuse. Shard thread only. */
    void recycle(CrossShardCall call) {
        assert ownerThread();
        if (callPool.size() < CALL_POOL_LIMIT) {
            callPool.addLast(call);
        }
    }

    /** A timer is about to run its task. Shard thread only. */
    void timerFired() {
        assert ownerThread();
        counters.timerFired();
    }

    /** Shard thread only. */
    void taskFailed(Throwable t, String what) {
        assert ownerThread();
        counters.taskFailed(t, what);
    }

    /**
     * Wakes the shard if it sleeps in the I/O poll. The caller must have issued a full fence
     * between publishing its work and calling this, or the shard may go to sleep unwoken.
     */
    void wakeIfSleeping() {
        if (sleeping) {
            stats.wakeupSent();
            ShardEventLoop l = eventLoop;
            if (l != null) {
                l.wakeup();
            }
        }
    }

    void requestStop() {
        termination.request();
        ShardEventLoop l = eventLoop;
        if (l != null) {
            l.wakeup();
        }
    }

    /** Whether anything is queued for this shard's scheduler. Shard thread only. */
    boolean hasLocalWork() {
        assert ownerThread();
        if (scheduler.hasTasks() || !foreign.isEmpty()) {
            return true;
        }
        SpscArrayQueue<Object>[] rings = inbound;
        for (int i = 0; i < rings.length; i++) {
            if (i != id && !rings[i].isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** For {@code assert}: true on this shard's thread, otherwise throws naming the caller. */
    private boolean ownerThread() {
        if (Thread.currentThread() != thread) {
            throw new AssertionError("Only " + name + "'s own thread may call this (called on '"
                    + Thread.currentThread().getName() + "')");
        }
        return true;
    }

    @Override
    public String toString() {
        return name;
    }

    // ================================================================ the loop

    void start() {
        thread.start();
    }

    private void runThread() {
        plannedCpu.pinCurrentThread(id, stats);
        try {
            eventLoop = new ShardEventLoop(this, thread, tracker.wrap(engine.shardTransport().newHandlerFactory()));
        } catch (Throwable t) {
            termination.confirm();
            engine.shardFailedToStart(this, t);
            return;
        }
        engine.shardStarted(this);
        try {
            runLoop();
        } catch (Throwable t) {
            if (fatalError == null && !FatalErrorHandler.isFatal(t) && termination.requested()) {
                // The engine is stopping this shard anyway: nothing is left to save.
                LOG.warn("Shard {} loop failed while stopping", id, t);
            } else {
                // A fatal error from a task, or anything the running loop itself threw: either way
                // the loop is gone, and a shard that no longer turns must not leave a zombie process.
                failFatally(t);
            }
        } finally {
            Throwable fatal = fatalError;
            if (fatal != null) {
                engine.shardFailedFatally(this, fatal);
            }
            terminate();
        }
    }

    /**
     * Marks this shard's loop to stop at the end of the current turn and report {@code error}
     * to the engine's {@link FatalErrorHandler}. Shard thread only; the first error wins.
     */
    void failFatally(Throwable error) {
        if (fatalError == null) {
            fatalError = error;
        }
        termination.request();
    }

    /**
     * The loop. One turn: (1) poll I/O without blocking; (2) drain inbound rings and the foreign
     * queue (batched); (3) run tasks, by scheduling group, until the task quota is spent; (4) fire
     * due timers (and Netty's own tasks); (5) flush outbound messages, waking targets that sleep;
     * (6) if idle, let the mode's idle strategy wait a little, publish quiescence, then sleep in
     * the I/O poll until the next timer or a wakeup.
     */
    private void runLoop() {
        final ShardEventLoop loop = this.eventLoop;
        long now = System.nanoTime();
        counters.loopStarted(now);
        while (!termination.requested()) {
            final long turnStart = now;
            counters.turnStarted(turnStart);
            // 1. Without any socket there is nothing to poll: skip the syscall (wakeups are
            // handled by the blocking poll in idle()). Right after the blocking poll returned,
            // polling again finds what it just handled: skip that syscall too (what arrived since
            // waits one turn at most).
            if (!polledInIdle && tracker.hasRegistrations()) {
                loop.runNow(-1);
            }
            polledInIdle = false;
            drainInbound();                                           // 2.
            now = scheduler.runUntil(System.nanoTime() + quotaNanos); // 3.
            loop.runNonBlockingTasks(quotaNanos);                     // 4.
            boolean parkedMoved = outbox.flush();                     // 5.
            now = System.nanoTime();
            counters.turnEnded(turnStart, now);
            counters.publish(now, outbox, scheduler);
            // 6. While parked messages are moving into a full ring, retry at once instead of
            // idling (the target is draining it right now).
            if (!hasLocalWork()) {
                if (parkedMoved && outbox.hasOverflow()) {
                    Thread.yield();
                } else {
                    now = idle(now);
                }
            }
        }
    }

    private void drainInbound() {
        SpscArrayQueue<Object>[] rings = inbound;
        long got = 0;
        for (int i = 0; i < rings.length; i++) {
            if (i != id) {
                got += rings[i].drain(inboundConsumer, DRAIN_BATCH);
            }
        }
        counters.received(got);
        int fromOutside = foreign.drain(inboundConsumer, DRAIN_BATCH);
        if (fromOutside != 0) {
            foreignAdmission.taken(fromOutside);
        }
    }

    /** Places an inbound message in its group's queue. */
    private void accept(Object message) {
        if (message instanceof CrossShardCall) {
            CrossShardCall c = (CrossShardCall) message;
            scheduler.add(c.group, c);
        } else if (message instanceof GroupTask) {
            GroupTask g = (GroupTask) message;
            scheduler.add(g.group, g.task);
        } else {
            scheduler.add(0, (Runnable) message);
        }
    }

    /** The blocking poll in {@link #idle} just ran: the next turn's non-blocking poll would find nothing it did not handle. */
    private boolean polledInIdle;

    private long idle(long idleStart) {
        idle = true;
        idleStrategy.beforeSleep(this, idleStart);
        if (!termination.requested() && !hasLocalWork()) {
            Thread.interrupted(); // a stale interrupt would make the poll return at once, forever
            boolean parked = outbox.hasOverflow();
            if (!parked) {
                quiescence.publishQuiet(counters.turns(), outbox.sent, counters.received(), foreign.currentConsumerIndex());
            }
            sleeping = true;
            // The volatile store above is followed by a StoreLoad barrier: producers that
            // published before we read their queues in canBlock() are seen; later ones see
            // sleeping == true and wake us.
            long sleepStart = System.nanoTime();
            eventLoop.run(parked ? OVERFLOW_RETRY_NANOS : maxSleepNanos, -1);
            counters.slept(System.nanoTime() - sleepStart);
            polledInIdle = true;
            sleeping = false;
            quiescence.publishBusy();
        }
        long now = System.nanoTime();
        counters.idled(idleStart, now);
        idle = false;
        return now;
    }

    /** The idle strategy handled I/O for {@code nanos} while spinning: busy time, not idle. */
    void spinIo(long nanos) {
        counters.spinIo(nanos);
    }

    /** Shuts the I/O loop down, fails what outsiders left queued, then confirms termination. */
    private void terminate() {
        ShardEventLoop l = eventLoop;
        try {
            if (l != null) {
                l.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
                long deadline = System.nanoTime() + IO_SHUTDOWN_NANOS;
                while (!l.isTerminated() && System.nanoTime() - deadline < 0) {
                    l.runNow();
                }
            }
        } catch (Throwable t) {
            LOG.warn("Shard {} did not shut its I/O loop down cleanly", id, t);
        } finally {
            termination.markClosed();
            RejectedExecutionException e = Engine.closedException();
            rejectForeign(e);
            scheduler.rejectQueued(e);
            termination.confirm();
            engine.shardTerminated(this);
        }
    }

    /** Fails the calls from outside the engine still in the foreign queue (its only consumer calls). */
    private void rejectForeign(RejectedExecutionException e) {
        Object o;
        while ((o = foreign.poll()) != null) {
            if (o instanceof ForeignCall) {
                ((ForeignCall<?>) o).reject(e);
            }
        }
    }

    /** The closer's view when this shard's thread is abandoned: reject what outsiders queued. */
    void rejectLeftoversFromCloser() {
        termination.markClosed();
        // The stuck thread is inside a task, not draining, so this thread is the only consumer.
        rejectForeign(Engine.closedException());
    }

    // ================================================================ helpers

    private ShardEventLoop liveLoop() {
        ShardEventLoop l = eventLoop;
        if (l == null || termination.closed() || l.isShuttingDown()) {
            throw Engine.closedException();
        }
        return l;
    }

    private int groupIndex(SchedulingGroup group) {
        Objects.requireNonNull(group, "group");
        int g = group.index();
        if (g >= groupDefs.length || groupDefs[g] != group) {
            throw new IllegalArgumentException(group + " does not belong to this engine");
        }
        return g;
    }

    private static long nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        return d.toNanos();
    }

    /** The shard's thread. Being a FastThreadLocalThread makes Netty's thread-locals (buffer caches) fast. */
    static final class ShardThread extends FastThreadLocalThread {
        final Shard shard;

        ShardThread(Shard shard) {
            super(shard.name);
            this.shard = shard;
            // A shard stuck in a task that never returns must not keep the JVM alive after close().
            setDaemon(true);
        }

        @Override
        public void run() {
            shard.runThread();
        }
    }
}
