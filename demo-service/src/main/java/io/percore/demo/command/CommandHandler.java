package io.percore.demo.command;

/** Executes one command for a connection; replies through its context (now or later, in order). */
@FunctionalInterface
public interface CommandHandler {

    /** @throws RespError for an immediate error reply */
    void handle(CommandContext context, byte[][] argv);

    /** A handler running {@code command} on the shard that owns {@code argv[1]}. */
    static CommandHandler keyed(KeyCommand command) {
        return new OnKeyOwner(command);
    }

    /**
     * {@code handler}, a multi-key command atomic across shards by itself ({@link AtomicParts}, or
     * needing no atomicity: WATCH), so the connection does not run it as a transaction of its own.
     */
    static CommandHandler atomicOnItsOwn(CommandHandler handler) {
        return new AtomicOnItsOwn(handler);
    }

    /** See {@link #atomicOnItsOwn}. */
    record AtomicOnItsOwn(CommandHandler handler) implements CommandHandler {
        @Override
        public void handle(CommandContext context, byte[][] argv) {
            handler.handle(context, argv);
        }
    }
}
