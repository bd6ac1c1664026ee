package io.percore.demo.command;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ValueStore;

/** A command on one key (argv[1]), run on the shard that owns the key, over that shard's value store. */
@FunctionalInterface
public interface KeyCommand {

    /**
     * @param argv the whole command, name first (arity already checked)
     * @param now  the command's clock, epoch millis
     * @throws RespError for an error reply
     * @throws io.percore.demo.kv.WrongTypeException when the key holds another type
     */
    RedisMessage execute(ValueStore store, byte[][] argv, long now);
}
