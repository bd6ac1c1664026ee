package io.percore.demo.scripting;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.Caller;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.ShardServices;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.server.ClientMemory;
import io.percore.demo.shard.Keyspace;

/**
 * What a command called by a script sees (Redis's script client): the shard the script runs on,
 * the keyspace bound to the script's hold on it, a session of its own, and a reply that must come
 * at once, since {@code redis.call} returns it to Lua. Blocking commands answer as if no key had
 * data ({@code CLIENT_DENY_BLOCKING}).
 */
final class ScriptCommandContext implements CommandContext, Caller {

    /** The script's keyspace, bound to the database it selected (its caller's at first). */
    private Keyspace keyspace;
    private final ShardServices services;
    /** Made when a command asks for them, which most that scripts call never do (a session takes an id and reads two clocks). */
    private RespSession session;
    private ClientMemory memory;
    private RedisMessage reply;
    private boolean barrier;

    /** {@code keyspace} is bound to the script's hold; {@code services} are those of the shard the script runs on. */
    ScriptCommandContext(Keyspace keyspace, ShardServices services) {
        this.keyspace = keyspace;
        this.services = services;
    }

    void begin() {
        reply = null;
        barrier = false;
    }

    /** The reply the command gave, or null when it did not answer at once. */
    RedisMessage reply() {
        return barrier ? null : reply;
    }

    @Override
    public ShardServices services() {
        return services;
    }

    /** Who its commands run for: itself. */
    @Override
    public Caller caller() {
        return this;
    }

    /** The keyspace the script's read commands run against when its keys are to be tracked (made once per script), else null. */
    private Keyspace trackingReads;
    /** The command running now is a read whose keys are to be tracked. */
    private boolean tracking;

    /** The script's read commands remember {@code reads} for its client (null: none); set once, before the script runs. */
    void trackReads(io.percore.demo.tracking.TrackedCommand reads) {
        trackingReads = reads == null ? null : keyspace.trackedBy(reads);
    }

    /** Whether the next command runs with the tracked view of {@link #trackReads} (a read-only command). */
    void tracking(boolean read) {
        tracking = read && trackingReads != null;
    }

    @Override
    public Keyspace keyspace() {
        return tracking ? trackingReads : keyspace;
    }

    /** A script's SELECT: its own later calls run there; its caller's database stays as it was (Redis 7.0). */
    @Override
    public void select(int db) {
        keyspace = keyspace.database(db);
        if (trackingReads != null) {
            trackingReads = trackingReads.database(db);
        }
        session().db = db;
    }

    @Override
    public Subscriber subscriber() {
        throw new IllegalStateException("a script cannot subscribe");
    }

    @Override
    public ClientMemory memory() {
        if (memory == null) {
            memory = new ClientMemory();
        }
        return memory;
    }

    @Override
    public RespSession session() {
        if (session == null) {
            session = new RespSession(true);
        }
        return session;
    }

    @Override
    public String remoteAddress() {
        return "lua";
    }

    /** Redis's script client has no connection: the slow log shows its address as {@code ?:0}. */
    @Override
    public String slowlogAddress() {
        return "?:0";
    }

    @Override
    public String localAddress() {
        return "lua";
    }

    @Override
    public ConnectionControl connection() {
        throw new IllegalStateException("a script has no connection of its own");
    }

    @Override
    public void reply(RedisMessage message) {
        if (reply == null) {
            reply = message;
        }
    }

    @Override
    public void replyAndClose(RedisMessage message) {
        reply(message);
    }

    @Override
    public PendingReply reserve() {
        return this::reply;
    }

    @Override
    public boolean draining() {
        return false;
    }

    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public boolean answersAtOnce() {
        return true;
    }

    @Override
    public void beginBarrier() {
        barrier = true;
    }

    @Override
    public void endBarrier() {
        barrier = false;
    }
}
