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
}
