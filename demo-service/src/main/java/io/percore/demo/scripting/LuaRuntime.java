package io.percore.demo.scripting;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.VarArgFunction;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * One shard's Lua environment, as Redis 7.0 builds its own ({@code script_lua.c},
 * {@code luaRegisterRedisAPI}): the base library less {@code dofile}, {@code loadfile},
 * {@code print} and {@code require}, with Lua 5.1's {@code unpack}, {@code loadstring},
 * {@code getfenv}/{@code setfenv} and {@code gcinfo}; {@code table}, {@code string}, {@code math}
 * (with Redis's {@code math.random}), {@code bit}; the {@code redis} API; every library table and
 * the globals read-only, and reading a global that does not exist an error. Scripts compile to
 * closures over these globals; the watchdog counts their instructions.
 */
final class LuaRuntime {

    /** The chunk name Redis gives EVAL's scripts: errors read {@code user_script:1: ...}. */
    static final String USER_SCRIPT = "user_script";
    /** ... and function libraries' code. */
    static final String USER_FUNCTION = "user_function";

    /** One string library for every shard: LuaJ's string metatable is a JVM-wide static. */
    private static final ProtectedTable STRING = sharedStringLibrary();

    final ScriptGlobals globals = new ScriptGlobals();
    final Watchdog watchdog = new Watchdog();
    final RedisRandom random = new RedisRandom();
    /** The EVAL and FCALL running now on this shard (null between scripts): what {@code redis.*} acts on. */
    ScriptRun running;

    /** What FUNCTION LOAD runs a library's code with: only {@code redis} and its load-time API (null in EVAL's state). */
    private final ProtectedTable libraryApi;

    /** EVAL's Lua state. */
    LuaRuntime() {
        this(null);
    }

    /** A Lua state; with {@code functions}, the functions' state, whose load-time API registers into them. */
    LuaRuntime(FunctionLibraries functions) {
        LuaTable pkg = new LuaTable();
        pkg.set("loaded", new LuaTable());
        globals.set("package", pkg); // BaseLib and TableLib register themselves in package.loaded
        globals.load(new BaseLib());
        globals.load(new TableLib());
        globals.load(new JseMathLib());
        LoadState.install(globals);
        LuaC.install(globals);
        globals.debuglib = watchdog;

        for (String name : new String[] {"dofile", "loadfile", "print", "rawlen", "package", "require", "module"}) {
            globals.rawset(name, LuaValue.NIL);
        }
        globals.rawset("_VERSION", LuaValue.valueOf("Lua 5.1"));
        LuaValue table = globals.get("table");
        globals.rawset("unpack", table.get("unpack"));
        ((LuaTable) table).rawset("concat", CArgs.function(this, LuaRuntime::concat));
        globals.rawset("loadstring", new LoadString(globals));
        globals.rawset("load", new LoadString(globals));
        globals.rawset("getfenv", new GetFenv(globals));
        globals.rawset("setfenv", new SetFenv());
        globals.rawset("gcinfo", new GcInfo());
        globals.rawset("pcall", new ScriptPcall());
        globals.rawset("tostring", new ToString());
        globals.rawset("tonumber", new ToNumber());
        globals.rawset("string", STRING);

        LuaTable math = (LuaTable) globals.get("math");
        math.rawset("random", new MathRandom(this));
        math.rawset("randomseed", new MathRandomSeed(this));
        math.rawset("mod", math.get("fmod"));

        globals.rawset("redis", RedisLuaApi.table(this));
        globals.rawset("bit", LuaBit.table(this));
        globals.rawset("cjson", LuaCJson.table(this));
        globals.rawset("cmsgpack", LuaCMsgPack.table(this));
        globals.rawset("struct", LuaStruct.table(this));

        for (String library : new String[] {"table", "math", "redis", "bit", "cjson", "cmsgpack", "struct"}) {
            globals.rawset(library, protect((LuaTable) globals.get(library)));
        }
        ProtectedTable meta = new ProtectedTable();
        meta.rawset(LuaValue.INDEX, new MissingGlobal());
        meta.lock();
        globals.setmetatable(meta);
        globals.lock();
        libraryApi = functions == null ? null : libraryApi(functions);
    }

    /**
     * Redis's {@code LIBRARY_API}: {@code redis} with {@code register_function}, {@code log}, its
     * levels and the version fields, anything else a missing global (function_lua.c's load globals).
     */
    private ProtectedTable libraryApi(FunctionLibraries functions) {
        ProtectedTable redis = new ProtectedTable();
        LuaValue full = globals.rawget("redis");
        for (String field : new String[] {"log", "LOG_DEBUG", "LOG_VERBOSE", "LOG_NOTICE", "LOG_WARNING", "REDIS_VERSION", "REDIS_VERSION_NUM"}) {
            redis.rawset(field, full.rawget(field));
        }
        redis.rawset("register_function", functions.new RegisterFunction());
        redis.setmetatable(missingGlobalMeta());
        redis.lock();
        ProtectedTable api = new ProtectedTable();
        api.rawset("redis", redis);
        api.setmetatable(missingGlobalMeta());
        api.lock();
        return api;
    }

    private static ProtectedTable missingGlobalMeta() {
        ProtectedTable meta = new ProtectedTable();
        meta.rawset(LuaValue.INDEX, new MissingGlobal());
        meta.lock();
        return meta;
    }

    /**
     * A library's environment (the functions' state only): while FUNCTION LOAD runs the library's
     * code it reads the load-time API; from {@link #loaded()} on, the state's globals. Nothing can
     * be written to it, as Redis's function globals.
     */
    final class LibraryEnvironment {
        private final ScriptGlobals env = new ScriptGlobals();
        private final ProtectedTable meta = new ProtectedTable();

        LibraryEnvironment() {
            env.debuglib = watchdog; // the library's closures count their instructions for the watchdog
            meta.rawset(LuaValue.INDEX, libraryApi);
            env.setmetatable(meta);
            env.lock();
        }

        ScriptGlobals globals() {
            return env;
        }

        void loaded() {
            meta.unlock();
            meta.rawset(LuaValue.INDEX, globals);
            meta.lock();
        }
    }

    LibraryEnvironment libraryEnvironment() {
        return new LibraryEnvironment();
    }

    /** A read-only copy of {@code t} (its tables too), as Redis's {@code luaSetTableProtectionRecursively}. */
    static ProtectedTable protect(LuaTable t) {
        if (t instanceof ProtectedTable p) {
            return p;
        }
        ProtectedTable copy = new ProtectedTable();
        LuaValue k = LuaValue.NIL;
        while (true) {
            Varargs next = t.next(k);
            k = next.arg1();
            if (k.isnil()) {
                break;
            }
            LuaValue v = next.arg(2);
            copy.rawset(k, v.istable() ? protect((LuaTable) v) : v);
        }
        copy.lock();
        return copy;
    }

    private static ProtectedTable sharedStringLibrary() {
        ScriptGlobals scratch = new ScriptGlobals();
        LuaTable pkg = new LuaTable();
        pkg.set("loaded", new LuaTable());
        scratch.set("package", pkg);
        scratch.load(new StringLib());
        LuaTable string = (LuaTable) scratch.get("string");
        string.rawset("gfind", string.get("gmatch")); // Lua 5.1's LUA_COMPAT_GFIND, as Redis's Lua
        string.rawset("format", new StringFormat());
        string.rawset("rep", new CheckedRep(string.get("rep")));
        ProtectedTable shared = protect(string);
        ProtectedTable meta = new ProtectedTable();
        meta.rawset(LuaValue.INDEX, shared);
        meta.lock();
        LuaString.s_metatable = meta;
        return shared;
    }

    /** What this environment holds (libraries, the redis API, the last script's KEYS and ARGV), without compiled scripts. */
    long environmentBytes() {
        return new LuaHeap().add(globals).bytes();
    }

    private static volatile long freshEnvironmentBytes = -1;

    /** What a new environment holds: INFO's figure for a shard that has not run a script yet. */
    static long freshEnvironmentBytes() {
        long bytes = freshEnvironmentBytes;
        if (bytes < 0) {
            bytes = new LuaRuntime().environmentBytes();
            freshEnvironmentBytes = bytes;
        }
        return bytes;
    }

    /** Compiles {@code source} (a script's body, a shebang line blanked) as {@code chunkname}. */
    Prototype compile(byte[] source, String chunkname) throws LuaError {
        try {
            return globals.compilePrototype(new ByteArrayInputStream(source), chunkname);
        } catch (IOException e) {
            throw new LuaError(e.getMessage());
        }
    }

    LuaClosure closure(Prototype p) {
        return new LuaClosure(p, globals);
    }

    /** The names of EVAL's {@code KEYS} and {@code ARGV}, made once: a Lua string made per call hashes its bytes each time. */
    static final LuaString KEYS = LuaString.valueOf("KEYS");
    static final LuaString ARGV = LuaString.valueOf("ARGV");

    /** Sets EVAL's {@code KEYS} and {@code ARGV}, the globals' lock opened for the moment. */
    void setGlobal(LuaString name, LuaValue value) {
        globals.unlock();
        try {
            globals.rawset(name, value);
        } finally {
            globals.lock();
        }
    }

    // ------------------------------------------------------------------ Lua 5.1's base functions LuaJ lacks or gets wrong

    /** The globals' {@code __index}: Redis's {@code luaProtectedTableError}. */
    private static final class MissingGlobal extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            throw new LuaError("Script attempted to access nonexistent global variable '" + args.arg(2).tojstring() + "'");
        }
    }

    /** {@code loadstring}/{@code load} of source text only: Redis 7.0.15 refuses precompiled chunks (nil and a message). */
    private static final class LoadString extends VarArgFunction {
        private final ScriptGlobals globals;

        LoadString(ScriptGlobals globals) {
            this.globals = globals;
        }

        @Override
        public Varargs invoke(Varargs args) {
            LuaValue chunk = args.arg1();
            if (!chunk.isstring()) {
                return varargsOf(NIL, valueOf("loading a chunk from a function is not supported"));
            }
            LuaString s = chunk.checkstring();
            if (s.m_length > 0 && s.m_bytes[s.m_offset] == 0x1b) {
                return varargsOf(NIL, valueOf("binary chunks are not allowed"));
            }
            String name = args.isnoneornil(2) ? s.tojstring() : args.checkjstring(2);
            try {
                Prototype p = globals.compilePrototype(new ByteArrayInputStream(LuaReplies.bytesOf(s)), name);
                return new LuaClosure(p, globals);
            } catch (LuaError | IOException e) {
                return varargsOf(NIL, valueOf(e.getMessage()));
            }
        }
    }

    /** {@code string.rep} refused before it allocates more than the script's Lua heap may hold (PUC Lua: not enough memory). */
    private static final class CheckedRep extends VarArgFunction {
        private final LuaValue rep;

        CheckedRep(LuaValue rep) {
            this.rep = rep;
        }

        @Override
        public Varargs invoke(Varargs args) {
            long length = (long) args.checkstring(1).m_length * Math.max(0, args.checkint(2));
            LuaMemory.checkAllocationHere(length);
            return rep.invoke(args);
        }
    }

    /**
     * Lua 5.1's {@code table.concat(t [, sep [, i [, j]]])}: numbers written as %.14g (LuaJ's own
     * writes them as Java does), anything else refused as Lua refuses it, and refused before it
     * allocates more than the script's Lua heap may hold.
     */
    private static Varargs concat(CArgs a) {
        if (a.get(1).type() != LuaValue.TTABLE) {
            throw a.typeError(1, "table");
        }
        LuaTable list = (LuaTable) a.get(1);
        LuaString separator = a.isNoneOrNil(2) ? LuaString.valueOf("") : a.string(2);
        long from = a.optInteger(3, 1);
        long to = a.isNoneOrNil(4) ? list.length() : a.integer(4);
        java.util.List<LuaString> parts = new java.util.ArrayList<>();
        long length = 0;
        for (long i = from; i <= to; i++) {
            LuaValue item = list.rawget((int) i);
            LuaString part;
            if (item.type() == LuaValue.TSTRING) {
                part = (LuaString) item;
            } else if (item.type() == LuaValue.TNUMBER) {
                part = LuaString.valueOf(LuaNumbers.format(item.todouble()));
            } else {
                throw new LuaError("invalid value (" + CArgs.typeName(item) + ") at index " + i + " in table for 'concat'");
            }
            parts.add(part);
            length += part.m_length + (i < to ? separator.m_length : 0);
            if (length > Integer.MAX_VALUE - 8) {
                throw new LuaMemoryError();
            }
        }
        LuaMemory.checkAllocationHere(length);
        byte[] out = new byte[(int) length];
        int at = 0;
        for (int i = 0; i < parts.size(); i++) {
            if (i > 0) {
                System.arraycopy(separator.m_bytes, separator.m_offset, out, at, separator.m_length);
                at += separator.m_length;
            }
            LuaString part = parts.get(i);
            System.arraycopy(part.m_bytes, part.m_offset, out, at, part.m_length);
            at += part.m_length;
        }
        return LuaString.valueUsing(out);
    }

    /** Lua 5.1's {@code getfenv}: every script function's environment is the shard's globals. */
    private static final class GetFenv extends VarArgFunction {
        private final ScriptGlobals globals;

        GetFenv(ScriptGlobals globals) {
            this.globals = globals;
        }

        @Override
        public Varargs invoke(Varargs args) {
            return globals;
        }
    }

    /** Lua 5.1's {@code setfenv}: a closure's environment is its first upvalue in LuaJ; it may be pointed elsewhere. */
    private static final class SetFenv extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.arg1();
            LuaTable env = args.checktable(2);
            if (f instanceof LuaClosure c && c.upValues.length > 0 && c.upValues[0] != null) {
                c.upValues[0].setValue(env);
                return f;
            }
            throw new LuaError("'setfenv' cannot change environment of given object");
        }
    }

    private static final class GcInfo extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            Runtime rt = Runtime.getRuntime();
            return valueOf((double) ((rt.totalMemory() - rt.freeMemory()) / 1024));
        }
    }

    /** Redis 7's {@code pcall}: an error table raised by {@code redis.call} is caught as its message. */
    private static final class ScriptPcall extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue f = args.checkvalue(1);
            try {
                return varargsOf(TRUE, f.invoke(args.subargs(2)));
            } catch (LuaError e) {
                LuaValue error = ScriptErrors.valueOf(e);
                if (error.istable() && error.rawget(LuaReplies.ERR).isstring()) {
                    error = error.rawget(LuaReplies.ERR);
                }
                return varargsOf(FALSE, error);
            } catch (StackOverflowError e) {
                return varargsOf(FALSE, valueOf("stack overflow"));
            }
        }
    }

    /** {@code tostring} with Lua 5.1's number format ({@code %.14g}). */
    private static final class ToString extends OneArgFunction {
        @Override
        public LuaValue call(LuaValue v) {
            if (v.type() == TNUMBER) {
                return valueOf(LuaNumbers.format(v.todouble()));
            }
            LuaValue h = v.metatag(TOSTRING);
            if (!h.isnil()) {
                return h.call(v);
            }
            LuaValue s = v.tostring();
            return s.isnil() ? valueOf(v.tojstring()) : s;
        }
    }

    /** {@code tonumber} as Lua 5.1's ({@code strtod}, hex, bases 2-36). */
    private static final class ToNumber extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            LuaValue v = args.checkvalue(1);
            if (args.isnoneornil(2)) {
                if (v.type() == TNUMBER) {
                    return v;
                }
                if (v.type() == TSTRING) {
                    Double d = LuaNumbers.parse(ScriptErrors.text(v));
                    return d == null ? NIL : valueOf(d);
                }
                return NIL;
            }
            int base = args.checkint(2);
            if (base < 2 || base > 36) {
                argerror(2, "base out of range");
            }
            Long n = LuaNumbers.parseBase(ScriptErrors.text(v.checkstring()), base);
            return n == null ? NIL : valueOf((double) n);
        }
    }

    private static final class MathRandom extends VarArgFunction {
        private final LuaRuntime runtime;

        MathRandom(LuaRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public Varargs invoke(Varargs args) {
            double r = runtime.random.nextDouble();
            switch (args.narg()) {
                case 0:
                    return valueOf(r);
                case 1: {
                    int u = args.checkint(1);
                    if (u < 1) {
                        argerror(1, "interval is empty");
                    }
                    return valueOf(Math.floor(r * u) + 1);
                }
                case 2: {
                    int l = args.checkint(1);
                    int u = args.checkint(2);
                    if (l > u) {
                        argerror(2, "interval is empty");
                    }
                    return valueOf(Math.floor(r * ((double) u - l + 1)) + l);
                }
                default:
                    throw new LuaError("wrong number of arguments");
            }
        }
    }

    private static final class MathRandomSeed extends OneArgFunction {
        private final LuaRuntime runtime;

        MathRandomSeed(LuaRuntime runtime) {
            this.runtime = runtime;
        }

        @Override
        public LuaValue call(LuaValue seed) {
            runtime.random.seed((int) seed.checkdouble());
            return NONE.arg1();
        }
    }
}
