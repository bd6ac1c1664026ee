package io.percore.demo.scripting;

/**
 * Lua's memory error ({@code LUA_ERRMEM}): a script's Lua heap went past its shard's bound. As in
 * PUC Lua its message is {@code not enough memory}, with no position; a script's {@code pcall} can
 * catch it (and is stopped again if it keeps what it allocated); uncaught, the client reads Redis's
 * {@code ERR Error running script <sha>, not enough memory}.
 */
final class LuaMemoryError extends ProtectedTable.UnplacedLuaError {

    private static final long serialVersionUID = 1L;

    static final String MESSAGE = "not enough memory";

    LuaMemoryError() {
        super(MESSAGE);
    }
}
