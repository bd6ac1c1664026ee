package io.percore.demo.command;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardState;
import io.percore.demo.shard.WritePath;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * Runs a single-key command on the shard owning {@code argv[1]}: inline when that is this shard
 * (the hot path: no allocation beyond the command's reply), else through {@link Keyspace#invokeOn},
 * the reply taking its place in the connection's order.
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

    public OnKeyOwner(KeyCommand command) {
        this(command, false, true);
    }

    private OnKeyOwner(KeyCommand command, boolean denyOom, boolean writes) {
        this.command = command;
        this.denyOom = denyOom;
        this.writes = writes;
    }

    /** The same command, refused with {@code -OOM} when the owning shard is over budget and cannot evict. */
    public OnKeyOwner denyingOom() {
        return new OnKeyOwner(command, true, writes);
    }

    /** The same command known to only read (no {@code write} flag): it runs without a unit of the write path. */
    public OnKeyOwner readOnly() {
        return new OnKeyOwner(command, denyOom, false);
    }

    @Override
    public void handle(CommandContext c, byte[][] argv) {
        Keyspace keyspace = c.keyspace();
        int owner = keyspace.shardOf(argv[1]);
        if (owner == c.shard().id()) {
            c.reply(execute(c.local(), argv, keyspace.step()));
            return;
        }
        int step = keyspace.step();
        c.replyLater(keyspace.invokeOn(owner, state -> execute(state, argv, step)));
    }

    /**
     * Runs the command as a unit of the owner's write path: if it changed the store and reported no
     * other effect, its own arguments are its effect (Redis's call() propagating {@code c->argv}).
     */
    private RedisMessage execute(ShardState state, byte[][] argv, int step) {
        if (!writes) {
            return read(state, argv);
        }
        ValueStore store = state.store();
        WritePath writes = state.writes();
        long now = System.currentTimeMillis();
        writes.begin(step);
        try {
            // One field compare on the hot path; eviction only runs when the shard is over budget.
            if (denyOom && store.overBudget() && !store.makeRoom(now)) {
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
            writes.end(argv);
        }
    }

    private RedisMessage read(ShardState state, byte[][] argv) {
        ValueStore store = state.store();
        long dirty = store.dirty();
        try {
            return command.execute(store, argv, System.currentTimeMillis());
        } catch (RespError e) {
            return e.reply();
        } catch (WrongTypeException | OutOfBudgetException e) {
            return RespReplies.forFailure(e);
        } finally {
            state.writes().readDone(dirty); // a command flagged read-only that wrote is a defect (the tests fail on it)
        }
    }
}
