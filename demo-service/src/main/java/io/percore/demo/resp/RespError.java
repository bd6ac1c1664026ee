package io.percore.demo.resp;

import io.netty.handler.codec.redis.ErrorRedisMessage;

/**
 * A command failed with a Redis error reply. Thrown from argument parsing deep inside a command
 * and turned into the reply by the dispatcher; no stack trace, as it is an expected outcome.
 */
public final class RespError extends RuntimeException {

    private final ErrorRedisMessage reply;

    public RespError(String text) {
        super(text, null, false, false);
        this.reply = new ErrorRedisMessage(text);
    }

    public ErrorRedisMessage reply() {
        return reply;
    }
}
