package io.percore.demo.execution;

import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.resp.RespError;

/**
 * How one caller goes through {@link CommandCall#call}, the one way into the command table: which of
 * {@code processCommand}'s checks apply to it, how it words and answers a refusal, whether it keeps a
 * command for later, how the command runs and what follows it. A client's connection, a script's
 * {@code redis.call}, EXEC's queue and a replayed feed (the append-only file, a primary's stream) differ
 * only here; the lookup, the order of the steps, the count of a refused command and the way it runs are
 * {@link CommandCall}'s. Every method is called on the caller's shard, for the command {@code c} sends.
 */
public interface CallPolicy {

    /** How the command runs once admitted. */
    enum Run {
        /**
         * On its keys' shard, or, when they lie on several, as a transaction of its own holding them
         * ({@link AcrossShards#runAlone}); refused {@code -BUSY} while a script is busy, as EXEC (a client's).
         */
        ALONE_UNLESS_BUSY,
        /** As {@link #ALONE_UNLESS_BUSY}, but waiting for a busy script's end (a feed that must be obeyed). */
        ALONE_WAITING,
        /** By its handler as it is: the caller already holds every shard it may touch (EXEC's queue, a script). */
        HELD
    }

    /**
     * The lookup's refusal of {@code argv}: an unknown command ({@link CommandTable#NO_COMMAND}) or subcommand
     * ({@link CommandTable#NO_SUBCOMMAND}), or a known {@code id} given the wrong number of arguments. Redis's
     * texts ({@link CommandCall#lookupRefusal}) unless the caller words them its own way (a script).
     */
    default RespError lookupRefusal(CommandTable commands, int id, byte[][] argv) {
        return CommandCall.lookupRefusal(commands, id, argv);
    }

    /**
     * The checks after the lookup's that apply to this caller, in Redis's order for it (a client's
     * authentication, ACL, the subsystems' admission stages; a script's {@code scriptCall} checks; EXEC's
     * ACL recheck): the first refusal, or null when command {@code id} may go on.
     */
    RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv);

    /**
     * Whether a refused command counts in INFO commandstats' {@code rejected_calls}: a command refused by
     * {@code processCommand} or a script's {@code scriptCall} does; one EXEC refuses after the ACL changed
     * since it was queued does not (Redis's {@code execCommand} only answers the error).
     */
    default boolean countsRejected() {
        return true;
    }

    /**
     * Command {@code id} (negative: not found) was refused; {@link CommandCall} counted it where it counts
     * (INFO commandstats' {@code rejected_calls}). The caller answers it its way: a reply, an error for the
     * script, a log line.
     */
    void refused(CommandContext c, int id, byte[][] argv, RespError error);

    /**
     * Whether the caller keeps the admitted command instead of running it now (a CLIENT PAUSE holds it,
     * MULTI queues it); it then runs later through {@link CommandCall#call} again, or at EXEC.
     */
    default boolean keeps(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        return false;
    }

    /** How the admitted command runs. */
    Run run();

    /** Command {@code id} is about to run. */
    default void begin(CommandContext c, int id, byte[][] argv) {
    }

    /**
     * Command {@code id}'s handler returned (its reply given, or a slot reserved for it). The report of its
     * time and outcome ({@link CommandCall#report}) comes when its reply is known: here for a caller whose
     * replies come at once, when the slot completes for the others.
     */
    default void ran(CommandContext c, int id, byte[][] argv) {
    }
}
