package io.percore.engine;

import io.percore.config.EngineConfig;
import io.percore.config.schema.ConfigValidationException;
import io.percore.config.schema.ConfigValidator;
import io.percore.config.schema.EngineSettings;
import io.percore.config.schema.SchedulingGroupSettings;
import io.percore.engine.topology.HostTopology;
import io.percore.engine.topology.ShardPlacement;
import io.percore.engine.topology.ShardPlanner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-core engine: N shards, each a (normally pinned) thread running its own loop, joined
 * by a mesh of single-producer/single-consumer rings. No Spring, no global state: start as many
 * engines as you like (tests do).
 *
 * <pre>{@code
 * try (Engine engine = Engine.start(config)) {
 *     int sum = engine.submitTo(1, () -> 40 + 2).get();
 * }
 * }</pre>
 */
public final class Engine implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
    static final String CLOSED_MESSAGE = "Percore engine is closed";
    private static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private static final int RUNNING = 0;
    private static final int DRAINING = 1;
    private static final int CLOSED = 2;

    /** The settings in force: replaced (off the shards) when live settings change, read anywhere. */
    private volatile EngineSettings settings;
    private final ShardPlacement placement;
    private final ShardTransport transport;
    private final SchedulingGroup[] groups;
    private final Shard[] shards;
    private final List<Shard> shardList;
    private final StallDetector stallDetector;
    private final CountDownLatch started;
    private final AtomicReference<Throwable> startFailure = new AtomicReference<>();
    private final Object closeLock = new Object();
    private volatile int state = RUNNING;
    private volatile FatalErrorHandler fatalErrorHandler = FatalErrorHandler.HALT;
    private final AtomicReference<Throwable> fatalError = new AtomicReference<>();
    private volatile boolean closeDone;

    private Engine(EngineSettings settings, ShardPlacement placement) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.placement = Objects.requireNonNull(placement, "placement");
        this.groups = groupsOf(settings);
        this.transport = ShardTransport.select(settings.transport());
        if (transport.fallbackReason() != null) {
            LOG.warn("Percore transport: {} ({})", transport.name(), transport.fallbackReason());
        } else if (ShardTransport.IO_URING.equals(transport.name())) {
            LOG.info("Percore transport: io_uring, {}, {}, {}", ShardTransport.noIoWait() ? "its waits not counted as iowait"
                    : "its waits counted as iowait (Linux before 6.15, " + ShardTransport.NO_IOWAIT_PROPERTY
                    + "=false, or Netty's io_uring loaded before the engine)", transport.hasReceiveRing()
                    ? "receiving into a buffer ring" : "a read after each readiness (no receive ring: Linux before 5.19, "
                    + ShardTransport.RECEIVE_RING_PROPERTY + "=false, or Netty's io_uring loaded before the engine with "
                    + ShardTransport.RECV_MULTISHOT_PROPERTY + " on)", transport.hasStandingTimers()
                    ? "its waits' deadlines on timers standing in the kernel"
                    : "a timeout with each wait (" + ShardTransport.STANDING_TIMERS_PROPERTY + "=false)");
        } else {
            LOG.info("Percore transport: {}", transport.name());
        }
        int n = placement.shardCount();
        this.shards = new Shard[n];
        boolean pin = settings.pinned() && placement.pinned();
        for (int i = 0; i < n; i++) {
            shards[i] = new Shard(this, i, groups, transport, pin ? placement.cpuOf(i).orElse(-1) : -1);
        }
        CrossShardMesh mesh = new CrossShardMesh(n, settings.ringCapacity());
        for (Shard s : shards) {
            s.connect(shards, mesh);
        }
        this.shardList = List.of(shards);
        this.started = new CountDownLatch(n);
        this.stallDetector = new StallDetector(this, settings.stallThreshold());
    }

    /**
     * Starts an engine placed by {@link ShardPlanner} on the detected host topology. The settings
     * come from {@link ConfigValidator#validatedEngine}, so the engine checks nothing itself.
     */
    public static Engine start(EngineSettings settings) {
        Objects.requireNonNull(settings, "settings");
        return start(settings, ShardPlanner.plan(HostTopology.detect(), settings));
    }

    /**
     * Starts an engine with an explicit placement (tests, or a caller that planned already).
     * Blocks until every shard's loop runs.
     *
     * @throws io.percore.config.schema.HostRejectedSettingException if the requested transport is unavailable here
     * @throws IllegalStateException if a shard fails to start
     */
    public static Engine start(EngineSettings settings, ShardPlacement placement) {
        Engine engine = new Engine(settings, placement);
        engine.startShards();
        return engine;
    }

    /**
     * Programmatic convenience: validates {@code config} with the configuration validator (the
     * same rules as YAML), then {@link #start(EngineSettings)}.
     *
     * @throws ConfigValidationException listing every configuration error
     */
    public static Engine start(EngineConfig config) {
        return start(ConfigValidator.shared().validatedEngine(config));
    }

    /**
     * As {@link #start(EngineConfig)}, with an explicit placement.
     *
     * @throws ConfigValidationException listing every configuration error
     */
    public static Engine start(EngineConfig config, ShardPlacement placement) {
        return start(ConfigValidator.shared().validatedEngine(config), placement);
    }

    private void startShards() {
        for (String reason : placement.reasons()) {
            LOG.info("Percore placement: {}", reason);
        }
        for (Shard s : shards) {
            s.thread().start();
        }
        boolean ready;
        try {
            ready = started.await(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("Interrupted while starting the Percore engine", e);
        }
        Throwable failure = startFailure.get();
        if (!ready || failure != null) {
            close(Duration.ofSeconds(5));
            throw new IllegalStateException(failure != null
                    ? "A Percore shard failed to start its " + transport.name() + " loop: " + failure
                    : "Percore shards did not start within " + START_TIMEOUT, failure);
        }
        stallDetector.start();
        LOG.info("Percore engine started: {} shards, transport {}, mode {}", shards.length, transport.name(), settings.mode());
    }

    private static SchedulingGroup[] groupsOf(EngineSettings settings) {
        List<SchedulingGroupSettings> configured = settings.schedulingGroups();
        SchedulingGroup[] result = new SchedulingGroup[configured.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = new SchedulingGroup(configured.get(i).name(), configured.get(i).shares(), i);
        }
        return result;
    }

    // ================================================================ public API

    public int shardCount() {
        return shards.length;
    }

    /** @throws IllegalArgumentException if {@code id} is not in {@code 0..shardCount()-1} */
    public Shard shard(int id) {
        if (id < 0 || id >= shards.length) {
            throw new IllegalArgumentException("No shard " + id + ": this engine has shards 0.." + (shards.length - 1));
        }
        return shards[id];
    }

    public List<Shard> shards() {
        return shardList;
    }

    public ShardPlacement placement() {
        return placement;
    }

    /** The validated settings this engine runs with (the newest live settings applied included). */
    public EngineSettings settings() {
        return settings;
    }

    /**
     * Takes what {@code next} changes of the settings a running engine may change (config-schema's
     * {@code x-live}): the stall threshold (the watchdog uses it from its next look, an idle shard
     * sleeps at most that long), the task quota (each shard from its next turn) and the scheduling
     * groups' shares (charged by every shard from the next slice). Callable from any thread but a
     * shard's; completes once every shard runs with them.
     *
     * @throws IllegalArgumentException naming the settings that differ and need a restart (nothing is applied then)
     */
    public synchronized CompletableFuture<Void> applyLiveSettings(EngineSettings next) {
        CompletableFuture<Void> applied = LiveTuning.apply(this, settings, Objects.requireNonNull(next, "next"), groups, stallDetector);
        settings = next;
        return applied;
    }

    /** {@code io_uring}, {@code epoll} or {@code nio}. */
    public String transport() {
        return transport.name();
    }

    /** Why {@code auto} fell back from a better transport (null if it did not). */
    public String transportFallbackReason() {
        return transport.fallbackReason();
    }

    /** The scheduling groups, default first. */
    public List<SchedulingGroup> groups() {
        return List.of(groups);
    }

    /** The scheduling group called {@code name}. @throws IllegalArgumentException if unknown */
    public SchedulingGroup group(String name) {
        for (SchedulingGroup g : groups) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        List<String> known = new ArrayList<>();
        for (SchedulingGroup g : groups) {
            known.add(g.name());
        }
        throw new IllegalArgumentException("Unknown scheduling group '" + name + "'; configured groups: " + known);
    }

    /**
     * Runs {@code task} on shard {@code shard}; callable from any thread. On a shard thread the
     * call travels the mesh and the future completes on the calling shard; elsewhere it goes
     * through the target's foreign queue and completes on the target's thread. Fails with
     * {@link RejectedExecutionException} once the engine is shutting down.
     */
    public <T> CompletableFuture<T> submitTo(int shard, Callable<T> task) {
        Objects.requireNonNull(task, "task");
        Shard target = shard(shard);
        Shard caller = Shard.currentOrNull();
        if (caller != null && caller.engine() == this) {
            return caller.submitTo(shard, task).toCompletableFuture();
        }
        if (state != RUNNING) {
            return CompletableFuture.failedFuture(closedException());
        }
        ForeignQueue queue = target.foreignQueue();
        if (!queue.tryAdmit()) {
            return CompletableFuture.failedFuture(queue.rejection());
        }
        ForeignCall<T> call = new ForeignCall<>(task);
        queue.offer(call);
        return call.result;
    }

    /** False once shutdown began, or once a shard's loop stopped on a fatal error. */
    public boolean isRunning() {
        return state == RUNNING && fatalError.get() == null;
    }

    /**
     * Replaces what happens when a fatal error stops a shard's loop; the default,
     * {@link FatalErrorHandler#HALT}, logs and halts the process with exit code 3. Set it right
     * after start: a fatal error before that meets the default.
     */
    public void onFatalError(FatalErrorHandler handler) {
        this.fatalErrorHandler = Objects.requireNonNull(handler, "handler");
    }

    /** The first fatal error that stopped a shard's loop, or empty (health checks read it). */
    public java.util.Optional<Throwable> fatalError() {
        return java.util.Optional.ofNullable(fatalError.get());
    }

    /**
     * Stops accepting work from outside the engine, lets the shards finish what is queued (and
     * what that work submits in turn), then stops the loops. Completes when all shards have
     * stopped, or after {@code timeout} with whatever was still queued dropped.
     */
    public CompletableFuture<Void> shutdownGracefully(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        CompletableFuture<Void> done = new CompletableFuture<>();
        synchronized (closeLock) {
            if (state == RUNNING) {
                state = DRAINING;
            }
        }
        Thread t = new Thread(() -> {
            long deadline = System.nanoTime() + timeout.toNanos();
            // Quiescent: every shard published itself quiet, every message sent into the mesh was
            // taken out, nothing was submitted since, and no shard ran a turn between two looks
            // (then all were quiet at one instant). Confirmed on consecutive looks for margin.
            QuiescenceSignal.Snapshot previous = new QuiescenceSignal.Snapshot(shards.length);
            QuiescenceSignal.Snapshot current = new QuiescenceSignal.Snapshot(shards.length);
            boolean previousQuiet = false;
            int stableLooks = 0;
            while (System.nanoTime() - deadline < 0 && stableLooks < 2) {
                boolean quiet = allQuiet(current);
                stableLooks = quiet && previousQuiet && current.sameTurns(previous) ? stableLooks + 1 : 0;
                previousQuiet = quiet;
                QuiescenceSignal.Snapshot swap = previous;
                previous = current;
                current = swap;
                try {
                    Thread.sleep(2);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            long left = Math.max(TimeUnit.MILLISECONDS.toNanos(100), deadline - System.nanoTime());
            close(Duration.ofNanos(left));
            done.complete(null);
        }, "percore-shutdown");
        t.setDaemon(true);
        t.start();
        return done;
    }

    /** One look at what the shards published; reads none of their queues. */
    private boolean allQuiet(QuiescenceSignal.Snapshot into) {
        for (int i = 0; i < shards.length; i++) {
            Shard s = shards[i];
            if (s.isTerminated() || !s.quiescence().readInto(into, i)) {
                return false;
            }
            // Read after the signal: anything submitted since the shard went quiet shows here.
            if (s.foreignQueue().arrivals() != into.foreignTaken[i]) {
                return false;
            }
        }
        return into.meshEmpty();
    }

    /** The engine's stall detector (package-private: tests replace its listener). */
    StallDetector stallDetector() {
        return stallDetector;
    }

    /** Stops every shard within 10 s; idempotent; never hangs (see {@link #close(Duration)}). */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT);
    }

    /**
     * Stops every shard: asks each loop to stop, waits up to {@code timeout} for the threads, then
     * interrupts the ones still busy and, if they still do not return, abandons them (they are
     * daemon threads) after closing their sockets from this thread. Returns within about
     * {@code timeout} plus a short grace period whatever the tasks do.
     */
    public void close(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        synchronized (closeLock) {
            if (closeDone) {
                return;
            }
            state = CLOSED;
            stallDetector.stop();
            long deadline = System.nanoTime() + timeout.toNanos();
            for (Shard s : shards) {
                s.thread().requestStop();
            }
            for (Shard s : shards) {
                awaitTermination(s, deadline);
            }
            List<Shard> stuck = new ArrayList<>();
            for (Shard s : shards) {
                if (!s.termination().isConfirmed() && s.thread() != Thread.currentThread()) {
                    stuck.add(s);
                    s.thread().interrupt();
                }
            }
            long grace = System.nanoTime() + Math.min(TimeUnit.MILLISECONDS.toNanos(500), Math.max(timeout.toNanos() / 10, TimeUnit.MILLISECONDS.toNanos(50)));
            for (Shard s : stuck) {
                awaitTermination(s, grace);
            }
            for (Shard s : stuck) {
                if (!s.termination().isConfirmed()) {
                    abandon(s);
                }
            }
            closeDone = true;
        }
    }

    private void abandon(Shard s) {
        StackTraceElement[] stack = s.thread().getStackTrace();
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : stack) {
            sb.append("\n\tat ").append(e);
        }
        int closed = s.tracker().forceCloseAll();
        s.thread().abandoned();
        LOG.error("Shard {} did not stop within the close timeout: its thread is stuck in a task and is abandoned"
                + " (daemon); {} socket(s) closed from the closing thread. Stuck at:{}", s.id(), closed, sb);
    }

    /** Waits for the shard's loop to confirm it stopped (a shard closing its own engine cannot wait). */
    private static void awaitTermination(Shard s, long deadline) {
        if (!s.inShardThread()) {
            s.termination().awaitUntil(deadline);
        }
    }

    /** Whether every shard's loop has confirmed it stopped (false while one is abandoned in a stuck task). */
    public boolean isTerminated() {
        for (Shard s : shards) {
            if (!s.termination().isConfirmed()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "Engine[shards=" + shards.length + ", transport=" + transport.name() + ", mode=" + settings.mode()
                + (state == RUNNING ? "" : state == DRAINING ? ", draining" : ", closed") + "]";
    }

    // ================================================================ package API

    static RejectedExecutionException closedException() {
        return new RejectedExecutionException(CLOSED_MESSAGE);
    }

    void checkAccepting() {
        if (state != RUNNING) {
            throw closedException();
        }
    }

    ShardTransport shardTransport() {
        return transport;
    }

    boolean busyPolling() {
        return settings.pinned();
    }

    void shardStarted(Shard s) {
        started.countDown();
    }

    void shardFailedToStart(Shard s, Throwable t) {
        startFailure.compareAndSet(null, t);
        started.countDown();
    }

    /**
     * A shard's loop stopped on a fatal error (its thread calls this before closing its
     * sockets). The first one goes to the handler; if the handler itself throws, the process
     * halts: nothing may leave a zombie.
     */
    void shardFailedFatally(Shard s, Throwable error) {
        if (!fatalError.compareAndSet(null, error)) {
            return;
        }
        try {
            fatalErrorHandler.onFatalError(s, error);
        } catch (Throwable handlerFailure) {
            FatalErrorHandler.HALT.onFatalError(s, error);
        }
    }

    void shardTerminated(Shard s) {
        LOG.debug("Shard {} confirmed it stopped", s.id());
    }
}
