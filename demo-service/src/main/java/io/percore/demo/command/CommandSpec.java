package io.percore.demo.command;

import java.util.List;

/**
 * A command as the code declares it: name, arity (positive = exact, negative = at least), flags, the legacy key
 * positions Redis publishes in COMMAND (first, last, step; 0 = no keys, last -1 = to the end), group, summary and
 * handler. Where a call's keys are is the registry's to say ({@link CommandTable#keyPositions}, from Redis's key
 * specifications, or from these positions for this server's own commands), never the declaration's; a declaration says
 * only when a call reaches keys no argument names ({@link UnnamedKeys}: SORT's patterns).
 */
public record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                          String group, String summary, CommandHandler handler, UnnamedKeys unnamedKeys) {

    /**
     * Whether a call reaches keys that its arguments do not name where the key specifications find them: SORT's BY and
     * GET patterns (keys built from the sorted elements), a GEORADIUS naming several destinations (the last one wins).
     * Whoever holds a call's shards holds them all for such a call, since which it touches is known only as it runs.
     */
    @FunctionalInterface
    public interface UnnamedKeys {
        boolean reachedBy(byte[][] argv);
    }

    public CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                       String group, String summary, CommandHandler handler) {
        this(name, arity, flags, firstKey, lastKey, step, group, summary, handler, null);
    }

    /** This command, whose calls may reach keys no argument names ({@link UnnamedKeys}). */
    public CommandSpec withUnnamedKeys(UnnamedKeys unnamed) {
        return new CommandSpec(name, arity, flags, firstKey, lastKey, step, group, summary, handler, unnamed);
    }

    public boolean noAuth() {
        return flags.contains("no_auth");
    }
}
