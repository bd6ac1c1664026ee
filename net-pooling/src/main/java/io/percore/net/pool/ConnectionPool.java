package io.percore.net.pool;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.percore.engine.Cancellable;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The connections one shard keeps to one endpoint. It belongs to its shard: every method must be
 * called on that shard's thread, so it has no locks and no atomics, and its connections are
 * registered on the shard's own loop. Idle connections are reused most-recently-used first
 * (warm connections stay warm, the coldest ones age out) and checked before reuse.
 */
public final class ConnectionPool implements AutoCloseable {

    private final Shard shard;
    private final Endpoint endpoint;
    /** Replaced by {@link #resize} (live configuration), on the pool's shard. */
    private PoolOptions options;
    private final ConnectionBudget budget;
    private final PoolMetrics metrics = new PoolMetrics();
    private final Bootstrap bootstrap;
    /** Most recently released first. */
    private final ArrayDeque<PooledConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Cancellable evictionTimer;
    private int open;
    private int connecting;
    private int leased;
    private boolean closed;

    /**
     * @param initializer adds the protocol's handlers to each new connection (runs on the shard)
     * @param budget      the shard-wide connection budget this pool draws from
     */
    public ConnectionPool(Shard shard, Endpoint endpoint, PoolOptions options, Consumer<Channel> initializer,
                          ConnectionBudget budget) {
        this.shard = Objects.requireNonNull(shard, "shard");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.options = Objects.requireNonNull(options, "options");
        this.budget = Objects.requireNonNull(budget, "budget");
        Objects.requireNonNull(initializer, "initializer");
        this.bootstrap = new Bootstrap()
                .group(shard.ioEventLoop())
                .channel(shard.transport().socketChannelClass())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()))
                .remoteAddress(endpoint.address())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        initializer.accept(ch);
                    }
                });
        long idleNanos = options.idleTimeout().toNanos();
        this.evictionTimer = idleNanos > 0
                ? shard.scheduleAtFixedRate(options.idleTimeout(), Duration.ofNanos(Math.max(idleNanos / 2, 10_000_000L)), this::evictIdle)
                : null;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    public Shard shard() {
        return shard;
    }

    public PoolMetrics metrics() {
        return metrics;
    }

    public PoolOptions options() {
        return options;
    }

    /** Open connections (lent plus idle). */
    public int openConnections() {
        return open;
    }

    /**
     * A connection to this endpoint: an idle one if one is usable, a new one if the limits allow,
     * otherwise after waiting (at most acquire-timeout) for one to be released. Fails at once with
     * {@link PoolExhaustedException} when max-pending-acquisitions acquisitions already wait.
     */
    public ShardFuture<PooledConnection> acquire() {
        checkThread();
        if (closed) {
            return ShardFuture.failed(new IllegalStateException("Connection pool to " + endpoint + " is closed"));
        }
        long start = System.nanoTime();
        PooledConnection c;
        while ((c = idle.pollFirst()) != null) {
            if (c.isUsable()) {
                lend(c, start);
                return ShardFuture.completed(c);
            }
            // Closed while idle; its close listener does the accounting.
        }
        boolean connectStarted = tryConnect();
        if (!connectStarted && waiters.size() - connecting >= options.maxPendingAcquisitions()) {
            metrics.acquireRejected.increment();
            return ShardFuture.failed(new PoolExhaustedException("Connection pool to " + endpoint + " on shard "
                    + shard.id() + " is exhausted: " + open + " open (max-connections " + options.maxConnections()
                    + ", shard budget " + budget.used() + "/" + budget.max() + "), " + waiters.size()
                    + " acquisitions waiting (max-pending-acquisitions " + options.maxPendingAcquisitions() + ")"));
        }
        if (!connectStarted && open == 0 && connecting == 0) {
            metrics.acquireRejected.increment();
            return ShardFuture.failed(new PoolExhaustedException("No connection to " + endpoint + " can be opened on shard "
                    + shard.id() + ": the shard's connection budget (" + budget.max() + ") is used by other endpoints"));
        }
        Waiter w = new Waiter(start);
        w.timer = shard.schedule(options.acquireTimeout(), () -> {
            if (waiters.remove(w)) {
                metrics.acquireTimeouts.increment();
                updateGauges();
                w.promise.fail(new PoolExhaustedException("Timed out after " + options.acquireTimeout()
                        + " waiting for a connection to " + endpoint + " on shard " + shard.id()));
            }
        });
        waiters.addLast(w);
        updateGauges();
        return w.promise;
    }

    private boolean tryConnect() {
        if (open + connecting >= options.maxConnections() || !budget.tryReserve()) {
            return false;
        }
        connecting++;
        ChannelFuture f = bootstrap.connect();
        f.addListener(done -> onConnected(f));
        return true;
    }

    private void onConnected(ChannelFuture f) {
        connecting--;
        if (!f.isSuccess()) {
            budget.release();
            metrics.connectFailures.increment();
            Throwable cause = f.cause();
            // Nothing else is coming for the waiter this connect was opened for.
            Waiter w = waiters.size() > connecting ? waiters.pollFirst() : null;
            updateGauges();
            if (w != null) {
                w.timer.cancel();
                ConnectException e = new ConnectException("Cannot connect to " + endpoint + ": "
                        + (cause == null ? "unknown error" : cause.getMessage()));
                if (cause != null) {
                    e.initCause(cause);
                }
                w.promise.fail(e);
            }
            return;
        }
        Channel ch = f.channel();
        PooledConnection c = new PooledConnection(this, ch);
        open++;
        metrics.created.increment();
        ch.closeFuture().addListener(x -> onClosed(c));
        if (closed) {
            ch.close();
            return;
        }
        offer(c);
    }

    private void onClosed(PooledConnection c) {
        open--;
        budget.release();
        metrics.closed.increment();
        if (c.leased) {
            // Still lent: release() will find it inactive and just drop it.
        } else {
            idle.remove(c);
        }
        // A waiter may now get a fresh connection in its place.
        if (!closed && waiters.size() > connecting) {
            tryConnect();
        }
        updateGauges();
    }

    void release(PooledConnection c, boolean discard) {
        checkThread();
        if (!c.leased) {
            throw new IllegalStateException(c + " was released twice");
        }
        c.leased = false;
        leased--;
        if (discard || closed || !c.isUsable() || open > options.maxConnections()) {
            c.channel.close();
            updateGauges();
            return;
        }
        offer(c);
    }

    /**
     * New limits (live configuration), on the pool's shard: a raised max-connections opens
     * connections for the acquisitions waiting now; a lowered one closes idle connections above it
     * now (oldest first) and lent ones as they come back. max-pending-acquisitions bounds the next
     * acquisitions; those already waiting stay.
     */
    public void resize(int maxConnections, int maxPendingAcquisitions) {
        checkThread();
        options = options.toBuilder().maxConnections(maxConnections).maxPendingAcquisitions(maxPendingAcquisitions).build();
        while (!closed && waiters.size() > connecting && tryConnect()) {
            // one connection per waiter, as far as the new limits go
        }
        // open counts down only when a close completes: count what this call closes
        for (int excess = open - options.maxConnections(); excess > 0 && !idle.isEmpty(); excess--) {
            idle.pollLast().channel.close();
        }
        updateGauges();
    }

    private void offer(PooledConnection c) {
        Waiter w = waiters.pollFirst();
        if (w != null) {
            w.timer.cancel();
            lend(c, w.startNanos);
            updateGauges();
            w.promise.complete(c);
            return;
        }
        c.idleSinceNanos = System.nanoTime();
        idle.addFirst(c);
        updateGauges();
    }

    private void lend(PooledConnection c, long startNanos) {
        c.leased = true;
        leased++;
        metrics.recordAcquire(System.nanoTime() - startNanos);
        updateGauges();
    }

    private void evictIdle() {
        long limit = options.idleTimeout().toNanos();
        long now = System.nanoTime();
        Iterator<PooledConnection> oldestFirst = idle.descendingIterator();
        ArrayList<PooledConnection> expired = null;
        while (oldestFirst.hasNext()) {
            PooledConnection c = oldestFirst.next();
            if (now - c.idleSinceNanos < limit) {
                break;
            }
            oldestFirst.remove();
            if (expired == null) {
                expired = new ArrayList<>();
            }
            expired.add(c);
        }
        if (expired != null) {
            updateGauges();
            for (PooledConnection c : expired) {
                c.channel.close();
            }
        }
    }

    private void updateGauges() {
        metrics.active.set(leased);
        metrics.idle.set(idle.size());
        metrics.pending.set(waiters.size());
        metrics.connecting.set(connecting);
    }

    /** Closes idle connections now and lent ones when they come back; fails waiting acquisitions. */
    @Override
    public void close() {
        checkThread();
        if (closed) {
            return;
        }
        closed = true;
        if (evictionTimer != null) {
            evictionTimer.cancel();
        }
        PooledConnection c;
        while ((c = idle.pollFirst()) != null) {
            c.channel.close();
        }
        Waiter w;
        while ((w = waiters.pollFirst()) != null) {
            w.timer.cancel();
            w.promise.fail(new IllegalStateException("Connection pool to " + endpoint + " was closed"));
        }
        updateGauges();
    }

    public boolean isClosed() {
        return closed;
    }

    private void checkThread() {
        if (!shard.inShardThread()) {
            throw new IllegalStateException("ConnectionPool to " + endpoint + " belongs to shard " + shard.id()
                    + " and was used from thread '" + Thread.currentThread().getName() + "'");
        }
    }

    @Override
    public String toString() {
        return "ConnectionPool[shard " + shard.id() + " -> " + endpoint + ": " + metrics + "]";
    }

    private final class Waiter {
        final long startNanos;
        final ShardPromise<PooledConnection> promise = new ShardPromise<>(shard);
        Cancellable timer;

        Waiter(long startNanos) {
            this.startNanos = startNanos;
        }
    }
}
