package io.percore.demo.command;

import java.util.ArrayList;
import java.util.List;

/**
 * A connection's MULTI state (Redis's {@code multiState}): the commands queued since MULTI, and
 * whether one of them was rejected while queuing, which makes EXEC answer EXECABORT.
 * Shard-confined, like the session that holds it.
 */
public final class MultiState {

    /** One queued command: its table entry (and its id there, for its INFO figures) and its arguments. */
    public record Queued(int id, CommandSpec spec, byte[][] argv) {
    }

    /** Heap bytes a queued command's arguments cost besides their contents (arrays, the record). */
    static final long PER_COMMAND_OVERHEAD = 48;
    static final long PER_ARGUMENT_OVERHEAD = 24;

    private final List<Queued> commands = new ArrayList<>();
    private boolean rejectedWhileQueuing;
    private long queuedBytes;

    /** Queues a command whose table id is not known (-1: it is looked up when EXEC counts it). */
    public void queue(CommandSpec spec, byte[][] argv) {
        queue(-1, spec, argv);
    }

    public void queue(int id, CommandSpec spec, byte[][] argv) {
        commands.add(new Queued(id, spec, argv));
        queuedBytes += bytesOf(argv);
    }

    /** What the queue holds, counted like stored values (Redis counts a client's queued commands in used_memory). */
    public long queuedBytes() {
        return queuedBytes;
    }

    public static long bytesOf(byte[][] argv) {
        long bytes = PER_COMMAND_OVERHEAD;
        for (byte[] arg : argv) {
            bytes += PER_ARGUMENT_OVERHEAD + arg.length;
        }
        return bytes;
    }

    /** A command was refused while queuing (unknown, wrong arity, not allowed): EXEC must abort. */
    public void rejectOne() {
        rejectedWhileQueuing = true;
    }

    public boolean aborted() {
        return rejectedWhileQueuing;
    }

    public List<Queued> commands() {
        return commands;
    }

    /** Whether a queued command may write (CLIENT PAUSE WRITE holds such an EXEC, as Redis's may-replicate check). */
    public boolean mayWrite(CommandTable table) {
        for (Queued q : commands) {
            int id = q.id() >= 0 ? q.id() : table.idOf(q.spec());
            if (id >= 0 && table.mayWrite(id)) {
                return true;
            }
        }
        return false;
    }
}
