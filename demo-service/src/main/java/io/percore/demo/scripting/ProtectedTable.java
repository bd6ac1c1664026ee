package io.percore.demo.scripting;

import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;

/**
 * A Lua table scripts may read and never change once {@link #lock()}ed: Redis 7's read-only tables
 * ({@code lua_enablereadonlytable}, a patch of its Lua), which protect the libraries ({@code redis},
 * {@code string}, {@code cjson}, ...) and their metatables, so one script cannot change what the
 * next one runs. Every way LuaJ changes a table goes through these overrides: assignment,
 * {@code rawset}, {@code table.insert/remove/sort} and {@code setmetatable}.
 */
class ProtectedTable extends LuaTable {

    static final String READONLY = "Attempt to modify a readonly table";

    private boolean locked;

    void lock() {
        locked = true;
    }

    void unlock() {
        locked = false;
    }

    boolean locked() {
        return locked;
    }

    private void check() {
        if (locked) {
            throw new LuaError(READONLY);
        }
    }

    @Override
    public void rawset(int key, LuaValue value) {
        check();
        super.rawset(key, value);
    }

    @Override
    public void rawset(LuaValue key, LuaValue value) {
        check();
        super.rawset(key, value);
    }

    @Override
    public LuaValue setmetatable(LuaValue metatable) {
        if (locked) {
            throw new UnplacedLuaError(READONLY);
        }
        return super.setmetatable(metatable);
    }

    @Override
    public void insert(int pos, LuaValue value) {
        check();
        super.insert(pos, value);
    }

    @Override
    public LuaValue remove(int pos) {
        check();
        return super.remove(pos);
    }

    @Override
    public void sort(LuaValue comparator) {
        check();
        super.sort(comparator);
    }

    /**
     * An error PUC Lua raises inside a C function ({@code setmetatable}, {@code rawset}): its message
     * has no {@code user_script:N:} in front (the client's reply still says where the script was).
     */
    static class UnplacedLuaError extends LuaError {
        private static final long serialVersionUID = 1L;

        UnplacedLuaError(String message) {
            super(message);
        }
    }
}
