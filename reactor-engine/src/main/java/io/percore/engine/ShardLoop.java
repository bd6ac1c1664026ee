package io.percore.engine;

import java.util.concurrent.TimeUnit;
import org.jctools.queues.MessagePassingQueue;
import org.jctools.queues.MpscUnboundedXaddArrayQueue;
import org.jctools.queues.SpscArrayQueue;

/**
 * A shard's loop ({@link #run}) and its I/O poll: the turn, the messages taken in, the sleep, and the
 * turns taken between two completions of a long poll. It holds the fields it reads on every turn or
 * message (rings, queues, scheduler, timing) itself, not through another part; {@link Shard} is the
 * face the rest of the engine and its users see.
 */
final class ShardLoop {

    /** Messages taken from one inbound ring per turn, so one busy peer cannot starve the rest. */
    private static final int DRAIN_BATCH = 1024;
    /** Sleep while parked messages wait for room in a ring. */
    private static final long OVERFLOW_RETRY_NANOS = TimeUnit.MICROSECONDS.toNanos(50);

    private final Shard shard;
    private final int id;
    private final ShardThread thread;
    private final ForeignQueue foreignQueue;
    /** {@link #foreignQueue}'s queue, which the loop drains and checks every turn without a hop. */
    private final MpscUnboundedXaddArrayQueue<Object> foreign;
    private final ShardStats stats;
    private final ShardCounters counters;
    private final GroupScheduler scheduler;
    private final IdleStrategy idleStrategy;
    private final QuiescenceSignal quiescence;
    private final ShardTermination termination;
    final RegistrationTracker tracker = new RegistrationTracker(this::beforeIoCompletion);
    private final MessagePassingQueue.Consumer<Object> inboundConsumer = this::accept;
    private long quotaNanos;
    /** Step 4's bound on Netty's own tasks ({@link LiveTuning#ioTaskBudgetNanos}). */
    private long ioTaskBudgetNanos;
    private long maxSleepNanos;

    // Set during Engine construction, before the thread starts.
    private Outbox outbox;
    private SpscArrayQueue<Object>[] inbound;

    private volatile boolean sleeping;
    /** True while the shard is idle (spinning or asleep): the stall detector leaves it alone. */
    private volatile boolean idle;
    /** The blocking poll in {@link #idle} just ran: the next turn's non-blocking poll would find nothing it did not handle. */
    private boolean polledInIdle;
    /** Netty's I/O handler is running (its handlers are on the stack): it must not be entered again. */
    private boolean inIoPoll;
    /** The loop's own I/O poll is running (not a task's {@link #pollIoNow}): it may turn the loop between completions. */
    private boolean loopPolling;
    /** Completions handed to this shard's io_uring sockets in the current loop poll. */
    private int pollCompletions;
    /** When the current loop poll handled its first completion, or last turned the loop inside. */
    private long pollTurnNanos;

    ShardLoop(Shard shard, ShardThread thread, ForeignQueue foreignQueue, ShardStats stats, ShardCounters counters,
              GroupScheduler scheduler, IdleStrategy idleStrategy, QuiescenceSignal quiescence, ShardTermination termination,
              long quotaNanos, long ioTaskBudgetNanos, long maxSleepNanos) {
        this.shard = shard;
        this.id = shard.id();
        this.thread = thread;
        this.foreignQueue = foreignQueue;
        this.foreign = foreignQueue.queue;
        this.stats = stats;
        this.counters = counters;
        this.scheduler = scheduler;
        this.idleStrategy = idleStrategy;
        this.quiescence = quiescence;
        this.termination = termination;
        this.quotaNanos = quotaNanos;
        this.ioTaskBudgetNanos = ioTaskBudgetNanos;
        this.maxSleepNanos = maxSleepNanos;
    }

    void connect(Outbox outbox, SpscArrayQueue<Object>[] inbound) {
        this.outbox = outbox;
        this.inbound = inbound;
    }

    /** Live configuration ({@link LiveTuning}): see {@link Shard#applyTiming}. */
    void applyTiming(long quota, long ioTaskBudget, long maxSleep) {
        scheduler.quota(quotaNanos = quota);
        ioTaskBudgetNanos = ioTaskBudget;
        maxSleepNanos = maxSleep;
    }

    boolean isIdle() {
        return idle;
    }

    boolean inIoPoll() {
        return inIoPoll;
    }

    /** See {@link Shard#wakeIfSleeping}. */
    void wakeIfSleeping() {
        if (sleeping) {
            stats.wakeupSent();
            ShardEventLoop l = shard.eventLoop();
            if (l != null) {
                l.wakeup();
            }
        }
    }

    /** Whether anything is queued for this shard's scheduler. Shard thread only. */
    boolean hasLocalWork() {
        assert thread.checkCurrent();
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

    // ================================================================ the I/O poll

    /** See {@link Shard#pollIoNow}. */
    int pollIoNow() {
        ShardEventLoop loop = shard.eventLoop();
        if (!shard.inShardThread() || inIoPoll || loop == null) {
            return -1;
        }
        inIoPoll = true;
        try {
            return loop.runNow(-1);
        } finally {
            inIoPoll = false;
        }
    }

    /**
     * The loop's non-blocking I/O poll (a turn's first step, or its idle strategy's), marked as
     * running ({@link #inIoPoll}) while its handlers run. Loop thread only, never from a task.
     */
    int pollIo(ShardEventLoop loop) {
        startLoopPoll();
        try {
            return loop.runNow(-1);
        } finally {
            endLoopPoll();
        }
    }

    private void startLoopPoll() {
        inIoPoll = true;
        loopPolling = true;
        pollCompletions = 0;
    }

    private void endLoopPoll() {
        inIoPoll = false;
        loopPolling = false;
    }

    /**
     * Before each completion Netty hands to one of this shard's io_uring sockets
     * ({@link HookedIoUringHandle}). Netty's io_uring handler goes on reaping and submitting for up to
     * 128 rounds in one poll while completions keep coming: under saturation tens of milliseconds,
     * for which messages from other shards (their calls, the answers to ours) and tasks would wait.
     * So once a loop poll has handled completions for a task quota, the shard turns the rest of its
     * loop between two completions: it drains its rings and foreign queue, runs tasks for a quota,
     * flushes its outbox, and publishes the turn (the stall detector and health see a loop that
     * turns). No socket handler is on the stack there, as in a turn; Netty's own tasks and timers
     * still wait for the poll's end, and {@link #pollIoNow} refuses, as anywhere in the poll. The
     * clock is read every 16 completions.
     */
    void beforeIoCompletion() {
        if (!loopPolling) {
            return;
        }
        int n = ++pollCompletions;
        if (n == 1) {
            pollTurnNanos = System.nanoTime();
            return;
        }
        if ((n & 15) != 0) {
            return;
        }
        long now = System.nanoTime();
        if (now - pollTurnNanos >= quotaNanos) {
            turnInsidePoll(now);
        }
    }

    /** Steps 2, 3 and 5 of a turn, run between two completions of a long loop poll. */
    private void turnInsidePoll(long now) {
        if (!hasLocalWork()) {
            counters.lookedInsidePoll(now);
            pollTurnNanos = now;
            return;
        }
        loopPolling = false; // what runs here does not turn the loop again
        try {
            quiescence.publishBusy();
            counters.turnInsidePoll(now);
            drainInbound();
            now = scheduler.runUntil(now + quotaNanos);
            outbox.flush();
        } finally {
            loopPolling = true;
        }
        pollTurnNanos = now;
    }

    // ================================================================ the loop

    /**
     * The loop. One turn: (1) poll I/O without blocking; (2) drain inbound rings and the foreign
     * queue (batched); (3) run tasks, by scheduling group, until the task quota is spent; (4) fire
     * due timers and run Netty's own tasks (Reactor Netty's hand-offs), for up to a quarter of the
     * stall threshold; (5) flush outbound messages, waking targets that sleep;
     * (6) if idle, let the mode's idle strategy wait a little, publish quiescence, then sleep in
     * the I/O poll until the next timer or a wakeup. Run by {@link ShardThread} only.
     */
    void run() {
        final ShardEventLoop loop = shard.eventLoop();
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
                pollIo(loop);
            }
            polledInIdle = false;
            drainInbound();                                           // 2.
            now = scheduler.runUntil(System.nanoTime() + quotaNanos); // 3.
            loop.runNonBlockingTasks(ioTaskBudgetNanos);              // 4.
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
            foreignQueue.taken(fromOutside);
        }
    }

    /** Places an inbound message in its group's queue. */
    void accept(Object message) {
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

    private long idle(long idleStart) {
        idle = true;
        long handledIo = idleStrategy.beforeSleep(shard, idleStart);
        counters.spinIo(handledIo);
        // Handlers that ran there may have sent to other shards: the next turn's flush wakes them.
        if (handledIo == 0 && !termination.requested() && !hasLocalWork()) {
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
            startLoopPoll();
            try {
                shard.eventLoop().run(parked ? OVERFLOW_RETRY_NANOS : maxSleepNanos, -1);
            } finally {
                endLoopPoll();
            }
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
}
