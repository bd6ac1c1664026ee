package io.percore.demo.scripting;

import java.nio.charset.StandardCharsets;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * Argument checks for the libraries Redis's Lua has in C (cjson, cmsgpack, struct, bit), with the
 * texts of Lua 5.1's {@code luaL_check*}: {@code bad argument #2 to 'pack' (number expected, got
 * nil)}. The function's name is the one the script called it by (the field name), or {@code ?}
 * when another function (pcall) called it, as {@code luaL_argerror} finds it. Numbers are taken
 * from numeric strings and strings from numbers, as {@code lua_tonumber} and {@code lua_tolstring}
 * convert them.
 */
final class CArgs {

    private final LuaRuntime runtime;
    private final LuaValue function;
    private final Varargs args;

    /** A library function's body, given its arguments. */
    interface Body {
        Varargs call(CArgs args);
    }

    /** A library function of {@code runtime} running {@code body}, its errors placed as Lua 5.1 places a C function's. */
    static VarArgFunction function(LuaRuntime runtime, Body body) {
        return new VarArgFunction() {
            @Override
            public Varargs invoke(Varargs varargs) {
                CArgs args = new CArgs(runtime, this, varargs);
                try {
                    return body.call(args);
                } catch (LuaError e) {
                    throw args.placed(e);
                }
            }
        };
    }

    /** The arguments {@code args} of {@code function}, a library function of {@code runtime}. */
    CArgs(LuaRuntime runtime, LuaValue function, Varargs args) {
        this.runtime = runtime;
        this.function = function;
        this.args = args;
    }

    int count() {
        return args.narg();
    }

    LuaValue get(int i) {
        return args.arg(i);
    }

    boolean isNoneOrNil(int i) {
        return i > args.narg() || args.arg(i).isnil();
    }

    /** {@code bad argument #arg to 'name' (message)}. */
    LuaError error(int arg, String message) {
        String name = runtime == null ? null : runtime.watchdog.calledAs(function);
        return new LuaError("bad argument #" + arg + " to '" + (name == null ? "?" : name) + "' (" + message + ")");
    }

    /**
     * An error the function raises, placed as Lua 5.1 places a C function's error: at the script's
     * line when a script instruction called it. LuaJ adds that position itself when the error
     * leaves a script frame; a tail call's frame is gone by then, so the position is written here.
     */
    LuaError placed(LuaError e) {
        if (runtime == null || e instanceof ProtectedTable.UnplacedLuaError || e.getMessageObject().istable()
                || !runtime.watchdog.tailCalled(function)) {
            return e;
        }
        String[] where = runtime.watchdog.lastPosition();
        return new PlacedLuaError(e.getMessage(), where[0] + ":" + where[1]);
    }

    /** An error whose position is given, in LuaJ's form ({@code chunk:line message}), which LuaJ's frames leave as it is. */
    private static final class PlacedLuaError extends LuaError {
        private static final long serialVersionUID = 1L;

        PlacedLuaError(String message, String position) {
            super(message);
            this.fileline = position;
            this.traceback = position + " " + message;
        }
    }

    LuaError typeError(int arg, String expected) {
        return error(arg, expected + " expected, got " + typeName(arg));
    }

    /** Lua 5.1's name of argument {@code i}'s type ({@code no value} past the last one; cjson.null is a userdata). */
    String typeName(int i) {
        if (i > args.narg()) {
            return "no value";
        }
        return typeName(args.arg(i));
    }

    static String typeName(LuaValue v) {
        return switch (v.type()) {
            case LuaValue.TNIL -> "nil";
            case LuaValue.TBOOLEAN -> "boolean";
            case LuaValue.TNUMBER -> "number";
            case LuaValue.TSTRING -> "string";
            case LuaValue.TTABLE -> "table";
            case LuaValue.TFUNCTION -> "function";
            case LuaValue.TTHREAD -> "thread";
            default -> "userdata";
        };
    }

    /** {@code luaL_checknumber}. */
    double number(int i) {
        Double d = toNumber(args.arg(i));
        if (d == null || i > args.narg()) {
            throw typeError(i, "number");
        }
        return d;
    }

    /** {@code luaL_checkinteger}: the number truncated, as C's cast. */
    long integer(int i) {
        return (long) number(i);
    }

    /** {@code luaL_optinteger}. */
    long optInteger(int i, long otherwise) {
        return isNoneOrNil(i) ? otherwise : integer(i);
    }

    /** {@code luaL_checklstring}. */
    LuaString string(int i) {
        LuaValue v = args.arg(i);
        if (i <= args.narg() && v.type() == LuaValue.TSTRING) {
            return (LuaString) v;
        }
        if (i <= args.narg() && v.type() == LuaValue.TNUMBER) {
            return LuaString.valueOf(LuaNumbers.format(v.todouble()).getBytes(StandardCharsets.US_ASCII));
        }
        throw typeError(i, "string");
    }

    /** {@code luaL_checkoption}: the index of the argument's name in {@code options}. */
    int option(int i, String[] options) {
        String name = ScriptErrors.text(string(i));
        for (int k = 0; k < options.length; k++) {
            if (options[k].equals(name)) {
                return k;
            }
        }
        throw error(i, "invalid option '" + name + "'");
    }

    /** {@code lua_tonumber}: a number, a numeric string's value, else null. */
    static Double toNumber(LuaValue v) {
        if (v.type() == LuaValue.TNUMBER) {
            return v.todouble();
        }
        if (v.type() == LuaValue.TSTRING) {
            return LuaNumbers.parse(ScriptErrors.text(v));
        }
        return null;
    }
}
