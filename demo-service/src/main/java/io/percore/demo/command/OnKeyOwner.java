package io.percore.demo.command;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.shard.WritePath;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.ShardFuture;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ClientMemory;

/**
 * Runs a single-key command on the shard owning its key ({@code argv[1]}, a subcommand's {@code argv[2]}): inline when that is this shard
 * (the hot path: no allocation beyond the command's reply), else through {@link Keyspace#invokeOn},
 * the reply taking its place in the connection's order. It runs against the store of the database its
 * caller's keyspace view is bound to ({@link Keyspace#db()}): one array read on the hot path.
 */
public final class OnKeyOwner implements CommandHandler {

    private final KeyCommand command;
    /** Redis's {@code denyoom} flag: the command may grow memory, so the owner's budget is enforced first. */
    private final boolean denyOom;
    /**
     * Whether the command may write (Redis's {@code write} flag): only then does it run as a unit of
     * the write path. A read changes nothing a command reports (a key it finds expired the store
     * reports itself), so it skips the unit's bookkeeping.
     */
    private final boolean writes;
    /** Where the key is in the arguments: 1, or 2 for a subcommand's (XGROUP CREATE key ...). */
    private final int keyAt;

    public OnKeyOwner(KeyCommand command) {
        this(command, false, true, 1);
    }

    private OnKeyOwner(KeyCommand command, boolean denyOom, boolean writes, int keyAt) {
        this.command = command;
        this.denyOom = denyOom;
        this.writes = writes;
        this.keyAt = keyAt;
    }

    /** A subcommand's handler, run on the shard owning {@code argv[keyAt]}. */
    public static OnKeyOwner keyAt(int keyAt, KeyCommand command) {
        return new OnKeyOwner(command, false, true, keyAt);
    }

    /** The same command, refused with {@code -OOM} when the owning shard is over budget and cannot evict. */
    public OnKeyOwner denyingOom() {
        return new OnKeyOwner(command, true, writes, keyAt);
    }

    /** The same command known to only read (no {@code write} flag): it runs without a unit of the write path. */
    public OnKeyOwner readOnly() {
        return new OnKeyOwner(command, denyOom, false, keyAt);
    }

    /** The key of a call of this command, whose shard runs it. */
    public byte[] key(byte[][] argv) {
        return argv[keyAt];
    }

    @Override
    public void handle(CommandContext c, byte[][] argv) {
        Keyspace keyspace = c.keyspace();
        int owner = keyspace.shardOf(argv[keyAt]);
        if (owner == c.shard().id()) {
            KeyspaceShard local = c.local();
            TrackedCommand tracked = keyspace.tracked();
            long now = c.nowMillis();
            RedisMessage reply = tracked != null ? executeTracked(local, keyspace.db(), argv, keyspace.step(), tracked, now)
                    : writes && c.obeysWithoutLimits() ? executeObeyed(local, keyspace.db(), argv, keyspace.step(), now)
                    : execute(local, keyspace.db(), argv, keyspace.step(), now);
            ShardFuture<Void> gate = local.takeReplyGate(); // null unless it told other shards' tracking clients or served blocked clients
            if (gate == null || c.answersAtOnce()) {
                // a script's redis.call is answered at once: the deliveries still go, but its EVAL's reply does not wait for them
                c.reply(reply);
            } else {
                c.replyLater(gate.map(v -> reply)); // a client that reads the reply sees what it caused
            }
            return;
        }
        int step = keyspace.step();
        int db = keyspace.db();
        boolean obeys = writes && c.obeysWithoutLimits();
        ClientMemory memory = c.memory();
        long budget = c.server().config().clientsBytesPerShard(keyspace.shardCount());
        CommandContext.PendingReply slot = c.reserve();
        keyspace.invokeOn(owner, state -> madeFor(memory, budget, state, db, argv, step, obeys)).whenComplete((reply, failure) -> {
            if (reply != null) {
                memory.addElsewhere(-RespReplies.heldBytes(reply)); // arrived: the connection's own output from here
            }
            slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
        });
    }

    /**
     * Runs the command now on {@code state}'s shard, which must own its key, against database {@code db},
     * as a unit of its write path at {@code step} of a transaction, for a tracking client's command
     * ({@code tracked}, or null for none), for a caller that must be obeyed or not ({@code obeys}: a replayed feed's
     * transaction): for EXEC, which sends each shard the queued commands of its keys in one message instead of one
     * round trip each.
     */
    public RedisMessage runHere(KeyspaceShard state, int db, byte[][] argv, int step, TrackedCommand tracked, boolean obeys) {
        long now = System.currentTimeMillis();
        return tracked != null ? executeTracked(state, db, argv, step, tracked, now)
                : obeys && writes ? executeObeyed(state, db, argv, step, now) : execute(state, db, argv, step, now);
    }

    /**
     * On the key's shard, for a client on another shard: the command's reply, unless the client is
     * being closed or already holds more than its shard's part of maxmemory-clients (its replies
     * travelling here included), in which case the client is marked for closing and nothing is
     * made. So a client that asks this shard for many large replies and reads none is stopped after
     * the first that takes it over, not after this shard built them all; what a reply holds counts
     * as the client's until it arrives.
     */
    private RedisMessage madeFor(ClientMemory memory, long budget, KeyspaceShard state, int db, byte[][] argv, int step, boolean obeys) {
        if (memory.closing() || (budget > 0 && memory.total() > budget)) {
            memory.markClosing();
            return CLIENT_CLOSING;
        }
        long now = System.currentTimeMillis();
        RedisMessage reply = obeys ? executeObeyed(state, db, argv, step, now) : execute(state, db, argv, step, now);
        memory.addElsewhere(RespReplies.heldBytes(reply));
        return reply;
    }

    /** What a client being closed for its memory gets instead of a reply (it is closed before it reads it). */
    private static final RedisMessage CLIENT_CLOSING = new io.netty.handler.codec.redis.ErrorRedisMessage(
            "ERR client closed: over its part of maxmemory-clients");

    /** {@link #execute} for a tracking client's command: its change is its own (NOLOOP), a read's key is remembered for it. */
    private RedisMessage executeTracked(KeyspaceShard state, int db, byte[][] argv, int step, TrackedCommand tracked, long now) {
        return state.tracking().run(tracked, () -> execute(state, db, argv, step, now));
    }

    /**
     * {@link #execute} for a write of a source that must be obeyed (a replayed feed: Redis's {@code mustObeyClient}):
     * not bounded by proto-max-bulk-len. Apart from {@link #execute}, whose size the JIT inlines on a client's path.
     */
    private RedisMessage executeObeyed(KeyspaceShard state, int db, byte[][] argv, int step, long now) {
        io.percore.demo.kv.Databases databases = state.databases();
        databases.obeying(true);
        try {
            return execute(state, db, argv, step, now);
        } finally {
            databases.obeying(false);
        }
    }

    /**
     * Runs the command as a unit of the owner's write path: if it changed the store and reported no
     * other effect, its own arguments are its effect (Redis's call() propagating {@code c->argv}).
     */
    private RedisMessage execute(KeyspaceShard state, int db, byte[][] argv, int step, long now) {
        if (!writes) {
            return read(state.store(db), state, argv, now);
        }
        ValueStore store = state.store(db);
        WritePath writes = state.writes();
        writes.begin(step);
        try {
            // One field compare on the hot path; eviction only runs when the shard is over budget.
            if (denyOom && !store.makeRoom(now)) {
                return RespReplies.OOM_REPLY;
            }
            return command.execute(store, argv, now);
        } catch (RespError e) {
            return e.reply();
        } catch (WrongTypeException | OutOfBudgetException e) {
            return RespReplies.forFailure(e);
        } finally {
            // reports the change, then serves clients blocked on a list it created: after the
            // reply's value was made, before the shard's next command
            writes.end(db, argv);
        }
    }

    private RedisMessage read(ValueStore store, KeyspaceShard state, byte[][] argv, long now) {
        long dirty = state.databases().dirty();
        try {
            return command.execute(store, argv, now);
        } catch (RespError e) {
            return e.reply();
        } catch (WrongTypeException | OutOfBudgetException e) {
            return RespReplies.forFailure(e);
        } finally {
            state.writes().readDone(dirty); // a command flagged read-only that wrote is a defect (the tests fail on it)
        }
    }
}
