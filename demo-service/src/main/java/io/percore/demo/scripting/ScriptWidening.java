package io.percore.demo.scripting;

/**
 * Ends a script's run that touched a key on a shard it does not hold before it had any effect, so
 * that it runs again holding every shard (see {@code ScriptShard.WIDEN}). An {@link Error}, as
 * {@link ScriptAbort} is, so that neither the script's {@code pcall} nor {@code redis.pcall} can
 * catch it; it never leaves the script runner.
 */
final class ScriptWidening extends Error {

    private static final long serialVersionUID = 1L;

    ScriptWidening() {
        super("script touched a key on a shard it does not hold", null, false, false);
    }
}
