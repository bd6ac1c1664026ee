package io.percore.demo.resp;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.shard.BlockedClients;
import io.percore.demo.shard.BlockingPop;
import java.util.List;

/**
 * The connection's side of a blocking command (Redis's {@code blockForKeys} from a command): the
 * reply keeps its place in the connection's order and the connection's later commands wait, as
 * Redis stops reading a blocked client, while the shard's {@link BlockedClients} runs the command.
 */
final class BlockingCommands {

    /** A deadline further away counts as none: a timer's delay is nanoseconds in a long (292 years). */
    private static final long MAX_TIMER_MILLIS = 100L * 365 * 24 * 3600 * 1000;

    private BlockingCommands() {
    }

    /**
     * Takes with {@code pop} from the first of {@code keys} that has data, or waits for one up to
     * {@code timeoutMillis} ({@link BlockingTimeout#FOREVER}: no limit).
     *
     * @param mayBlock false runs the command without blocking (LMPOP); inside a transaction
     *                 ({@link CommandContext#mayBlock()}) every blocking command runs so, as Redis's
     *                 CLIENT_DENY_BLOCKING does
     */
    static void pop(CommandContext c, List<byte[]> keys, BlockingPop pop, long timeoutMillis, boolean mayBlock) {
        long now = System.currentTimeMillis();
        long deadline = BlockedClients.FOREVER;
        if (c.draining()) {
            deadline = now; // the server stops: nothing to wait for, answered as timed out
        } else if (timeoutMillis != BlockingTimeout.FOREVER && timeoutMillis < MAX_TIMER_MILLIS) {
            deadline = now + timeoutMillis;
        } // a deadline centuries away (Redis's own overflows) is no deadline
        CommandContext.PendingReply slot = c.reserve();
        boolean blocks = mayBlock && c.mayBlock();
        Answer answer = new Answer(c, slot, blocks);
        c.local().blockedClients().block(c.keyspace(), c.session().id(), keys, pop, deadline, blocks, answer::accept);
        answer.returned = true;
        if (!answer.answered) {
            c.beginBarrier();
            // CLIENT LIST's flag b, INFO's blocked clients' connection, no idle timeout meanwhile
            c.session().blocked = blocks;
        }
    }

    /**
     * Fills the reply slot. An answer found at once (keys on this shard with data) needs no barrier:
     * raising one would make each pipelined command run inside the previous one's release.
     */
    private static final class Answer {
        private final CommandContext c;
        private final CommandContext.PendingReply slot;
        private final boolean blocks;
        boolean returned;
        boolean answered;

        Answer(CommandContext c, CommandContext.PendingReply slot, boolean blocks) {
            this.c = c;
            this.slot = slot;
            this.blocks = blocks;
        }

        void accept(RedisMessage reply, Throwable failure) {
            answered = true;
            if (blocks) {
                c.session().blocked = false;
            }
            slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
            if (returned) {
                c.endBarrier();
            }
        }
    }
}
