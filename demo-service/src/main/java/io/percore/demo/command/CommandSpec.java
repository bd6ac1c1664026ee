package io.percore.demo.command;

import java.util.List;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * A command's name and the metadata Redis publishes in COMMAND: arity (positive = exact,
 * negative = at least), flags, key positions (first, last, step; 0 = no keys, last -1 = to the
 * end) and its group, plus the handler. Commands whose keys follow a count in their arguments
 * (SINTERCARD, ZUNIONSTORE, LMPOP, ...) have a {@link KeyFinder} instead (Redis's key specs with
 * {@code keynum} find_keys), so their keys are known too: a transaction reserves the shards that
 * own them, and COMMAND GETKEYS lists them.
 */
public record CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                          String group, String summary, CommandHandler handler, KeyFinder keyFinder) {

    /** Finds the argument positions of the keys of one call of a command (Redis's getKeysFromCommand). */
    @FunctionalInterface
    public interface KeyFinder {

        /**
         * @return the positions in {@code argv} that hold keys, in argument order
         * @throws RespError when the arguments that locate the keys are invalid (a bad numkeys)
         */
        int[] keyIndices(byte[][] argv);

        /**
         * Whether this call also reaches keys that no argument names (SORT's BY and GET patterns
         * name keys built from the sorted elements): a transaction running it must hold every
         * shard, since which shards those keys live on is known only while it runs.
         */
        default boolean readsUnnamedKeys(byte[][] argv) {
            return false;
        }

        /**
         * Keys after a count: {@code argv[countAt]} keys start at {@code countAt + 1}, after the
         * {@code leading} fixed key positions (ZUNIONSTORE's destination). The count must be
         * positive and within the arguments, with Redis's error text otherwise.
         */
        static KeyFinder counted(int countAt, int... leading) {
            return argv -> {
                if (argv.length <= countAt) {
                    throw new RespError(RespReplies.SYNTAX_ERROR);
                }
                long n = RespNumbers.requireLong(argv[countAt]);
                if (n <= 0) {
                    throw new RespError("ERR numkeys should be greater than 0");
                }
                if (n > argv.length - countAt - 1) {
                    throw new RespError("ERR Number of keys can't be greater than number of args");
                }
                int[] keys = new int[leading.length + (int) n];
                System.arraycopy(leading, 0, keys, 0, leading.length);
                for (int i = 0; i < n; i++) {
                    keys[leading.length + i] = countAt + 1 + i;
                }
                return keys;
            };
        }
    }

    public CommandSpec(String name, int arity, List<String> flags, int firstKey, int lastKey, int step,
                       String group, String summary, CommandHandler handler) {
        this(name, arity, flags, firstKey, lastKey, step, group, summary, handler, null);
    }

    /** This command with its keys found by {@code finder} (commands whose keys follow a count). */
    public CommandSpec withKeys(KeyFinder finder) {
        return new CommandSpec(name, arity, flags, firstKey, lastKey, step, group, summary, handler, finder);
    }

    public boolean noAuth() {
        return flags.contains("no_auth");
    }

    /** Whether the keys of a call are known from the arguments (first/last/step or a {@link KeyFinder}). */
    public boolean hasKeys() {
        return firstKey > 0 || keyFinder != null;
    }

    /**
     * The positions of the keys in {@code argv} (arity already checked), in argument order; empty
     * when the command takes no keys.
     *
     * @throws RespError when a key count in the arguments is invalid
     */
    public int[] keyIndices(byte[][] argv) {
        if (keyFinder != null) {
            return keyFinder.keyIndices(argv);
        }
        if (firstKey <= 0 || firstKey >= argv.length) {
            return new int[0];
        }
        int last = lastKey < 0 ? argv.length + lastKey : Math.min(lastKey, argv.length - 1);
        if (last < firstKey) {
            return new int[0];
        }
        int[] keys = new int[(last - firstKey) / step + 1];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = firstKey + i * step;
        }
        return keys;
    }

    /**
     * {@link #keyIndices}, or null when a key count in the arguments is invalid: the caller leaves
     * the command to answer its own error where it runs.
     */
    public int[] keyIndicesOrNull(byte[][] argv) {
        try {
            return keyIndices(argv);
        } catch (RespError e) {
            return null;
        }
    }
}
