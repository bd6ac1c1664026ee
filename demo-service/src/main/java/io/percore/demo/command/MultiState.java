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

    /** Whether a queued call may write (Redis's {@code mstate.cmd_flags}): CLIENT PAUSE WRITE holds such an EXEC. */
    private boolean mayWrite;

    /** Heap bytes a queued command's arguments cost besides their contents (arrays, the record). */
    static final long PER_COMMAND_OVERHEAD = 48;
    static final long PER_ARGUMENT_OVERHEAD = 24;

    private final List<Queued> commands = new ArrayList<>();
    private boolean rejectedWhileQueuing;
    private long queuedBytes;

    /** Queues command {@code id}; {@code mayWrite}: this call of it may write ({@link CommandTable#mayWrite(int, CommandContext, byte[][])}). */
    public void queue(int id, CommandSpec spec, byte[][] argv, boolean mayWrite) {
        commands.add(new Queued(id, spec, argv));
        this.mayWrite |= mayWrite;
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

    /** Whether a queued call may write (CLIENT PAUSE WRITE holds such an EXEC, as Redis's may-replicate check). */
    public boolean mayWrite() {
        return mayWrite;
    }
}
