package io.percore.demo.replication;

import io.percore.engine.Engine;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.time.Duration;
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

    private final ReplicaLinks links;
    private final ReplicationStream stream;
    /** Whether the shards feed the stream (a primary that had a replica): else no WAIT has an offset to wait for. */
    private final BooleanSupplier streaming;
    private final Supplier<ReplicationSettings> settings;
    private final ConcurrentLinkedQueue<Wait> waits = new ConcurrentLinkedQueue<>();
    /** Writes pass until this moment ({@link System#nanoTime}) with {@code min-replicas-to-write}. */
    private volatile long enoughUntil = System.nanoTime();
    static final long PROOF_INTERVAL_MILLIS = 100;
    private final java.util.concurrent.atomic.AtomicLong lastProofNanos = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(1));
    /** The server stops: no WAIT waits any more ({@link #answerAllNow}). */
    private volatile boolean stopping;

    ReplicaAcks(ReplicaLinks links, ReplicationStream stream, BooleanSupplier streaming, Supplier<ReplicationSettings> settings) {
        this.links = links;
        this.stream = stream;
        this.streaming = streaming;
        this.settings = settings;
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

    /**
     * Online replicas whose last ack is proven at most {@code min-replicas-max-lag} old (INFO's
     * {@code min_slaves_good_slaves}): dated by the stream bytes it covers ({@link OffsetClock}), not by when it
     * arrived, so acks that waited in a socket while this server was frozen or cut off do not count as fresh.
     */
    int good() {
        long now = System.nanoTime();
        long maxLag = TimeUnit.SECONDS.toNanos(settings.get().minReplicasMaxLag());
        int n = 0;
        for (ReplicaLink l : links) {
            long sent = l.state() == ReplicaLink.State.ONLINE ? stream.sentAfter(l.ackOffset()) : OffsetClock.UNKNOWN;
            if (sent != OffsetClock.UNKNOWN && now - sent <= maxLag) {
                n++;
            }
        }
        return n;
    }

    /**
     * Works out again until when the good replicas let writes through (once a second, on each ack, when one came or
     * left, when the settings changed): the {@code min-replicas-to-write}-th freshest proven ack plus
     * {@code min-replicas-max-lag}. Writes check that moment against the clock ({@link #enough}), so a server that did
     * not run for a while (frozen, descheduled, a long pause) refuses them on its first instruction after, without
     * waiting for this to run again. Synchronized: a count made before a replica left must not be written after one
     * made since.
     */
    synchronized void recompute() {
        ReplicationSettings s = settings.get();
        int wanted = s.minReplicasToWrite();
        long now = System.nanoTime();
        long until = now;
        if (wanted > 0) {
            long[] sent = new long[links.size()];
            int n = 0;
            for (ReplicaLink l : links) {
                long at = l.state() == ReplicaLink.State.ONLINE ? stream.sentAfter(l.ackOffset()) : OffsetClock.UNKNOWN;
                if (at != OffsetClock.UNKNOWN && n < sent.length) {
                    sent[n++] = at;
                }
            }
            if (n >= wanted) {
                java.util.Arrays.sort(sent, 0, n);
                until = sent[n - wanted] + TimeUnit.SECONDS.toNanos(s.minReplicasMaxLag());
            }
        }
        enoughUntil = until; // no listener: writes read it against the clock (Replication#refusing keeps their check on)
    }

    /**
     * An ack arrived: counts again, and while writes are refused asks the replicas for an ack that proves itself at
     * once (a replica just synced, or this server back from a pause, acks what it had before), at most every
     * {@value #PROOF_INTERVAL_MILLIS} ms: an answer that does not suffice (a replica short of the number) must not
     * ask again at the round trip's rate.
     */
    void acked() {
        recompute();
        answerWaits();
        if (settings.get().minReplicasToWrite() > 0 && !enough()) {
            long now = System.nanoTime();
            long last = lastProofNanos.get();
            if (now - last >= TimeUnit.MILLISECONDS.toNanos(PROOF_INTERVAL_MILLIS) && lastProofNanos.compareAndSet(last, now)) {
                stream.requestProof();
            }
        }
    }

    /** Once a second (shard 0): with {@code min-replicas-to-write}, the replicas prove again that they follow this stream. */
    void cron() {
        if (settings.get().minReplicasToWrite() > 0) {
            stream.requestProof();
        }
        recompute();
    }

    /** Whether {@code min-replicas-to-write} good replicas are there (always, when it is 0), by the clock now. */
    boolean enough() {
        return settings.get().minReplicasToWrite() == 0 || System.nanoTime() - enoughUntil < 0;
    }

    /**
     * A primary about to stop waits, at most {@code seconds} (and while not {@code aborted}), until
     * {@code wanted} replicas have every change made on any shard (Redis 7's {@code shutdown-timeout}).
     * A replica that leaves meanwhile (promoted, closed, gone) is not waited for, as Redis's
     * {@code isReadyToShutdown} asks only the replicas still there: with none left it stops at once.
     * Off the shards. @return whether they have (a lagging one is logged)
     */
    boolean awaitBeforeShutdown(Engine engine, int wanted, int seconds, BooleanSupplier aborted, LongSupplier primaryOffset) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds) + TimeUnit.SECONDS.toNanos(1);
        CompletableFuture<Long> caughtUp = caughtUp(engine, wanted, TimeUnit.SECONDS.toMillis(seconds));
        while (!caughtUp.isDone() && !aborted.getAsBoolean() && System.nanoTime() < deadline) {
            try {
                caughtUp.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                int linked = online();
                if (linked < wanted) {
                    if (linked == 0) {
                        LOG.info("No replica left to wait for: shutting down");
                        return true;
                    }
                    wanted = linked; // those still there, for what is left of the time
                    caughtUp = caughtUp(engine, wanted, Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                }
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

    /** A WAIT for {@code wanted} replicas, on shard 0, as a future off the shards. */
    private CompletableFuture<Long> caughtUp(Engine engine, int wanted, long timeoutMillis) {
        CompletableFuture<Long> caughtUp = new CompletableFuture<>();
        engine.submitTo(0, () -> {
            waitFor(wanted, timeoutMillis).whenComplete((n, failure) -> {
                if (failure != null) {
                    caughtUp.completeExceptionally(failure);
                } else {
                    caughtUp.complete(n);
                }
            });
            return null;
        });
        return caughtUp;
    }

    /** The replicas sent the stream now (not those waiting for or loading a full sync). */
    int online() {
        int online = 0;
        for (ReplicaLink l : links) {
            if (l.state() == ReplicaLink.State.ONLINE) {
                online++;
            }
        }
        return online;
    }
}
