package io.percore.demo.scripting;

import io.percore.demo.execution.AclChecks;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.ShardServices;
import io.percore.demo.resp.RespError;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardReservation;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;

/**
 * A shard's scripting: its Lua environment (made at the first script), the scripts it knows by
 * SHA1 and what runs them. Every shard knows the same scripts (SCRIPT LOAD and a new EVAL reach
 * all before they answer), so an EVALSHA runs wherever its keys are. Scripts EVAL brought in are
 * kept most recently used first and the oldest dropped past {@link #MAX_EVAL_SCRIPTS}, as Redis
 * 7.4 does; SCRIPT LOAD's are kept until SCRIPT FLUSH, at most {@link #MAX_LOADED_SCRIPTS} and
 * {@link #MAX_LOADED_BYTES} of source.
 */
public final class ScriptShard {

    static final int MAX_EVAL_SCRIPTS = 500;
    static final int MAX_LOADED_SCRIPTS = 10_000;
    static final long MAX_LOADED_BYTES = 64L << 20;

    /**
     * What a cached script costs besides its source, as Redis's script cache counts it: its SHA1,
     * the dictionary entry and the script's struct.
     */
    static final int CACHE_ENTRY_BYTES = 40 + 48 + 32;

    /** A compiled script: its closure over the shard's globals, its shebang flags and what its compiled form holds. */
    record Script(String sha, byte[] body, LuaClosure closure, int flags, boolean fromEval, long compiledBytes) {

        /** What it costs in the script cache (Redis's used_memory_scripts_eval). */
        long cacheBytes() {
            return body.length + CACHE_ENTRY_BYTES;
        }

        Script loadedOnPurpose() {
            return new Script(sha, body, closure, flags, false, compiledBytes);
        }
    }

    private final int shardId;
    private final Keyspace keyspace;
    /** The most this shard's Lua state may hold while a script runs ({@link LuaMemory}). */
    private final long heapLimit;
    private LuaRuntime runtime;
    private final LinkedHashMap<String, Script> evalScripts = new LinkedHashMap<>(64, 0.75f, true);
    private final Map<String, Script> loadedScripts = new java.util.HashMap<>();
    private long loadedBytes;
    private long evictedScripts;
    /** The cache's bytes (source and entries) and the compiled forms' (part of the Lua state), as counted in the shard's budget. */
    private long cacheBytes;
    private long compiledBytes;
    /** The Lua environment's own size without scripts, walked once it exists (-1: not yet). */
    private long environmentBytes = -1;

    ScriptShard(int shardId, Keyspace keyspace, long heapLimit) {
        this.shardId = shardId;
        this.keyspace = keyspace;
        this.heapLimit = heapLimit;
        keyspace.local().functions(new LibraryCodes()); // made on its shard: snapshots and loads reach the libraries so
    }

    /** The libraries as snapshots, loads and full syncs see them: each one's code. */
    private final class LibraryCodes implements io.percore.demo.shard.FunctionLibraryCodes {
        @Override
        public java.util.List<byte[]> codes() {
            return functions().libraries().stream().map(FunctionLibraries.Library::code).toList();
        }

        @Override
        public void replaceWith(java.util.List<byte[]> codes) {
            try {
                changeFunctions(f -> {
                    f.restore(codes, FunctionLibraries.RestorePolicy.FLUSH);
                    return null;
                });
            } catch (RespError e) {
                throw new IllegalArgumentException("a function library does not load: " + e.getMessage(), e);
            }
        }
    }

    LuaRuntime runtime() {
        if (runtime == null) {
            runtime = new LuaRuntime();
            environmentBytes = -1;
        }
        return runtime;
    }

    /** What SCRIPT EXISTS asks. */
    public boolean exists(String sha) {
        return evalScripts.containsKey(sha) || loadedScripts.containsKey(sha);
    }

    public int scriptCount() {
        return evalScripts.size() + loadedScripts.size();
    }

    public long evictedScripts() {
        return evictedScripts;
    }

    /** This shard's scripting figures for INFO memory (Redis's used_memory_vm_eval, used_memory_scripts_eval, ...). */
    public record Figures(long vmBytes, long cacheBytes, int scripts, long heapLimit, long functionsVmBytes, long functionsCacheBytes,
                          int functions, int libraries) {
    }

    /**
     * INFO's figures: the Lua state is the environment (walked once: scripts cannot change it) and
     * the compiled scripts; a shard that ran no script yet reports a fresh environment's size, as
     * Redis's Lua exists from the start.
     */
    public Figures figures() {
        long environment;
        if (runtime == null) {
            environment = LuaRuntime.freshEnvironmentBytes();
        } else {
            if (environmentBytes < 0) {
                environmentBytes = runtime.environmentBytes();
            }
            environment = environmentBytes;
        }
        FunctionLibraries f = functions;
        // the functions' Lua state exists from the start in Redis: before the first library, a fresh environment's size
        return new Figures(environment + compiledBytes, cacheBytes, scriptCount(), heapLimit,
                f == null ? LuaRuntime.freshEnvironmentBytes() : f.vmBytes(), f == null ? 0 : f.cacheBytes(),
                f == null ? 0 : f.functionCount(), f == null ? 0 : f.libraryCount());
    }

    /** SCRIPT FLUSH on this shard: every script forgotten, the Lua environment made anew at the next script. */
    public void flush() {
        evalScripts.clear();
        loadedScripts.clear();
        loadedBytes = 0;
        budget(-cacheBytes - compiledBytes);
        cacheBytes = 0;
        compiledBytes = 0;
        runtime = null;
        environmentBytes = -1;
    }

    /** The flags of cached script {@code sha} ({@code Scripts}' bits), or -1 when this shard does not have it. */
    int flagsOf(String sha) {
        Script s = lookup(sha);
        return s == null ? -1 : s.flags();
    }

    private Script lookup(String sha) {
        Script s = loadedScripts.get(sha);
        return s != null ? s : evalScripts.get(sha);
    }

    /**
     * Compiles and keeps {@code body} (SCRIPT LOAD, or an EVAL of a script this shard has not seen).
     *
     * @throws RespError when it does not compile or its shebang is bad
     */
    public String load(byte[] body, boolean fromEval) {
        String sha = Scripts.sha1hex(body);
        Script known = lookup(sha);
        if (known != null) {
            if (!fromEval && known.fromEval()) {
                forget(evalScripts.remove(sha)); // loaded on purpose now: no longer evicted
                keepLoaded(known.loadedOnPurpose());
            }
            return sha;
        }
        int flags = Scripts.shebangFlags(body);
        if (!fromEval && (loadedScripts.size() >= MAX_LOADED_SCRIPTS || loadedBytes + body.length > MAX_LOADED_BYTES)) {
            throw new RespError("ERR too many scripts loaded (at most " + MAX_LOADED_SCRIPTS + " and "
                    + (MAX_LOADED_BYTES >> 20) + " MB of source per shard): SCRIPT FLUSH first");
        }
        LuaRuntime lua = runtime();
        Prototype p;
        try {
            p = lua.compile(Scripts.withoutShebang(body), "@" + LuaRuntime.USER_SCRIPT);
        } catch (LuaError e) {
            throw new RespError("ERR Error compiling script (new function): " + compileMessage(e));
        }
        Script script = new Script(sha, body, lua.closure(p), flags, fromEval, LuaHeap.sizeOf(p));
        if (fromEval) {
            evalScripts.put(sha, script);
            keep(script);
            if (evalScripts.size() > MAX_EVAL_SCRIPTS) {
                Map.Entry<String, Script> eldest = evalScripts.entrySet().iterator().next();
                evalScripts.remove(eldest.getKey());
                forget(eldest.getValue());
                evictedScripts++;
            }
        } else {
            keepLoaded(script);
        }
        return sha;
    }

    private void keepLoaded(Script script) {
        loadedScripts.put(script.sha(), script);
        loadedBytes += script.body().length;
        keep(script);
    }

    private void keep(Script script) {
        cacheBytes += script.cacheBytes();
        compiledBytes += script.compiledBytes();
        budget(script.cacheBytes() + script.compiledBytes());
    }

    private void forget(Script script) {
        cacheBytes -= script.cacheBytes();
        compiledBytes -= script.compiledBytes();
        budget(-script.cacheBytes() - script.compiledBytes());
    }

    /** The script cache counts in the shard's memory budget, as Redis's used_memory counts its scripts. */
    private void budget(long delta) {
        if (delta != 0) {
            keyspace.local().store().memory().scriptCacheBytes(delta);
        }
    }

    private static String compileMessage(LuaError e) {
        String m = e.getMessage() == null ? "" : e.getMessage().strip();
        // LuaJ names the chunk as given ("@user_script"); PUC Lua shows it without the '@'
        m = m.replace("@" + LuaRuntime.USER_SCRIPT, LuaRuntime.USER_SCRIPT);
        LuaValue v = ScriptErrors.valueOf(new LuaError(m));
        return v.tojstring();
    }

    // ------------------------------------------------------------------ running

    /**
     * Everything an EVAL, EVALSHA or FCALL ({@code function}: {@code sha} is then the function's
     * name) brings to the shard its keys live on; {@code command} is the caller's, for FUNCTION STATS;
     * {@code keyspace} is the caller's view of it and {@code services} those of the caller's shard.
     */
    public record Eval(byte[] body, String sha, boolean function, byte[][] keys, byte[][] args, boolean readOnly, byte[][] command,
                       Keyspace keyspace, ShardServices services,
                       io.percore.demo.tracking.TrackedCommand trackedReads, Hold hold, AclChecks.ScriptCaller caller) {
    }

    /**
     * The shards a script's run may touch keys of: {@code shards} held for it by a transaction of
     * its own, or (null) its own shard and its declared keys' (held by the EXEC it runs in, when
     * they are several). {@code mayWiden}: a key on another shard, touched before the script had
     * any effect, ends the run with {@link #WIDEN} instead of an error.
     */
    public record Hold(BitSet shards, boolean mayWiden) {

        public static final Hold DECLARED_KEYS = new Hold(null, false);
    }

    /**
     * The reply of a run that touched a key on a shard it does not hold before it had any effect:
     * the caller runs it again holding every shard (compared by identity; its text is the refusal
     * a client would otherwise get).
     */
    public static final ErrorRedisMessage WIDEN = new ErrorRedisMessage("ERR Script attempted to access a non local key in a cluster node");

    /** The reply, and whether this shard learned the script now (then every other shard must too). */
    public record Outcome(RedisMessage reply, boolean learned) {
    }

    private ScriptQueue queue;

    /**
     * An EVAL or EVALSHA for this shard, which owns every key it declared: it runs from this
     * shard's {@link ScriptQueue} (soon, in a task of its own), and the future completes with its
     * reply on this shard.
     */
    ShardFuture<Outcome> submit(Scripting scripting, Eval e, KeyspaceShard state) {
        if (queue == null) {
            queue = new ScriptQueue(state);
        }
        ShardPromise<Outcome> done = new ShardPromise<>();
        long transaction = e.keyspace().transaction();
        queue.add(new ScriptQueue.Job() {
            @Override
            public long transaction() {
                return transaction;
            }

            @Override
            public void run() {
                try {
                    done.complete(eval(scripting, e, state));
                } catch (RuntimeException | StackOverflowError failure) {
                    done.fail(failure);
                }
            }
        });
        return done;
    }

    /** Runs an EVAL, EVALSHA or FCALL here and now, on {@code state}'s shard, which owns every key it declared. */
    private Outcome eval(Scripting scripting, Eval e, KeyspaceShard state) {
        if (e.function()) {
            FunctionLibraries.Function f = functions().function(e.sha());
            if (f == null) {
                return new Outcome(FUNCTION_NOT_FOUND, false);
            }
            RedisMessage refused = refusedByFlags(f.flags(), e, state);
            if (refused != null) {
                return new Outcome(refused, false);
            }
            int flags = f.flags();
            boolean readOnly = e.readOnly() || (flags & Scripts.NO_WRITES) != 0;
            RedisMessage reply = run(scripting, functions().runtime(), f.closure(), f.name(), false, readOnly,
                    (flags & Scripts.ALLOW_OOM) != 0, e, state, array(e.keys()), array(e.args()));
            return new Outcome(reply, false);
        }
        boolean learned = false;
        String sha = e.sha();
        if (e.body() != null) {
            if (lookup(sha) == null) {
                try {
                    load(e.body(), true);
                } catch (RespError err) {
                    return new Outcome(err.reply(), false);
                }
                learned = true;
            }
        }
        Script script = lookup(sha);
        if (script == null) {
            return new Outcome(NOSCRIPT, false);
        }
        if (script.fromEval()) {
            evalScripts.get(sha); // most recently used
        }
        int flags = script.flags();
        boolean compat = (flags & Scripts.EVAL_COMPAT) != 0;
        boolean noWrites = (flags & Scripts.NO_WRITES) != 0;
        RedisMessage refused = compat ? (runningStale(e) ? MASTERDOWN : null) : refusedByFlags(flags, e, state);
        if (refused != null) {
            return new Outcome(refused, learned);
        }
        boolean readOnly = e.readOnly() || (!compat && noWrites);
        boolean allowOom = !compat && (flags & Scripts.ALLOW_OOM) != 0;
        LuaRuntime lua = runtime();
        RedisMessage reply = run(scripting, lua, script.closure(), sha, true, readOnly, allowOom, e, state,
                array(e.keys()), array(e.args()));
        return new Outcome(reply, learned);
    }

    /** Whether one of the shards the script would hold is over its memory budget and cannot make room. */
    private static boolean overBudget(Eval e, KeyspaceShard state) {
        if (!state.store().makeRoom(System.currentTimeMillis())) {
            return true;
        }
        BitSet held = heldShards(e, state);
        return held.cardinality() > 1 && ScriptRun.anyOtherOverBudget(e.keyspace().waiting(() -> { }), state.shardId(), held);
    }

    /**
     * The shards whose keys the script may touch: its own, and those of its declared keys, which a
     * transaction (of its own, or the EXEC it runs in) holds for it when they are several.
     */
    private static BitSet heldShards(Eval e, KeyspaceShard state) {
        if (e.hold().shards() != null) {
            return e.hold().shards();
        }
        BitSet held = new BitSet();
        held.set(state.shardId());
        for (byte[] key : e.keys()) {
            held.set(e.keyspace().shardOf(key));
        }
        return held;
    }

    static final ErrorRedisMessage NOSCRIPT = new ErrorRedisMessage("NOSCRIPT No matching script. Please use EVAL.");
    static final ErrorRedisMessage FUNCTION_NOT_FOUND = new ErrorRedisMessage("ERR Function not found");

    /** Redis's {@code scriptPrepareForRun} checks of a script's (or function's) flags, in its order; null when it may run. */
    private static RedisMessage refusedByFlags(int flags, Eval e, KeyspaceShard state) {
        if ((flags & Scripts.NO_WRITES) == 0 && readOnlyReplica(e)) {
            return READONLY; // processCommand's, before the script's own checks: the flags make the call a write
        }
        if ((flags & Scripts.ALLOW_STALE) == 0 && runningStale(e)) {
            return new ErrorRedisMessage("MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag"
                    + " is not set on the script.");
        }
        boolean noWrites = (flags & Scripts.NO_WRITES) != 0;
        if (!noWrites && e.readOnly()) {
            return new ErrorRedisMessage("ERR Can not execute a script with write flag using *_ro command.");
        }
        if (!noWrites && fewerReplicasThanWanted(e)) {
            return new ErrorRedisMessage(io.percore.demo.replication.Replication.NOREPLICAS);
        }
        if (!noWrites && (flags & Scripts.ALLOW_OOM) == 0 && overBudget(e, state)) {
            return new ErrorRedisMessage("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'");
        }
        return null;
    }

    static final ErrorRedisMessage MASTERDOWN = new ErrorRedisMessage(io.percore.demo.replication.Replication.MASTERDOWN);

    static final ErrorRedisMessage READONLY = new ErrorRedisMessage(io.percore.demo.replication.Replication.READONLY);

    /** Whether this server is a read-only replica (a script that may write is refused as a write command is). */
    static boolean readOnlyReplica(Eval e) {
        io.percore.demo.replication.Replication replication = e.services().servers().local().replication();
        return replication != null && io.percore.demo.replication.Replication.READONLY.equals(replication.refusal(true, true));
    }

    /** Whether this server is a replica without its link while replica-serve-stale-data is no (Redis's {@code running_stale}). */
    static boolean runningStale(Eval e) {
        io.percore.demo.replication.Replication replication = e.services().servers().local().replication();
        return replication != null && io.percore.demo.replication.Replication.MASTERDOWN.equals(replication.refusal(false, false));
    }

    /** Whether this primary has fewer good replicas than {@code min-replicas-to-write} asks (Redis refuses a script that may write). */
    static boolean fewerReplicasThanWanted(Eval e) {
        io.percore.demo.replication.Replication replication = e.services().servers().local().replication();
        return replication != null && io.percore.demo.replication.Replication.NOREPLICAS.equals(replication.refusal(true));
    }

    // ------------------------------------------------------------------ function libraries

    private FunctionLibraries functions;

    /** This shard's function libraries (made at first use, with their own Lua state). */
    FunctionLibraries functions() {
        if (functions == null) {
            functions = new FunctionLibraries(heapLimit);
        }
        return functions;
    }

    /** A change of the libraries on this shard (FUNCTION LOAD, DELETE, FLUSH, RESTORE); what it cost is followed in the budget. */
    <R> R changeFunctions(java.util.function.Function<FunctionLibraries, R> change) {
        FunctionLibraries libraries = functions();
        long before = libraries.budgetBytes();
        try {
            return change.apply(libraries);
        } finally {
            budget(libraries.budgetBytes() - before);
        }
    }

    private static LuaTable array(byte[][] items) {
        LuaTable t = new LuaTable(items.length, 0);
        for (int i = 0; i < items.length; i++) {
            t.rawset(i + 1, LuaString.valueUsing(items[i]));
        }
        return t;
    }

    /**
     * Runs {@code closure} with the shard held for it: the script's writes are one group of the
     * write path (replicated and logged as one MULTI/EXEC of their effects, as Redis 7), unless it
     * runs inside an EXEC, whose group they join.
     */
    private RedisMessage run(Scripting scripting, LuaRuntime lua, LuaClosure closure, String name, boolean evalMode, boolean readOnly,
                             boolean allowOom, Eval e, KeyspaceShard state, LuaTable keys, LuaTable args) {
        if (lua.running != null) {
            return new ErrorRedisMessage("ERR a script cannot run another script");
        }
        Keyspace keyspace = e.keyspace();
        long hold = ShardReservation.FREE;
        if (keyspace.transaction() == ShardReservation.FREE) {
            hold = state.nextGroupId();
            keyspace = keyspace.boundTo(hold);
            // granted at once: the queue runs a script only while nothing holds the shard, from a task
            // of its own (not from a release still running what it parked), so nothing waits in line
            if (!state.reservation().reserve(hold).isDone()) {
                throw new IllegalStateException("a script's shard was not free when it began");
            }
        }
        BitSet held = heldShards(e, state);
        if (held.cardinality() > 1) {
            // its keys span the shards its transaction holds: a call of a command on another one's keys waits for it here
            LuaRuntime runtime = lua;
            keyspace = keyspace.waiting(() -> {
                ScriptRun running = runtime.running;
                if (running != null) {
                    running.check(); // busy, SCRIPT KILL, shutdown: as between two of the script's instructions
                }
            });
        }
        ScriptCommandContext context = new ScriptCommandContext(keyspace, e.services().onCurrentShard());
        ScriptRun run = new ScriptRun(scripting, lua, state, context.commands(), context, name, evalMode, readOnly, allowOom, e.trackedReads());
        run.holding(held, e.hold().mayWiden());
        run.caller = e.caller();
        run.command = e.command();
        lua.running = run;
        lua.watchdog.watch(run);
        run.memory.began();
        // allow-oom: its commands run over maxmemory, as Redis's (only its start was checked)
        state.store().memory().writesDespiteBudget(allowOom);
        try {
            if (evalMode) {
                lua.setGlobal(LuaRuntime.KEYS, keys);
                lua.setGlobal(LuaRuntime.ARGV, args);
                return LuaReplies.toReply(closure.call(), run.resp);
            }
            return LuaReplies.toReply(closure.call(keys, args), run.resp);
        } catch (LuaMemoryError err) {
            return new ErrorRedisMessage("ERR Error running script " + name + ", " + LuaMemoryError.MESSAGE);
        } catch (LuaError err) {
            return ScriptErrorReplies.of(lua.watchdog.inLua51Words(err), name);
        } catch (ScriptAbort abort) {
            return ScriptErrorReplies.at(abort.getMessage(), name, lua.watchdog.lastPosition());
        } catch (ScriptWidening widening) {
            return WIDEN;
        } catch (StackOverflowError overflow) {
            return new ErrorRedisMessage("ERR Error running script " + name + ", stack overflow");
        } finally {
            state.store().memory().writesDespiteBudget(false);
            run.memory.ended();
            lua.running = null;
            lua.watchdog.stop();
            run.ended();
            if (hold != ShardReservation.FREE) {
                BitSet here = new BitSet();
                here.set(state.shardId());
                keyspace.release(state.shardId(), here);
            }
        }
    }
}
