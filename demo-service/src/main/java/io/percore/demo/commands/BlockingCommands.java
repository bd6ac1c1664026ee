package io.percore.demo.commands;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.shard.BlockedClients;
import io.percore.demo.shard.BlockingPop;
import io.percore.demo.shard.BlockingTries;
import io.percore.engine.ShardFuture;
import java.util.List;
import java.util.function.Supplier;
import io.percore.demo.command.CommandContext;
import io.percore.demo.resp.RespReplies;

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

    /** What a blocking command runs: its keys in argument order, its pop, its timeout ({@link BlockingTimeout#FOREVER}: none). */
    record Request(List<byte[]> keys, BlockingPop pop, long timeoutMillis) {
    }

    /**
     * Takes with {@code pop} from the first of {@code keys} that has data, or waits for one up to
     * {@code timeoutMillis} ({@link BlockingTimeout#FOREVER}: no limit).
     *
     * @param mayBlock false runs the command without blocking (LMPOP, ZMPOP); inside a transaction
     *                 ({@link CommandContext#mayBlock()}) every blocking command runs so, as Redis's
     *                 CLIENT_DENY_BLOCKING does
     */
    static void pop(CommandContext c, List<byte[]> keys, BlockingPop pop, long timeoutMillis, boolean mayBlock) {
        pop(c, c.reserve(), new Request(keys, pop, timeoutMillis), mayBlock && c.mayBlock());
    }

    /**
     * {@link #pop} into a reply slot reserved already ({@code blocks}: whether it may wait): for a
     * command that looked at its keys first and found nothing at once (XREAD BLOCK on this shard).
     */
    static void pop(CommandContext c, CommandContext.PendingReply slot, Request r, boolean blocks) {
        Answer answer = new Answer(c, slot, blocks);
        start(c, r, answer, BlockingTries.NONE, System.nanoTime());
        answer.returned = true;
        if (!answer.answered) {
            c.beginBarrier();
            // CLIENT LIST's flag b, INFO's blocked clients' connection, no idle timeout meanwhile
            c.session().blocked = blocks;
        }
    }

    /**
     * A blocking command that may grow memory on another shard (BLMOVE and BRPOPLPUSH push onto their
     * destination: Redis's {@code denyoom}). {@code admission} runs on that shard and answers null to
     * admit the command, or the reply that refuses it (-OOM when the shard is over budget and cannot
     * evict); only then are the arguments read ({@code request}), so a refusal comes before a syntax
     * error, as Redis checks memory before it runs a command. On this shard no hop is made: the
     * command runs at once, as {@link #pop}.
     */
    static void popIfAdmitted(CommandContext c, ShardFuture<RedisMessage> admission, Supplier<Request> request) {
        if (admission.isDone()) {
            RedisMessage refusal = admission.isSuccess() ? admission.getNow() : RespReplies.forFailure(admission.cause());
            if (refusal != null) {
                c.reply(refusal);
                return;
            }
            Request r = request.get();
            pop(c, r.keys(), r.pop(), r.timeoutMillis(), true);
            return;
        }
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's later commands wait from now on, as for a blocked command
        long since = System.nanoTime();
        BlockedClients blocked = c.local().blockedClients();
        // its try begins now, as it was read: a key added anywhere while the admission is away waits for its turn
        long ticket = c.mayBlock() ? blocked.beginTry(c.keyspace()) : BlockingTries.NONE;
        admission.whenComplete((refusal, failure) -> {
            Request r = null;
            try {
                if (failure != null) {
                    refusal = RespReplies.forFailure(failure);
                } else if (refusal == null) {
                    r = request.get();
                }
            } catch (RuntimeException bad) {
                refusal = RespReplies.forFailure(bad);
            }
            if (r == null) {
                blocked.endTry(ticket);
                slot.complete(refusal);
                c.endBarrier();
                return;
            }
            popHeld(c, slot, r, ticket, since);
        });
    }

    /**
     * A blocking command whose reply slot is {@code slot} and whose barrier is up (a step on another
     * shard came first: BLMOVE's admission, XREAD's read of every stream with data): runs {@code r}
     * as {@link #pop} does, the answer releasing the barrier.
     */
    static void popHeld(CommandContext c, CommandContext.PendingReply slot, Request r) {
        popHeld(c, slot, r, BlockingTries.NONE, System.nanoTime());
    }

    /** {@link #popHeld} for a command whose try began when it was read ({@code ticket}, read at {@code since}). */
    private static void popHeld(CommandContext c, CommandContext.PendingReply slot, Request r, long ticket, long since) {
        boolean blocks = c.mayBlock();
        Answer answer = new Answer(c, slot, blocks);
        answer.returned = true; // the barrier is up: the answer releases it
        if (c.memory().closing()) {
            // its connection closed (or is being closed) while the first hop was away: the connection's close
            // withdrew nothing, as nothing blocked yet, so a command blocked now would wait forever; and nothing
            // may be taken for a client that will never read it
            c.local().blockedClients().endTry(ticket);
            answer.accept(BlockedClients.TIMED_OUT, null);
            return;
        }
        try {
            start(c, r, answer, ticket, since);
        } catch (RuntimeException closing) {
            c.local().blockedClients().endTry(ticket);
            if (!answer.answered) {
                answer.accept(null, closing); // the keyspace is stopping: the slot and the barrier must not stay
            }
            return;
        }
        if (!answer.answered) {
            c.session().blocked = blocks;
        }
    }

    private static void start(CommandContext c, Request r, Answer answer, long ticket, long since) {
        long now = System.currentTimeMillis();
        long deadline = BlockedClients.FOREVER;
        if (c.draining()) {
            deadline = now; // the server stops: nothing to wait for, answered as timed out
        } else if (r.timeoutMillis() != BlockingTimeout.FOREVER && r.timeoutMillis() < MAX_TIMER_MILLIS) {
            deadline = now + r.timeoutMillis();
        } // a deadline centuries away (Redis's own overflows) is no deadline
        c.local().blockedClients().block(c.keyspace(), c.session().id(), r.keys(), r.pop(), deadline, answer.blocks, ticket, since,
                answer::accept);
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
