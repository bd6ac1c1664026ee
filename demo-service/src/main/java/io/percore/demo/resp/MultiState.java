package io.percore.demo.resp;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's MULTI state (Redis's {@code multiState}): the commands queued since MULTI, and
 * whether one of them was rejected while queuing, which makes EXEC answer EXECABORT.
 * Shard-confined, like the session that holds it.
 */
final class MultiState {

    /** One queued command: its table entry and its arguments. */
    record Queued(CommandSpec spec, byte[][] argv) {
    }

    private final List<Queued> commands = new ArrayList<>();
    private boolean rejectedWhileQueuing;

    void queue(CommandSpec spec, byte[][] argv) {
        commands.add(new Queued(spec, argv));
    }

    /** A command was refused while queuing (unknown, wrong arity, not allowed): EXEC must abort. */
    void rejectOne() {
        rejectedWhileQueuing = true;
    }

    boolean aborted() {
        return rejectedWhileQueuing;
    }

    List<Queued> commands() {
        return commands;
    }
}
