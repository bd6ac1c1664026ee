package io.percore.demo.scripting;

/**
 * Ends a running script at once, past the script's own {@code pcall}: a kill ({@code SCRIPT KILL},
 * {@code FUNCTION KILL}, shutdown). LuaJ's {@code pcall} catches every {@link Exception}, so this is
 * an {@link Error}, as {@code ThreadDeath} is; it never leaves the script runner.
 */
final class ScriptAbort extends Error {

    private static final long serialVersionUID = 1L;

    ScriptAbort(String message) {
        super(message, null, false, false);
    }
}
