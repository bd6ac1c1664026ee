package io.percore.demo.command;

import io.percore.demo.cluster.Cluster;
import java.util.concurrent.atomic.AtomicLong;
import io.percore.demo.pubsub.Subscriptions;

/** Per-connection state that more than one handler of the pipeline reads. Shard-confined. */
public final class RespSession {

    private static final AtomicLong NEXT_ID = new AtomicLong(1);

    private final long id = NEXT_ID.getAndIncrement();
    private final long createdMillis = System.currentTimeMillis();
    private final long createdNanos = System.nanoTime();
    public boolean authenticated;
    /**
     * Who it is logged in as (Redis's {@code client->user}): the default user until AUTH or HELLO AUTH,
     * and again after RESET; its current rules are what each command is checked against. Null for a
     * client that is no connection (a replayed file or stream), which Redis's check lets run anything.
     */
    public io.percore.demo.acl.UserIdentity user;
    public String name;
    public String libName;
    public String libVersion;
    /** The connection said {@code HELLO 3}: replies are written in RESP3. */
    public boolean resp3;
    /** The database SELECT chose (Redis's {@code c->db->id}): CLIENT LIST's {@code db=}. */
    public int db;
    /** Commands queued since MULTI, or null outside a transaction: the one check per command. */
    public MultiState multi;
    /** Channels, patterns and shard channels this connection subscribes to; null while it has none. */
    public Subscriptions subscriptions;
    /** Its CLIENT TRACKING settings; null while tracking is off. */
    public io.percore.demo.tracking.ClientTracking tracking;
    /** The keys this connection WATCHes (empty most of the time). */
    public final WatchedKeys watched = new WatchedKeys();

    /**
     * Blocked in a blocking command (CLIENT LIST's flag b and blocked_clients; no idle timeout while
     * blocked): the hook for the blocking pops to set.
     */
    public boolean blocked;
    /** What a replica told with REPLCONF before its PSYNC: its port (listening-port) and address (ip-address), Redis's client fields. */
    public int replicaListeningPort;
    public String replicaIpAddress;
    /** REPLCONF capa eof: the replica reads a snapshot streamed between EOF marks (a diskless full sync). */
    public boolean replicaCapaEof;
    /** REPLCONF rdb-only 1: it wants the snapshot alone and is disconnected once it is sent (redis-cli --rdb). */
    public boolean replicaRdbOnly;

    /** Cluster mode: ASKING was sent, so the next command may use a slot importing here (Redis's CLIENT_ASKING). */
    public boolean asking;
    /** Cluster mode: READONLY was sent, so reads of slots this replica's primary owns are served here. */
    public boolean readonlyReplicaReads;
    /**
     * Cluster mode: the route of the command about to run when some of its keys' slots migrate away
     * (cluster admission leaves it; the command runs holding its keys' shards, so no batch moves them meanwhile).
     */
    public Cluster.Route migratingRoute;

    public RespSession(boolean authenticated) {
        this.authenticated = authenticated;
    }

    public long id() {
        return id;
    }

    public boolean authenticated() {
        return authenticated;
    }

    /** Whether replies are written in RESP3 ({@code HELLO 3}) rather than RESP2. */
    public boolean resp3() {
        return resp3;
    }

    /** Whether the connection is between MULTI and EXEC/DISCARD. */
    public boolean inMulti() {
        return multi != null;
    }

    public long createdMillis() {
        return createdMillis;
    }

    public long createdNanos() {
        return createdNanos;
    }

    public String name() {
        return name;
    }

    public boolean blocked() {
        return blocked;
    }

    /** Channels (sub), patterns (psub) and shard channels (ssub) subscribed to, for CLIENT LIST. */
    public int channels() {
        return subscriptions == null ? 0 : subscriptions.channels.size();
    }

    public int patterns() {
        return subscriptions == null ? 0 : subscriptions.patterns.size();
    }

    public int shardChannels() {
        return subscriptions == null ? 0 : subscriptions.shardChannels.size();
    }

    /** Whether it is subscribed to anything (Redis's CLIENT_PUBSUB flag: CLIENT LIST's P, the pubsub client type). */
    public boolean subscribed() {
        return subscriptions != null && !subscriptions.isEmpty();
    }

    /**
     * Logged in as {@code user} now (AUTH, HELLO AUTH), or, with {@code authenticated} false, back to the
     * default user as a new connection is (RESET: Redis's {@code clientSetDefaultAuth}).
     */
    public void loggedIn(io.percore.demo.acl.UserIdentity user, boolean authenticated) {
        this.user = user;
        this.authenticated = authenticated;
    }

    /** What RESET clears of the session itself: RESP2, no name, authentication as for a new connection. */
    public void reset(boolean authenticatedWithoutPassword) {
        resp3 = false;
        name = null;
        asking = false;
        readonlyReplicaReads = false;
        migratingRoute = null;
        authenticated = authenticatedWithoutPassword;
    }
}
