package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.ShardKeyspace;

/** A command on one key (argv[1]), run on the shard that owns the key. */
@FunctionalInterface
public interface KeyCommand {

    /**
     * @param argv the whole command, name first (arity already checked)
     * @param now  the command's clock, epoch millis
     * @throws RespError for an error reply
     */
    RedisMessage execute(ShardKeyspace keyspace, byte[][] argv, long now);
}
