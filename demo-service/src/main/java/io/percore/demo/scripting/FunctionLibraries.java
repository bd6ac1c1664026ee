package io.percore.demo.scripting;

import io.percore.demo.resp.RespError;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.lib.VarArgFunction;

/**
 * One shard's function libraries (Redis 7.0's {@code functions.c} with its Lua engine,
 * {@code function_lua.c}): a Lua state of their own, in which FUNCTION LOAD runs a library's code
 * with only {@code redis.register_function}, {@code redis.log} and the version fields to see, each
 * function a closure over an environment of its library that reads the state's globals and writes
 * none. Every shard keeps the same libraries (see {@link Scripting#changeFunctions}), so an FCALL
 * runs wherever its keys are. Shard thread only.
 */
public final class FunctionLibraries {

    /** FUNCTION LOAD's bound on the library's own code running (Redis's LOAD_TIMEOUT_MS). */
    public static final long LOAD_TIMEOUT_MILLIS = 500;
    /** This server's bounds on what the libraries may hold (Redis has none), per shard. */
    static final int MAX_LIBRARIES = 10_000;
    public static final long MAX_CODE_BYTES = 64L << 20;

    static final String NAME_RULE = "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long";

    /** A registered function: what FCALL runs and FUNCTION LIST shows. */
    public record Function(String name, String description, int flags, LuaClosure closure, String library) {
        /** Without the {@code no-writes} flag it may write (refused on a read-only replica before it runs). */
        public boolean mayWrite() {
            return (flags & Scripts.NO_WRITES) == 0;
        }
    }

    /** A library: its name, its whole code (as given to FUNCTION LOAD), its functions in registration order. */
    public record Library(String name, byte[] code, Map<String, Function> functions, long compiledBytes) {
    }

    private final LuaRuntime runtime;
    private final Map<String, Library> libraries = new LinkedHashMap<>();
    private final Map<String, Function> functions = new HashMap<>();
    private long codeBytes;
    private long compiledBytes;
    /** The library FUNCTION LOAD is running the code of, or null: what redis.register_function adds to. */
    private Map<String, Function> registering;
    private String registeringLibrary;

    /** The most the Lua state may hold while a library's code or a function runs. */
    private final long heapLimit;

    FunctionLibraries(long heapLimit) {
        this.heapLimit = heapLimit;
        this.runtime = new LuaRuntime(this);
    }

    LuaRuntime runtime() {
        return runtime;
    }

    /** The function of that name, whatever its case (Redis's function names are case-insensitive, library names are not). */
    public Function function(String name) {
        return functions.get(key(name));
    }

    private static String key(String functionName) {
        return functionName.toLowerCase(Locale.ROOT);
    }

    public List<Library> libraries() {
        return new ArrayList<>(libraries.values());
    }

    public int libraryCount() {
        return libraries.size();
    }

    /** The functions FCALL finds (INFO's number_of_functions: Redis's dict of them, where 'f' and 'F' are one). */
    public int functionCount() {
        return functions.size();
    }

    /** The functions the libraries registered (FUNCTION STATS' functions_count: Redis's engine counts each). */
    public int registeredCount() {
        int n = 0;
        for (Library library : libraries.values()) {
            n += library.functions().size();
        }
        return n;
    }

    /** The libraries' code and entries, as Redis's used_memory_functions counts its library context. */
    public long cacheBytes() {
        return codeBytes + 160L * libraries.size() + 120L * functions.size();
    }

    /** The Lua state's size: its environment and the compiled libraries (used_memory_vm_functions). */
    public long vmBytes() {
        if (environmentBytes < 0) {
            environmentBytes = runtime.environmentBytes(); // walked once: nothing can change the environment
        }
        return environmentBytes + compiledBytes;
    }

    private long environmentBytes = -1;

    /** What the libraries cost in the shard's budget. */
    long budgetBytes() {
        return cacheBytes() + compiledBytes;
    }

    // ------------------------------------------------------------------ FUNCTION LOAD

    /** What a library's first line says (Redis's {@code functionExtractLibMetaData}). */
    record Metadata(String name, String engine, byte[] code) {
    }

    static Metadata metadata(byte[] payload) {
        if (payload.length < 2 || payload[0] != '#' || payload[1] != '!') {
            throw new RespError("ERR Missing library metadata");
        }
        int end = -1;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] == '\n') {
                end = i;
                break;
            }
        }
        if (end < 0) {
            throw new RespError("ERR Invalid library metadata");
        }
        List<byte[]> words;
        try {
            words = io.percore.net.resp.InlineCommandSplitter.split(java.util.Arrays.copyOf(payload, end));
        } catch (io.percore.net.resp.RespProtocolError e) {
            words = null; // sdssplitargs' NULL: unbalanced quotes
        }
        if (words == null || words.isEmpty()) {
            throw new RespError("ERR Invalid library metadata");
        }
        List<String> parts = new ArrayList<>();
        for (byte[] w : words) {
            parts.add(new String(w, StandardCharsets.ISO_8859_1));
        }
        String engine = parts.get(0).substring(Math.min(2, parts.get(0).length()));
        String name = null;
        for (int i = 1; i < parts.size(); i++) {
            String part = parts.get(i);
            if (part.length() >= 5 && part.substring(0, 5).equalsIgnoreCase("name=")) {
                if (name != null) {
                    throw new RespError("ERR Invalid metadata value, name argument was given multiple times");
                }
                name = part.substring(5);
                continue;
            }
            throw new RespError("ERR Invalid metadata value given: " + part);
        }
        if (name == null) {
            throw new RespError("ERR Library name was not given");
        }
        byte[] code = java.util.Arrays.copyOfRange(payload, end, payload.length);
        return new Metadata(name, engine, code);
    }

    static boolean validName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /**
     * FUNCTION LOAD [REPLACE]: runs the library's code, which registers its functions, and keeps it
     * (replacing the library of the same name when {@code replace}).
     *
     * @param timeoutMillis how long the library's code may run (0: no bound, for a replayed load)
     * @return the library's name
     * @throws RespError with Redis's error
     */
    public String load(byte[] payload, boolean replace, long timeoutMillis) {
        if (payload.length > MAX_CODE_BYTES) {
            requireWithinBounds(0, payload.length); // refused before it is compiled or run
        }
        Library built = compile(payload, timeoutMillis, replace ? null : libraries.keySet());
        Library old = libraries.get(built.name());
        if (old != null && !replace) {
            throw new RespError("ERR Library '" + built.name() + "' already exists");
        }
        for (Function f : built.functions().values()) {
            Function other = functions.get(key(f.name()));
            if (other != null && !other.library().equals(built.name())) {
                throw new RespError("ERR Function " + f.name() + " already exists");
            }
        }
        requireWithinBounds(libraries.size() + (old == null ? 1 : 0),
                codeBytes - (old == null ? 0 : old.code().length) + payload.length);
        if (old != null) {
            unlink(old);
        }
        link(built);
        return built.name();
    }

    /** This server's bound on the libraries a shard keeps (Redis has none): past it, a clear error. */
    private static void requireWithinBounds(long libraryCount, long codeBytes) {
        if (libraryCount > MAX_LIBRARIES || codeBytes > MAX_CODE_BYTES) {
            throw new RespError("ERR too many function libraries (at most " + MAX_LIBRARIES + " and " + (MAX_CODE_BYTES >> 20)
                    + " MB of code per shard): FUNCTION DELETE or FLUSH first");
        }
    }

    /**
     * Compiles and runs a library's code: the library it makes, not yet kept.
     *
     * @param existing names that make a load fail before it runs (null when replacing)
     */
    private Library compile(byte[] payload, long timeoutMillis, java.util.Set<String> existing) {
        Metadata md = metadata(payload);
        if (!validName(md.name())) {
            throw new RespError("ERR " + NAME_RULE);
        }
        if (!md.engine().equalsIgnoreCase("lua")) {
            throw new RespError("ERR Engine '" + md.engine() + "' not found");
        }
        if (existing != null && existing.contains(md.name())) {
            throw new RespError("ERR Library '" + md.name() + "' already exists");
        }
        Prototype p;
        try {
            p = runtime.compile(md.code(), "@" + LuaRuntime.USER_FUNCTION);
        } catch (LuaError e) {
            throw new RespError("ERR Error compiling function: " + ScriptErrors.valueOf(
                    new LuaError(e.getMessage() == null ? "" : e.getMessage().strip().replace("@" + LuaRuntime.USER_FUNCTION,
                            LuaRuntime.USER_FUNCTION))).tojstring());
        }
        Map<String, Function> registered = new LinkedHashMap<>();
        LuaRuntime.LibraryEnvironment env = runtime.libraryEnvironment();
        LuaClosure chunk = new LuaClosure(p, env.globals());
        registering = registered;
        registeringLibrary = md.name();
        LoadRun run = new LoadRun(runtime, timeoutMillis, heapLimit);
        runtime.watchdog.watch(run);
        run.memory().began();
        try {
            chunk.call();
        } catch (LuaError e) {
            throw new RespError("ERR Error registering functions: " + errorMessage(e));
        } catch (ScriptAbort e) {
            throw new RespError("ERR Error registering functions: " + e.getMessage());
        } catch (StackOverflowError e) {
            throw new RespError("ERR Error registering functions: ERR stack overflow");
        } finally {
            run.memory().ended();
            runtime.watchdog.stop();
            registering = null;
            registeringLibrary = null;
            env.loaded(); // from now on the library's functions see the state's globals
        }
        if (registered.isEmpty()) {
            throw new RespError("ERR No functions registered");
        }
        return new Library(md.name(), payload, registered, LuaHeap.sizeOf(p));
    }

    /** An error raised while a library's code ran, as Redis's {@code luaExtractErrorInformation} gives it. */
    private static String errorMessage(LuaError e) {
        LuaValue v = ScriptErrors.valueOf(e);
        if (v.istable() && v.rawget(LuaReplies.ERR).isstring()) {
            return ScriptErrors.text(v.rawget(LuaReplies.ERR));
        }
        return "ERR " + (v.isstring() ? ScriptErrors.text(v) : v.tojstring());
    }

    private void link(Library library) {
        libraries.put(library.name(), library);
        for (Function f : library.functions().values()) {
            // 'f' and 'F' of one library are both listed; FCALL finds the first (Redis's dictAdd keeps the one there)
            functions.putIfAbsent(key(f.name()), f);
        }
        codeBytes += library.code().length;
        compiledBytes += library.compiledBytes();
    }

    private void unlink(Library library) {
        libraries.remove(library.name());
        for (Function f : library.functions().values()) {
            Function linked = functions.get(key(f.name()));
            if (linked != null && linked.library().equals(library.name())) {
                functions.remove(key(f.name()));
            }
        }
        codeBytes -= library.code().length;
        compiledBytes -= library.compiledBytes();
    }

    /** FUNCTION DELETE. @throws RespError when there is no such library */
    public void delete(String name) {
        Library library = libraries.get(name);
        if (library == null) {
            throw new RespError("ERR Library not found");
        }
        unlink(library);
    }

    /** FUNCTION FLUSH: every library gone (their closures with them; the state's environment stays, read-only). */
    public void flush() {
        libraries.clear();
        functions.clear();
        codeBytes = 0;
        compiledBytes = 0;
    }

    /** How FUNCTION RESTORE treats the libraries there already. */
    public enum RestorePolicy { FLUSH, APPEND, REPLACE }

    /**
     * FUNCTION RESTORE (and a snapshot's libraries): every library of {@code codes} compiled first
     * (one that fails fails them all, changing nothing), then kept by {@code policy}.
     */
    public void restore(List<byte[]> codes, RestorePolicy policy) {
        long restoredBytes = 0;
        for (byte[] code : codes) {
            restoredBytes += code.length;
        }
        requireWithinBounds(codes.size(), restoredBytes); // before any is compiled
        Map<String, Library> built = new LinkedHashMap<>();
        Map<String, String> builtFunctions = new HashMap<>();
        for (byte[] code : codes) {
            Library library = compile(code, 0, null);
            if (built.containsKey(library.name())) {
                throw new RespError("ERR Library '" + library.name() + "' already exists");
            }
            for (Function f : library.functions().values()) {
                String owner = builtFunctions.putIfAbsent(key(f.name()), library.name());
                if (owner != null && !owner.equals(library.name())) {
                    throw new RespError("ERR Function " + f.name() + " already exists");
                }
            }
            built.put(library.name(), library);
        }
        if (policy != RestorePolicy.FLUSH) {
            long keptCount = libraries.size();
            long keptBytes = codeBytes;
            for (Library library : built.values()) {
                Library old = libraries.get(library.name());
                if (old != null) {
                    keptCount--;
                    keptBytes -= old.code().length;
                }
            }
            requireWithinBounds(keptCount + built.size(), keptBytes + restoredBytes);
        }
        if (policy == RestorePolicy.FLUSH) {
            flush();
        } else {
            for (Library library : built.values()) {
                if (libraries.containsKey(library.name()) && policy == RestorePolicy.APPEND) {
                    throw new RespError("ERR Library " + library.name() + " already exists");
                }
            }
            for (Library library : built.values()) {
                for (Function f : library.functions().values()) {
                    Function other = functions.get(key(f.name()));
                    if (other != null && !(policy == RestorePolicy.REPLACE && built.containsKey(other.library()))
                            && !other.library().equals(library.name())) {
                        throw new RespError("ERR Function " + f.name() + " already exists");
                    }
                }
            }
            for (Library library : built.values()) {
                Library old = libraries.get(library.name());
                if (old != null) {
                    unlink(old);
                }
            }
        }
        for (Library library : built.values()) {
            link(library);
        }
    }

    // ------------------------------------------------------------------ redis.register_function

    /** {@code redis.register_function(name, callback)} or {@code redis.register_function{function_name=, callback=, flags=, description=}}. */
    final class RegisterFunction extends VarArgFunction {
        @Override
        public Varargs invoke(Varargs args) {
            if (registering == null) {
                throw new LuaError(ScriptErrors.errorTable("redis.register_function can only be called on FUNCTION LOAD command"));
            }
            int argc = args.narg();
            if (argc < 1 || argc > 2) {
                throw new LuaError(ScriptErrors.errorTable("wrong number of arguments to redis.register_function"));
            }
            String name;
            String description = null;
            LuaValue callback;
            int flags = 0;
            if (argc == 1) {
                if (!args.arg1().istable()) {
                    throw fail("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).");
                }
                LuaTable named = (LuaTable) args.arg1();
                name = null;
                callback = null;
                LuaValue k = LuaValue.NIL;
                while (true) {
                    Varargs next = named.next(k);
                    k = next.arg1();
                    if (k.isnil()) {
                        break;
                    }
                    LuaValue v = next.arg(2);
                    if (!k.isstring()) {
                        throw fail("named argument key given to redis.register_function is not a string");
                    }
                    switch (ScriptErrors.text(k).toLowerCase(Locale.ROOT)) {
                        case "function_name" -> {
                            if (!v.isstring()) {
                                throw fail("function_name argument given to redis.register_function must be a string");
                            }
                            name = ScriptErrors.text(v);
                        }
                        case "description" -> {
                            if (!v.isstring()) {
                                throw fail("description argument given to redis.register_function must be a string");
                            }
                            description = ScriptErrors.text(v);
                        }
                        case "callback" -> {
                            if (!v.isfunction()) {
                                throw fail("callback argument given to redis.register_function must be a function");
                            }
                            callback = v;
                        }
                        case "flags" -> {
                            if (!v.istable()) {
                                throw fail("flags argument to redis.register_function must be a table representing function flags");
                            }
                            flags = flags((LuaTable) v);
                        }
                        default -> throw fail("unknown argument given to redis.register_function");
                    }
                }
                if (name == null) {
                    throw fail("redis.register_function must get a function name argument");
                }
                if (callback == null) {
                    throw fail("redis.register_function must get a callback argument");
                }
            } else {
                if (!args.arg1().isstring()) {
                    throw fail("first argument to redis.register_function must be a string");
                }
                name = ScriptErrors.text(args.arg1());
                callback = args.arg(2);
                if (!callback.isfunction()) {
                    throw fail("second argument to redis.register_function must be a function");
                }
            }
            if (!validName(name)) {
                throw fail(NAME_RULE);
            }
            if (registering.containsKey(name)) { // case-sensitive within a library, as Redis's library dict
                throw fail("Function already exists in the library");
            }
            if (!(callback instanceof LuaClosure closure)) {
                throw fail("second argument to redis.register_function must be a function");
            }
            registering.put(name, new Function(name, description, flags, closure, registeringLibrary));
            return NONE;
        }

        private LuaError fail(String message) {
            return new LuaError(ScriptErrors.errorTable(message));
        }

        private int flags(LuaTable list) {
            int flags = 0;
            for (int i = 1; ; i++) {
                LuaValue v = list.get(i);
                if (v.isnil()) {
                    return flags;
                }
                int bit = v.isstring() ? Scripts.flagBit(ScriptErrors.text(v).toLowerCase(Locale.ROOT)) : 0;
                if (bit == 0) {
                    throw fail("unknown flag given");
                }
                flags |= bit;
            }
        }
    }

    /** What the watchdog watches while FUNCTION LOAD runs a library's code: its time bound, shutdown, memory. */
    private static final class LoadRun implements Watchdog.Watched {
        private final long timeoutNanos;
        private final long start = System.nanoTime();
        private final LuaMemory memory;

        LoadRun(LuaRuntime runtime, long timeoutMillis, long heapLimit) {
            this.timeoutNanos = timeoutMillis * 1_000_000;
            this.memory = new LuaMemory(runtime, heapLimit);
        }

        @Override
        public void check() {
            if (timeoutNanos > 0 && System.nanoTime() - start > timeoutNanos) {
                throw new LuaError(ScriptErrors.errorTable("FUNCTION LOAD timeout"));
            }
            memory.check();
        }

        @Override
        public void checkStringSize(long bytes) {
            if (bytes > 512L << 20) {
                throw new LuaError("string length overflow");
            }
        }

        @Override
        public LuaMemory memory() {
            return memory;
        }
    }
}
