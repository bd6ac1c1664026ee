package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
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

    OnKeyOwner(KeyCommand command) {
        this.command = command;
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
        try {
            return command.execute(store, argv, System.currentTimeMillis());
        } catch (RespError e) {
            return e.reply();
        } catch (WrongTypeException e) {
            return RespReplies.forFailure(e);
        }
    }
}
