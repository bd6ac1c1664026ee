package io.percore.demo.replication;

import io.percore.demo.feed.ChangeFeed;
import io.percore.demo.persistence.Persistence;
import io.percore.demo.rdb.ReplicationInfo;
import io.percore.engine.Engine;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary's snapshots for the replicas that need a full sync (Redis's
 * {@code startBgsaveForReplication}, and {@code replicationCron}'s wait for more replicas before a
 * diskless one): one at a time, shared by every replica waiting when it starts and by those that
 * come while its file is written; streamed to the sockets when every waiting replica reads that
 * (repl-diskless-sync), else written to a file each replica reads at its own pace. A snapshot
 * stands at a point of the stream marked on every shard, from which its replicas continue.
 */
final class ReplicaSnapshots {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSnapshots.class);

    /** What the snapshots need of replication as a whole. */
    interface Source {
        /** This server is a replica: its snapshot stands at a point of its primary's stream, which the link pauses at. */
        boolean chained();

        /** Every shard's feed into the stream, or null before the first replica. */
        ChangeFeed[] feeds();

        /** The feeds a snapshot attached (the first replica's): the stream has every change from its point on. */
        void attached(ChangeFeed[] feeds);

        /** The id of this server's own stream. */
        String replid();
    }

    private final Engine engine;
    private final Persistence persistence;
    private final ReplicationStream stream;
    private final int shards;
    private final Supplier<ReplicationSettings> settings;
    private final Source source;
    private final Object syncLock = new Object();
    private FullSync running;
    private final List<ReplicaLink> waitingForSnapshot = new ArrayList<>();

    ReplicaSnapshots(Engine engine, Persistence persistence, ReplicationStream stream, int shards,
                     Supplier<ReplicationSettings> settings, Source source) {
        this.engine = engine;
        this.persistence = persistence;
        this.stream = stream;
        this.shards = shards;
        this.settings = settings;
        this.source = source;
    }

    /** {@code made} needs a full sync: it joins the snapshot whose file is being written, or waits for the next. */
    void request(ReplicaLink made) {
        synchronized (syncLock) {
            if (running != null && !running.fileDone && !running.diskless) {
                running.links.add(made);
                if (running.offset >= 0) {
                    made.snapshotPoint(running.replid, running.offset);
                }
                return;
            }
            waitingForSnapshot.add(made);
        }
        start();
    }

    /** A replica's link closed: it waits for no snapshot. */
    void removed(ReplicaLink l) {
        synchronized (syncLock) {
            waitingForSnapshot.remove(l);
        }
    }

    /** One snapshot for the replicas waiting for it. */
    private static final class FullSync {
        final List<ReplicaLink> links = new ArrayList<>();
        final boolean diskless;
        volatile long offset = -1;
        volatile String replid;
        boolean fileDone;

        FullSync(boolean diskless) {
            this.diskless = diskless;
        }
    }

    /**
     * On a shard thread: a snapshot for the waiting replicas, unless one is made or another save runs
     * (the cron asks again). Diskless (repl-diskless-sync, when every waiting replica reads a streamed
     * snapshot), it waits repl-diskless-sync-delay after the first replica asked, so that replicas
     * asking meanwhile share it, or less once repl-diskless-sync-max-replicas wait, as Redis's.
     */
    void start() {
        FullSync sync;
        ReplicationSettings s = settings.get();
        synchronized (syncLock) {
            if (running != null || waitingForSnapshot.isEmpty()) {
                return;
            }
            boolean diskless = s.disklessSync();
            long oldest = Long.MAX_VALUE;
            for (ReplicaLink l : waitingForSnapshot) {
                diskless &= l.capaEof();
                oldest = Math.min(oldest, l.waitingSinceMillis());
            }
            if (diskless) {
                long due = oldest + TimeUnit.SECONDS.toMillis(s.disklessSyncDelay()) - System.currentTimeMillis();
                boolean enough = s.disklessSyncMaxReplicas() > 0 && waitingForSnapshot.size() >= s.disklessSyncMaxReplicas();
                if (due > 0 && !enough) {
                    engine.shard(0).schedule(Duration.ofMillis(due), this::start);
                    return;
                }
            }
            sync = new FullSync(diskless);
            sync.links.addAll(waitingForSnapshot);
            waitingForSnapshot.clear();
            running = sync;
        }
        // a replica's snapshot stands at a point of its primary's stream (the link pauses there); a primary's is marked in its own
        boolean chained = source.chained();
        ChangeFeed[] current = source.feeds();
        ChangeFeed[] attached = chained ? null : current != null ? current : new ChangeFeed[shards];
        boolean attaching = !chained && current == null;
        java.util.function.Consumer<ReplicationInfo> where = info -> {
            if (info == null) {
                sync.links.forEach(l -> l.snapshotFailed(new IOException("the link to this replica's primary is not at a point")));
            } else {
                pointReached(sync, info.replid(), info.offset());
            }
        };
        Persistence.SnapshotPoint point = chained ? null : (state, group, participants) -> {
            ChangeFeed feed = attached[state.shardId()];
            if (feed == null) {
                feed = new ChangeFeed(state.shardId(), stream);
                attached[state.shardId()] = feed;
                state.writes().listen(feed);
            }
            if (state.shardId() == participants.nextSetBit(0)) {
                stream.markOffset(group).thenAccept(offset -> pointReached(sync, source.replid(), offset));
            }
            feed.mark(group, participants);
        };
        if (sync.diskless) {
            DisklessTransfer transfer = new DisklessTransfer(sync.links, TimeUnit.SECONDS.toMillis(s.timeoutSeconds()));
            CompletableFuture<Long> sent = persistence.saveToStream(point, where, transfer);
            if (sent == null) {
                sync.links.forEach(l -> l.disklessTransfer(null));
                synchronized (syncLock) {
                    waitingForSnapshot.addAll(0, sync.links);
                    running = null;
                }
                return;
            }
            if (attaching) {
                source.attached(attached);
            }
            LOG.info("Starting a diskless full sync for {} replicas", sync.links.size());
            sent.whenComplete((bytes, failure) -> disklessDone(sync, transfer, failure));
            return;
        }
        CompletableFuture<FileChannel> file = persistence.saveForReplication(point, where);
        if (file == null) {
            synchronized (syncLock) {
                waitingForSnapshot.addAll(0, sync.links);
                running = null;
            }
            return;
        }
        if (attaching) {
            source.attached(attached); // every shard attaches at the point; the array is complete once the save's begin is done
        }
        file.whenComplete((opened, failure) -> snapshotDone(sync, opened, failure));
    }

    /** The diskless snapshot was streamed whole to the replicas still there, or failed (they are cut off and ask again). */
    private void disklessDone(FullSync sync, DisklessTransfer transfer, Throwable failure) {
        synchronized (syncLock) {
            sync.fileDone = true;
            running = null;
        }
        if (failure != null) {
            LOG.warn("The diskless full sync failed after {} bytes: {}", transfer.sent(), failure.getMessage());
            sync.links.forEach(l -> l.snapshotFailed(failure));
        } else {
            LOG.info("The diskless full sync sent {} bytes to {} replicas", transfer.sent(), sync.links.size());
        }
        engine.shard(0).execute(this::start); // replicas that came meanwhile
    }

    private void pointReached(FullSync sync, String id, long offset) {
        List<ReplicaLink> told;
        synchronized (syncLock) {
            sync.offset = offset;
            sync.replid = id;
            told = new ArrayList<>(sync.links);
        }
        for (ReplicaLink l : told) {
            l.snapshotPoint(id, offset);
        }
    }

    private void snapshotDone(FullSync sync, FileChannel opened, Throwable failure) {
        List<ReplicaLink> sent;
        synchronized (syncLock) {
            sync.fileDone = true;
            running = null;
            sent = new ArrayList<>(sync.links);
        }
        if (failure != null) {
            LOG.error("The snapshot for {} replicas failed", sent.size(), failure);
            sent.forEach(l -> l.snapshotFailed(failure));
        } else {
            SharedFile shared = new SharedFile(opened, sent.size());
            sent.forEach(l -> l.snapshotReady(shared));
        }
        engine.shard(0).execute(this::start); // replicas that came meanwhile
    }

    /** The snapshot's file, read by each replica at its own position, closed when the last is done. */
    static final class SharedFile {
        final FileChannel channel;
        private final java.util.concurrent.atomic.AtomicInteger readers;

        SharedFile(FileChannel channel, int readers) {
            this.channel = channel;
            this.readers = new java.util.concurrent.atomic.AtomicInteger(readers);
            if (readers == 0) {
                release(0);
            }
        }

        void release() {
            release(readers.decrementAndGet());
        }

        private void release(int left) {
            if (left == 0) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
    }
}
