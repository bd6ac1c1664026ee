package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.WrongTypeException;
import io.percore.demo.shard.Keyspace;

/**
 * Runs a single-key command on the shard owning {@code argv[1]}: inline when that is this shard
 * (the hot path: no allocation beyond the command's reply), else through {@link Keyspace#invokeOn},
 * the reply taking its place in the connection's order.
 */
final class OnKeyOwner implements CommandHandler {

    private final KeyCommand command;
    /** Redis's {@code denyoom} flag: the command may grow memory, so the owner's budget is enforced first. */
    private final boolean denyOom;

    OnKeyOwner(KeyCommand command) {
        this(command, false);
    }

    private OnKeyOwner(KeyCommand command, boolean denyOom) {
        this.command = command;
        this.denyOom = denyOom;
    }

    /** The same command, refused with {@code -OOM} when the owning shard is over budget and cannot evict. */
    OnKeyOwner denyingOom() {
        return new OnKeyOwner(command, true);
    }

    @Override
    public void handle(CommandContext c, byte[][] argv) {
        Keyspace keyspace = c.keyspace();
        int owner = keyspace.shardOf(argv[1]);
        if (owner == c.shard().id()) {
            c.reply(execute(c.local().store(), argv));
            return;
        }
        c.replyLater(keyspace.invokeOn(owner, state -> execute(state.store(), argv)));
    }

    private RedisMessage execute(ValueStore store, byte[][] argv) {
        long now = System.currentTimeMillis();
        // One field compare on the hot path; eviction only runs when the shard is over budget.
        if (denyOom && store.overBudget() && !store.makeRoom(now)) {
            return RespReplies.OOM_REPLY;
        }
        try {
            RedisMessage reply = command.execute(store, argv, now);
            store.commandDone(); // serves clients blocked on a list it created: after the reply's value, before the next command
            return reply;
        } catch (RespError e) {
            return e.reply();
        } catch (WrongTypeException | OutOfBudgetException e) {
            return RespReplies.forFailure(e);
        }
    }
}
