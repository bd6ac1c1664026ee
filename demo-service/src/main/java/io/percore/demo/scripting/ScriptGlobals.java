package io.percore.demo.scripting;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * A shard's Lua globals, which are also every script's environment: read-only once locked, as
 * Redis 7 locks {@code _G} (a script cannot create or change a global; EVAL's {@code KEYS} and
 * {@code ARGV} are set between runs with the lock open). It must be LuaJ's {@link Globals}: a
 * closure counts instructions for the watchdog only when its environment is one.
 */
final class ScriptGlobals extends Globals {

    private boolean locked;

    void lock() {
        locked = true;
    }

    void unlock() {
        locked = false;
    }

    private void check() {
        if (locked) {
            throw new LuaError(ProtectedTable.READONLY);
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
            throw new ProtectedTable.UnplacedLuaError(ProtectedTable.READONLY);
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
}
