package io.percore.demo.server;

import io.percore.demo.acl.UserIdentity;
import io.percore.demo.pubsub.Subscriptions;
import io.percore.demo.tracking.TrackingReceiver;
import java.util.List;

/**
 * What the server's per-shard structures ({@link ClientRegistry}, {@link ClientFilter},
 * {@link ClientPause}, {@link MonitorFeed}) see of a RESP connection (Redis's {@code client}
 * struct as {@code server.clients} holds it); the connection implements it. Called only on the
 * connection's own shard.
 */
public interface Client {

    /** The client's id, unique in the process (CLIENT ID). */
    long id();

    /** {@code host:port} of the client. */
    String remoteAddress();

    /** {@code host:port} of the server's end. */
    String localAddress();

    /** When the connection was accepted ({@link System#nanoTime()}), for CLIENT KILL MAXAGE. */
    long createdNanos();

    /** Whether it subscribes to anything (Redis's pubsub client type). */
    boolean subscribed();

    /** Who it is logged in as (Redis's {@code client->user}): CLIENT LIST's user, CLIENT KILL USER, ACL DELUSER. */
    UserIdentity user();

    /** What it subscribes to, or null (ACL SETUSER closes a subscriber whose channels were taken away). */
    Subscriptions subscriptions();

    /** Whether it is a replica's link (PSYNC; Redis's replica client type, flag S). */
    boolean replica();

    /** Its CLIENT LIST line at {@code nowNanos}, without the newline. */
    String info(long nowNanos);

    /** Nanoseconds since its last interaction (a read, a command's end); 0 while a command runs. */
    long idleNanos(long nowNanos);

    /** Whether the {@code timeout} check may close it (not a monitor, a subscriber, a held or blocked client). */
    boolean idleTimeoutApplies();

    /** Closes the connection now (CLIENT KILL from another connection, the idle timeout). */
    void kill();

    /** This client sent the CLIENT KILL that matched it: it closes once that reply is written. */
    void killAfterReply();

    /**
     * The transaction or script that held the shard released it, or a script holding it went busy:
     * the commands that waited for it run now, in order (refused with -BUSY in the second case).
     * Nothing happens when none waits.
     */
    void resumeAfterHold();

    /** Flushes the messages pushed to it this turn now, not at the end of the turn (a script on its shard went busy). */
    void releasePushFlush();

    /** A CLIENT PAUSE that held its commands is over: they run now, in order. */
    void resumeAfterPause();

    /** Writes MONITOR lines to it (a monitor past its output limit is closed instead). */
    void monitorLines(List<MonitorFeed.Line> lines);

    /** What it holds now (Redis's tot-mem): output not sent, requests not run, queued MULTI commands, its own objects. */
    long memoryBytes();

    /** Its memory as last counted in its shard's total, with what it has in flight: what closing it frees. */
    long reportedMemory();

    /** Checks its limits and brings its figure in the shard's total up to date (may close it). */
    void checkMemory();

    /** Closes it for a memory limit, saying why in the log; what it has not run is dropped. */
    void closeForLimits(String why);

    /** CLIENT NO-EVICT ON: not closed to bring the clients within maxmemory-clients. */
    boolean noEvict();

    /** Its figures as the shards that make its replies see them. */
    ClientMemory memory();

    /** The shard's requests in flight came down: read and run what it stopped at. */
    void resumeReading();

    /** This client as client tracking sees it: where the invalidations of a client redirecting to it go. */
    TrackingReceiver trackingReceiver();
}
