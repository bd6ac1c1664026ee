package io.percore.demo.resp;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;

/**
 * An error reply already counted in INFO errorstats where it arose, so the client that reads it counts only
 * its command's failure (Redis's {@code ERR_REPLY_FLAG_NO_STATS_UPDATE}): a script that ends with the error
 * one of its {@code redis.call}s raised or returned, which was counted when that call failed or was refused.
 * Written as the error it holds.
 */
public record CountedError(ErrorRedisMessage error) implements RedisMessage {

    /** Whether {@code reply} is an error reply, counted already or not. */
    public static boolean isError(RedisMessage reply) {
        return reply instanceof ErrorRedisMessage || reply instanceof CountedError;
    }
}
