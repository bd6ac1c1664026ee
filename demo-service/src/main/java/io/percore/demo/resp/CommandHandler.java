package io.percore.demo.resp;

/** Executes one command for a connection; replies through the connection (now or later, in order). */
@FunctionalInterface
public interface CommandHandler {

    /** @throws RespError for an immediate error reply */
    void handle(RespConnection connection, byte[][] argv);

    /** A handler running {@code command} on the shard that owns {@code argv[1]}. */
    static CommandHandler keyed(KeyCommand command) {
        return (connection, argv) -> connection.runKeyed(argv, command);
    }
}
