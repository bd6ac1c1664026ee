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

    /**
     * {@code handler}, whose calls may or may not write by their arguments ({@code mayWrite}): Redis's
     * {@code getCommandFlags} for EVAL, EVALSHA and FCALL, whose script's shebang or function's flags say it
     * (a {@code no-writes} script is not held by CLIENT PAUSE WRITE).
     */
    static CommandHandler writingByCall(CommandHandler handler, WritesByCall.Test mayWrite) {
        return new WritesByCall(handler, mayWrite);
    }

    /** See {@link #writingByCall}. */
    record WritesByCall(CommandHandler handler, Test mayWrite) implements CommandHandler {
        /** Whether a call with {@code argv} from {@code c} may write. */
        @FunctionalInterface
        public interface Test {
            boolean mayWrite(CommandContext c, byte[][] argv);
        }

        @Override
        public void handle(CommandContext context, byte[][] argv) {
            handler.handle(context, argv);
        }
    }

    /** See {@link #atomicOnItsOwn}. */
    record AtomicOnItsOwn(CommandHandler handler) implements CommandHandler {
        @Override
        public void handle(CommandContext context, byte[][] argv) {
            handler.handle(context, argv);
        }
    }
}
