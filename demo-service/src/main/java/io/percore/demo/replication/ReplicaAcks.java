package io.percore.demo.replication;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replicas acknowledged, as a primary counts it (Redis's {@code waitCommand} and
 * {@code refreshGoodSlavesCount}): WAIT's answers, and whether enough good replicas are there for
 * {@code min-replicas-to-write} to let writes through.
 */
final class ReplicaAcks {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaAcks.class);

    private final List<ReplicaLink> links;
    private final ReplicationStream stream;
    /** Whether the shards feed the stream (a primary that had a replica): else no WAIT has an offset to wait for. */
    private final BooleanSupplier streaming;
    private final Supplier<ReplicationSettings> settings;
    private final Runnable stateChanged;
    private final ConcurrentLinkedQueue<Wait> waits = new ConcurrentLinkedQueue<>();
    private volatile boolean enough = true;
    /** The server stops: no WAIT waits any more ({@link #answerAllNow}). */
    private volatile boolean stopping;

    ReplicaAcks(List<ReplicaLink> links, ReplicationStream stream, BooleanSupplier streaming, Supplier<ReplicationSettings> settings,
                Runnable stateChanged) {
        this.links = links;
        this.stream = stream;
        this.streaming = streaming;
        this.settings = settings;
        this.stateChanged = stateChanged;
    }

    private static final class Wait {
        final Shard shard;
        final ShardPromise<Long> promise;
        final int wanted;
        volatile long offset = -1;
        final AtomicBoolean done = new AtomicBoolean();

        Wait(Shard shard, int wanted) {
            this.shard = shard;
            this.promise = new ShardPromise<>(shard);
            this.wanted = wanted;
        }
    }

    /**
     * WAIT {@code numReplicas} {@code timeoutMillis} on a shard thread: how many replicas applied
     * every change made on any shard before it, once {@code numReplicas} have or the time is up
     * (0: no time limit).
     */
    ShardFuture<Long> waitFor(int numReplicas, long timeoutMillis) {
        Wait w = new Wait(Shard.current(), numReplicas);
        if (!streaming.getAsBoolean()) {
            // no replica ever: nothing to wait for but the time
            if (numReplicas <= 0) {
                return ShardFuture.completed(0L);
            }
            w.offset = Long.MAX_VALUE;
            waits.add(w);
        } else {
            // listed before its offset is known: an offset known at once may finish it here, and a finished wait must not
            // be added after its removal
            waits.add(w);
            stream.offsetAfter(stream.createdNow(), offset -> {
                w.offset = offset;
                stream.requestAcks();
                check(w);
                if (stopping) {
                    finish(w);
                }
            });
        }
        if (stopping && w.offset >= 0) {
            finish(w);
        }
        if (timeoutMillis > 0 && !w.done.get()) {
            w.shard.schedule(Duration.ofMillis(timeoutMillis), () -> finish(w));
        }
        return w.promise;
    }

    /** The server stops: every WAIT is answered with what is acknowledged now, and later ones at once. Any thread. */
    void answerAllNow() {
        stopping = true;
        for (Wait w : waits) {
            if (w.offset >= 0) {
                finish(w);
            } // a WAIT whose offset is not known yet is answered when it is (waitFor)
        }
    }

    /** An ack arrived or a replica left (a shard thread): answers the WAITs it satisfies. */
    void answerWaits() {
        for (Wait w : waits) {
            check(w);
        }
    }

    private void check(Wait w) {
        if (w.offset >= 0 && acknowledged(w.offset) >= w.wanted) {
            finish(w);
        }
    }

    private void finish(Wait w) {
        if (w.done.compareAndSet(false, true)) {
            waits.remove(w);
            long count = w.offset < 0 ? 0 : acknowledged(w.offset);
            w.shard.execute(() -> w.promise.complete(count));
        }
    }

    private long acknowledged(long offset) {
        long n = 0;
        for (ReplicaLink l : links) {
            if (l.state() == ReplicaLink.State.ONLINE && l.ackOffset() >= offset) {
                n++;
            }
        }
        return n;
    }

    /** Online replicas that acknowledged within {@code min-replicas-max-lag} (INFO's {@code min_slaves_good_slaves}). */
    int good() {
        long now = System.currentTimeMillis();
        long maxLag = settings.get().minReplicasMaxLag() * 1000L;
        int n = 0;
        for (ReplicaLink l : links) {
            if (l.state() == ReplicaLink.State.ONLINE && now - l.ackMillis() <= maxLag) {
                n++;
            }
        }
        return n;
    }

    /** Counts the good replicas again (once a second, and when one came or left); says when writes turn refused or allowed. */
    void recompute() {
        ReplicationSettings s = settings.get();
        boolean now = s.minReplicasToWrite() == 0 || good() >= s.minReplicasToWrite();
        if (now != enough) {
            enough = now;
            stateChanged.run();
        }
    }

    /** Whether {@code min-replicas-to-write} good replicas are there (always, when it is 0). */
    boolean enough() {
        return enough;
    }

    /**
     * A primary about to stop waits, at most {@code seconds} (and while not {@code aborted}), until
     * {@code wanted} replicas have every change made on any shard (Redis 7's {@code shutdown-timeout}).
     * Off the shards. @return whether they have (a lagging one is logged)
     */
    boolean awaitBeforeShutdown(Engine engine, int wanted, int seconds, BooleanSupplier aborted, LongSupplier primaryOffset) {
        CompletableFuture<Long> caughtUp = new CompletableFuture<>();
        engine.submitTo(0, () -> {
            waitFor(wanted, TimeUnit.SECONDS.toMillis(seconds)).whenComplete((n, failure) -> {
                if (failure != null) {
                    caughtUp.completeExceptionally(failure);
                } else {
                    caughtUp.complete(n);
                }
            });
            return null;
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.SECONDS.toNanos(1);
        while (!caughtUp.isDone() && !aborted.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                caughtUp.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                // look at the abort flag again
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException e) {
                LOG.warn("Waiting for the replicas failed", e.getCause());
                return false;
            }
        }
        long got = caughtUp.getNow(-1L);
        if (got >= wanted) {
            LOG.info("{} replicas have every write: shutting down", got);
            return true;
        }
        if (!aborted.getAsBoolean()) {
            long end = primaryOffset.getAsLong();
            for (ReplicaLink l : links) {
                LOG.warn("Lagging replica {}:{} reported offset {} behind master {}, lag={}, state={}", l.ip(), l.listeningPort(),
                        l.ackOffset(), end, (System.currentTimeMillis() - l.ackMillis()) / 1000, l.state().text);
            }
        }
        return false;
    }
}
