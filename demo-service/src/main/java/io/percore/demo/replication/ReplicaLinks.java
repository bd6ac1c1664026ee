package io.percore.demo.replication;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A primary's replicas, one {@link ReplicaLink} each (Redis's {@code server.slaves}): read from any thread, changed when
 * a replica's PSYNC is taken or its link closes. The stream asks them what it may trim and tells them it grew.
 */
final class ReplicaLinks implements ReplicationStream.Readers, Iterable<ReplicaLink> {

    private static final Logger LOG = LoggerFactory.getLogger(ReplicaLinks.class);
    /** How long a role change waits for its replicas' links to close. */
    private static final long CLOSE_WAIT_SECONDS = 10;

    private final List<ReplicaLink> links = new CopyOnWriteArrayList<>();

    void add(ReplicaLink l) {
        links.add(l);
    }

    void remove(ReplicaLink l) {
        links.remove(l);
    }

    int size() {
        return links.size();
    }

    /** The links now, a copy: for a report that must not change while it is written. */
    List<ReplicaLink> now() {
        return List.copyOf(links);
    }

    @Override
    public Iterator<ReplicaLink> iterator() {
        return links.iterator();
    }

    @Override
    public void appended() {
        for (ReplicaLink l : links) {
            l.appended();
        }
    }

    @Override
    public long needed() {
        long min = Long.MAX_VALUE;
        for (ReplicaLink l : links) {
            min = Math.min(min, l.needed());
        }
        return min;
    }

    @Override
    public boolean any() {
        return !links.isEmpty();
    }

    /** Every link's keep-alive, limits and timeout, once a second. */
    void tick(long timeoutMillis) {
        for (ReplicaLink l : links) {
            l.tickFromAnyThread(timeoutMillis);
        }
    }

    /** Closes every link, each on its shard, without waiting. */
    void closeAll(String why) {
        for (ReplicaLink l : links) {
            l.closeFromAnyThread(why);
        }
    }

    /** Closes every link and waits, at most {@value #CLOSE_WAIT_SECONDS} s, until none is sent anything more. Off the shards. */
    void closeAllAndWait(String why) {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (ReplicaLink l : links) {
            closing.add(l.closeAndWait(why));
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("Replicas did not close within {} s", CLOSE_WAIT_SECONDS, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
