package io.percore.engine;

import io.netty.channel.IoEventLoop;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.percore.engine.topology.CpuPinning;
import java.lang.invoke.VarHandle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
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
 * runs them all in one loop. Other shards reach it through the mesh rings, other threads
 * through its foreign queue; nothing else touches its state.
 *
 * <p>One loop turn: (1) poll I/O without blocking; (2) drain inbound rings and the foreign
 * queue (batched); (3) run tasks, choosing between scheduling groups by virtual runtime weighted
 * by shares, until the task quota is spent; (4) fire due timers (and Netty's own tasks); (5)
 * flush outbound messages, waking targets that sleep; (6) if idle, spin for the idle-poll time
 * (pinned mode), then sleep in the I/O poll until the next timer or a wakeup.
 */
public final class Shard {

    static final Logger LOG = LoggerFactory.getLogger(Shard.class);

    /** Messages taken from one inbound ring per turn, so one busy peer cannot starve the rest. */
    private static final int DRAIN_BATCH = 1024;
    private static final int CALL_POOL_LIMIT = 4096;
    private static final long UTILIZATION_WINDOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** Sleep while parked messages wait for room in a ring. */
    private static final long OVERFLOW_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final Engine engine;
    private final int id;
    private final String name;
    private final SchedulingGroup[] groupDefs;
    private final GroupQueue[] groups;
    private final MpscUnboundedXaddArrayQueue<Object> foreign = new MpscUnboundedXaddArrayQueue<>(1024);
    private final ShardStats stats;
    private final RegistrationTracker tracker = new RegistrationTracker();
    private final ShardThread thread;
    private final long quotaNanos;
    private final long idlePollNanos;
    private final long maxSleepNanos;
    private final int plannedCpu;
    /**
     * Where competing groups are charged the shard thread's CPU time instead of wall time
     * (overprovisioned mode); null where they are charged wall time (pinned mode). See
     * {@link #runTasks}.
     */
    private final ThreadMXBean cpuClock;
    private final MessagePassingQueue.Consumer<Object> inboundConsumer = this::accept;
    private final ArrayDeque<CrossShardCall> callPool = new ArrayDeque<>();

    // Set during Engine construction, before the thread starts.
    private Outbox outbox;
    private SpscArrayQueue<Object>[] inbound;
    private Shard[] peers;

    private volatile ShardEventLoop loop;
    private volatile boolean sleeping;
    /** True while the shard is idle (spinning or asleep): the stall detector leaves it alone. */
    private volatile boolean idle;
    private volatile boolean stopRequested;
    private volatile boolean terminated;

    // Shard-thread-only state.
    int notifyDepth;
    private int currentGroup;
    /** Set by pickGroup: more than one group had tasks queued. */
    private boolean groupsCompete;
    private long minVruntime;
    private long tasksRun;
    private long tasksFailed;
    private long received;
    private long timersFired;
    private long busyNanos;
    private long idleNanos;
    private long iterations;
    private long windowStart;
    private long windowBusy;
    private int checkEvery = 1;

    Shard(Engine engine, int id, SchedulingGroup[] groupDefs, ShardTransport transport, OptionalInt cpu) {
        this.engine = engine;
        this.id = id;
        this.name = "percore-shard-" + id;
        this.groupDefs = groupDefs;
        this.groups = new GroupQueue[groupDefs.length];
        for (int i = 0; i < groupDefs.length; i++) {
            groups[i] = new GroupQueue(groupDefs[i]);
        }
        this.stats = new ShardStats(id, groupDefs, transport.name(), transport.fallbackReason(), foreign::size);
        this.quotaNanos = engine.settings().taskQuota().toNanos();
        boolean pinnedMode = engine.busyPolling();
        this.idlePollNanos = pinnedMode ? engine.settings().idlePoll().toNanos() : 0;
        // Wake at least once per stall threshold so the last-turn time stays fresh when idle.
        this.maxSleepNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), engine.settings().stallThreshold().toNanos());
        this.plannedCpu = cpu.orElse(-1);
        this.cpuClock = pinnedMode ? null : threadCpuClock();
        this.thread = new ShardThread(this);
    }

    @SuppressWarnings("unchecked")
    void connect(Shard[] all, CrossShardMesh mesh) {
        this.peers = all;
        this.outbox = new Outbox(this, all, mesh);
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
        return loop;
    }

    /** The scheduling group called {@code name}. @throws IllegalArgumentException if unknown */
    public SchedulingGroup group(String name) {
        return engine.group(name);
    }

    /** Runs {@code task} on this shard in the default group. Callable from any thread. */
    public void execute(Runnable task) {
        if (Thread.currentThread() == thread && task != null) {
            // The hot path: a task spawning a task on its own shard.
            groups[0].tasks.addLast(task);
            return;
        }
        execute(groupDefs[0], task);
    }

    /** Runs {@code task} on this shard in {@code group}. Callable from any thread. */
    public void execute(SchedulingGroup group, Runnable task) {
        Objects.requireNonNull(task, "task");
        int g = groupIndex(group);
        if (inShardThread()) {
            groups[g].tasks.addLast(task);
            return;
        }
        Shard caller = currentOrNull();
        if (caller != null && caller.engine == engine) {
            caller.sendTo(id, g == 0 ? task : new GroupTask(g, task));
            return;
        }
        engine.checkAccepting();
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
        ShardPromise<T> promise = new ShardPromise<>(caller, false);
        CrossShardCall c = caller.callPool.pollFirst();
        if (c == null) {
            c = new CrossShardCall();
        }
        c.init(caller, dst, task, asyncTask, promise, caller.currentGroup);
        caller.sendTo(target, c);
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
        ShardPromise<T> result = new ShardPromise<>(this, false);
        Cancellable timer = schedule(Duration.ofNanos(nanos),
                () -> result.setFailure0(new TimeoutException("Timed out after " + timeout + " on shard " + id)));
        future.addListener(f -> {
            timer.cancel();
            result.completeFrom(f);
        });
        return result;
    }

    @Override
    public String toString() {
        return name;
    }

    // ================================================================ package API

    Thread thread() {
        return thread;
    }

    boolean stopRequested() {
        return stopRequested;
    }

    boolean isIdle() {
        return idle;
    }

    boolean isTerminated() {
        return terminated;
    }

    RegistrationTracker tracker() {
        return tracker;
    }

    /** Enqueue from a non-shard thread (or another engine's shard). */
    void executeForeign(Object entry) {
        foreign.offer(entry);
        VarHandle.fullFence();
        wakeIfSleepingFenced();
        if (terminated) {
            // The loop has gone; nobody will run this (close() rejected what it found queued).
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
            groups[currentGroup].tasks.addLast(task);
            return;
        }
        Shard caller = currentOrNull();
        if (caller != null && caller.engine == engine) {
            caller.sendTo(id, task);
            return;
        }
        if (terminated) {
            LOG.debug("Dropping a completion for terminated shard {}", id);
            return;
        }
        executeForeign(task);
    }

    /** Enqueue on this shard's own thread in the current group. */
    void executeLocal(Runnable task) {
        groups[currentGroup].tasks.addLast(task);
    }

    /** Sends a message to shard {@code to}; called on this shard's thread. */
    void sendTo(int to, Object message) {
        if (to == id) {
            accept(message);
            return;
        }
        outbox.send(to, message);
    }

    void recycle(CrossShardCall call) {
        if (callPool.size() < CALL_POOL_LIMIT) {
            callPool.addLast(call);
        }
    }

    void timerFired() {
        stats.publishTimersFired(++timersFired);
    }

    void taskFailed(Throwable t, String what) {
        tasksFailed++;
        LOG.warn("A {} threw on shard {}; the shard keeps running", what, id, t);
    }

    /** Wakes the shard if it sleeps in the I/O poll. The caller must have fenced after publishing work. */
    void wakeIfSleeping() {
        if (sleeping) {
            stats.wakeupSent();
            ShardEventLoop l = loop;
            if (l != null) {
                l.wakeup();
            }
        }
    }

    private void wakeIfSleepingFenced() {
        wakeIfSleeping();
    }

    void requestStop() {
        stopRequested = true;
        VarHandle.fullFence();
        ShardEventLoop l = loop;
        if (l != null) {
            l.wakeup();
        }
    }

    /** Whether anything is queued for this shard's scheduler (read by its own thread). */
    boolean hasLocalWork() {
        for (GroupQueue g : groups) {
            if (!g.tasks.isEmpty()) {
                return true;
            }
        }
        if (!foreign.isEmpty()) {
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

    /** Whether work is queued or parked anywhere on this shard, as seen from a draining engine. */
    boolean quiescent() {
        return idle && !hasLocalWork() && !outbox.hasOverflow() && loop != null && !loop.isShuttingDown();
    }

    // ================================================================ the loop

    void start() {
        thread.start();
    }

    private void runThread() {
        pin();
        try {
            loop = new ShardEventLoop(this, thread, tracker.wrap(engine.shardTransport().newHandlerFactory()));
        } catch (Throwable t) {
            engine.shardFailedToStart(this, t);
            terminated = true;
            return;
        }
        engine.shardStarted(this);
        try {
            runLoop();
        } catch (Throwable t) {
            LOG.error("Shard {} loop failed; the shard stops", id, t);
        } finally {
            shutdownLoop();
        }
    }

    private void pin() {
        if (plannedCpu < 0) {
            stats.pinned(-1, engine.busyPolling() ? "placement is unpinned" : "overprovisioned mode: not pinned");
            return;
        }
        boolean ok;
        try {
            ok = CpuPinning.pinCurrentThread(plannedCpu);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("Pinning shard {} to CPU {} failed; running unpinned", id, plannedCpu, e);
            ok = false;
        }
        if (ok) {
            stats.pinned(plannedCpu, null);
        } else {
            LOG.warn("Shard {} could not be pinned to CPU {}; running unpinned", id, plannedCpu);
            stats.pinned(-1, "pinning to CPU " + plannedCpu + " failed");
        }
    }

    private void runLoop() {
        final ShardEventLoop loop = this.loop;
        long now = System.nanoTime();
        windowStart = now;
        while (!stopRequested) {
            final long turnStart = now;
            stats.publishLoopTurn(turnStart, ++iterations);
            // 1. I/O, without blocking. Without any socket there is nothing to poll: skip the
            // syscall (wakeups are handled by the blocking poll in idle()).
            if (tracker.hasRegistrations()) {
                loop.runNow(-1);
            }
            // 2. Inbound messages and foreign submissions.
            drainInbound();
            // 3. Tasks, by scheduling group, until the quota is spent.
            now = runTasks(System.nanoTime() + quotaNanos);
            // 4. Due timers and Netty's own tasks.
            loop.runNonBlockingTasks(quotaNanos);
            // 5. Outbound messages.
            boolean parkedMoved = outbox.flush();
            now = System.nanoTime();
            busyNanos += now - turnStart;
            publishStats(now);
            // 6. Idle: spin, then sleep. While parked messages are moving into a full ring,
            // retry at once instead (the target is draining it right now).
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
        received += got;
        foreign.drain(inboundConsumer, DRAIN_BATCH);
    }

    /** Places an inbound message in its group's queue. */
    private void accept(Object message) {
        if (message instanceof CrossShardCall) {
            CrossShardCall c = (CrossShardCall) message;
            groups[c.group].tasks.addLast(c);
        } else if (message instanceof GroupTask) {
            GroupTask g = (GroupTask) message;
            groups[g.group].tasks.addLast(g.task);
        } else {
            groups[0].tasks.addLast((Runnable) message);
        }
    }

    /**
     * Runs slices of the groups' queues until the deadline (wall time) and charges each group the
     * time its slice took. In pinned mode the core is the shard's own and wall time is the CPU
     * time the group got, read for free. In overprovisioned mode the OS preempts the shard thread
     * whenever it likes, and wall time would bill the group that happened to be running for the
     * milliseconds the CPU spent on other processes: fair only on average, with errors of whole
     * OS time slices (100+ ms seen under load) per decision. There, while groups compete, the
     * slice is charged the thread's CPU time, at the cost of one clock read (a syscall, about
     * 1 µs) per slice. A group running alone is charged wall time: nobody waits on that decision,
     * and the common single-group loop pays nothing. (A task that blocks is charged only the CPU
     * it burned while groups compete; blocking a shard is a bug the stall detector reports.)
     */
    private long runTasks(long deadline) {
        long now = System.nanoTime();
        long run = 0;
        GroupQueue g;
        long cpuMark = -1; // thread CPU time at the start of the current slice; read only if a group runs
        while ((g = pickGroup()) != null) {
            final boolean cpuCharged = groupsCompete && cpuClock != null;
            if (cpuCharged && cpuMark < 0) {
                cpuMark = cpuClock.getCurrentThreadCpuTime();
            }
            currentGroup = g.def.index();
            final ArrayDeque<Runnable> tasks = g.tasks;
            final long sliceStart = now;
            long lastCheck = now;
            int sinceCheck = 0;
            int every = checkEvery;
            Runnable task;
            while ((task = tasks.pollFirst()) != null) {
                try {
                    task.run();
                } catch (Throwable t) {
                    taskFailed(t, "task");
                }
                run++;
                if (++sinceCheck >= every) {
                    now = System.nanoTime();
                    // Read the clock after every task while tasks are long, every 64 while short.
                    every = (now - lastCheck) > (quotaNanos >> 4) ? 1 : Math.min(every << 1, 64);
                    lastCheck = now;
                    sinceCheck = 0;
                    if (now - deadline >= 0) {
                        break;
                    }
                }
            }
            if (sinceCheck != 0) {
                now = System.nanoTime();
            }
            checkEvery = every;
            long charge = now - sliceStart;
            if (cpuCharged && cpuMark >= 0) {
                long cpu = cpuClock.getCurrentThreadCpuTime();
                if (cpu >= 0) {
                    charge = cpu - cpuMark;
                }
                cpuMark = cpu; // -1 (CPU time measurement switched off meanwhile): wall time again
            } else {
                cpuMark = -1; // the next CPU-charged slice reads its own start
            }
            g.charge(charge);
            if (now - deadline >= 0) {
                break;
            }
        }
        currentGroup = 0;
        tasksRun += run;
        return now;
    }

    /** The runnable group with the least virtual runtime; groups returning from idle start at the floor. */
    private GroupQueue pickGroup() {
        GroupQueue[] gs = groups;
        if (gs.length == 1) {
            return gs[0].tasks.isEmpty() ? null : gs[0];
        }
        GroupQueue best = null;
        long floor = minVruntime;
        int runnable = 0;
        for (GroupQueue g : gs) {
            if (g.tasks.isEmpty()) {
                continue;
            }
            runnable++;
            if (g.vruntime < floor) {
                g.vruntime = floor;
            }
            if (best == null || g.vruntime < best.vruntime) {
                best = g;
            }
        }
        if (best != null) {
            minVruntime = best.vruntime;
        }
        groupsCompete = runnable > 1;
        return best;
    }

    private long idle(long idleStart) {
        idle = true;
        final ShardEventLoop loop = this.loop;
        long now = idleStart;
        if (idlePollNanos > 0) {
            long spinEnd = idleStart + idlePollNanos;
            int spins = 0;
            while (!stopRequested && !hasLocalWork()) {
                Thread.onSpinWait();
                if ((++spins & 63) == 0) {
                    if (tracker.hasRegistrations() && loop.runNow(-1) > 0) {
                        break;
                    }
                    now = System.nanoTime();
                    if (now - spinEnd >= 0) {
                        break;
                    }
                }
            }
        } else if (!stopRequested && !hasLocalWork()) {
            // No busy-poll, but give the CPU away once before sleeping: on a shared core the
            // peer that is about to send us work often runs right now, and a yield costs far
            // less than a sleep in the poll plus the eventfd wakeup it would then need.
            Thread.yield();
        }
        if (!stopRequested && !hasLocalWork()) {
            Thread.interrupted(); // a stale interrupt would make the poll return at once, forever
            long wait = outbox.hasOverflow() ? OVERFLOW_RETRY_NANOS : maxSleepNanos;
            sleeping = true;
            // The volatile store above is followed by a StoreLoad barrier: producers that
            // published before we read their queues in canBlock() are seen; later ones see
            // sleeping == true and wake us.
            loop.run(wait, -1);
            sleeping = false;
        }
        now = System.nanoTime();
        idleNanos += now - idleStart;
        idle = false;
        stats.publishLoopTurn(now, iterations);
        return now;
    }

    private void publishStats(long now) {
        stats.publishTasks(tasksRun, tasksFailed);
        stats.publishMessages(outbox.sent, received, outbox.overflowed);
        stats.publishTime(busyNanos, idleNanos);
        for (GroupQueue g : groups) {
            stats.publishGroup(g.def.index(), g.runtimeNanos, g.tasks.size());
        }
        if (now - windowStart >= UTILIZATION_WINDOW_NANOS) {
            long busy = busyNanos - windowBusy;
            stats.publishUtilization(Math.min(1.0, (double) busy / (now - windowStart)));
            windowStart = now;
            windowBusy = busyNanos;
        }
    }

    private void shutdownLoop() {
        ShardEventLoop l = loop;
        try {
            if (l != null) {
                l.shutdownGracefully(0, 0, TimeUnit.NANOSECONDS);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                while (!l.isTerminated() && System.nanoTime() - deadline < 0) {
                    l.runNow();
                }
            }
        } catch (Throwable t) {
            LOG.warn("Shard {} did not shut its I/O loop down cleanly", id, t);
        } finally {
            terminated = true;
            VarHandle.fullFence();
            rejectLeftovers();
            engine.shardTerminated(this);
        }
    }

    /** Fails calls from outside the engine that will never run now, so nobody waits forever. */
    void rejectLeftovers() {
        RejectedExecutionException e = Engine.closedException();
        Object o;
        while ((o = foreign.poll()) != null) {
            if (o instanceof ForeignCall) {
                ((ForeignCall<?>) o).reject(e);
            }
        }
        for (GroupQueue g : groups) {
            Runnable r;
            while ((r = g.tasks.pollFirst()) != null) {
                if (r instanceof ForeignCall) {
                    ((ForeignCall<?>) r).reject(e);
                }
            }
        }
    }

    /** The closer's view when this shard's thread is abandoned: reject what outsiders queued. */
    void rejectLeftoversFromCloser() {
        terminated = true;
        VarHandle.fullFence();
        RejectedExecutionException e = Engine.closedException();
        Object o;
        // The stuck thread is inside a task, not draining, so this thread is the only consumer.
        while ((o = foreign.poll()) != null) {
            if (o instanceof ForeignCall) {
                ((ForeignCall<?>) o).reject(e);
            }
        }
    }

    // ================================================================ helpers

    private ShardEventLoop liveLoop() {
        ShardEventLoop l = loop;
        if (l == null || terminated || l.isShuttingDown()) {
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

    /** The JVM's per-thread CPU clock, or null if this JVM has none (groups are then charged wall time). */
    private static ThreadMXBean threadCpuClock() {
        try {
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            if (mx.isCurrentThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled()) {
                return mx;
            }
            LOG.info("Thread CPU time is not available; scheduling groups are charged wall time");
        } catch (RuntimeException | LinkageError e) {
            LOG.info("Thread CPU time is not available ({}); scheduling groups are charged wall time", e.toString());
        }
        return null;
    }

    private static long nonNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative, got " + d);
        }
        return d.toNanos();
    }

    /** A scheduling group's queue and virtual runtime on this shard. */
    private static final class GroupQueue {
        final SchedulingGroup def;
        final ArrayDeque<Runnable> tasks = new ArrayDeque<>(256);
        /** Runtime scaled by 1024 / shares: the group with the least has had the least of its due. */
        long vruntime;
        long runtimeNanos;

        GroupQueue(SchedulingGroup def) {
            this.def = def;
        }

        void charge(long nanos) {
            runtimeNanos += nanos;
            vruntime += nanos * 1024 / def.shares();
        }
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
