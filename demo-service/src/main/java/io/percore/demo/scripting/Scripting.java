package io.percore.demo.scripting;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.resp.RespError;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Engine;
import io.percore.engine.ShardFuture;
import io.percore.engine.Sharded;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Scripting across the shards (Redis's {@code eval.c} and {@code script.c} for a server of many
 * shards): a {@link ScriptShard} on each, and the one thing shards share about scripts, which a
 * shard busy in Lua cannot be asked by message: which shard runs a script past the
 * {@code busy-reply-threshold} and the flag that kills it. Those live here as a volatile array that
 * any thread reads (the busy shard's own thread cannot read its rings while Lua runs).
 */
public final class Scripting implements AutoCloseable {

    /** The flags a script's shebang or a function may have, in Redis's order (FUNCTION LIST shows them so). */
    public static final java.util.List<String> FLAG_NAMES = java.util.List.of(Scripts.FLAG_NAMES);

    private final Sharded<ScriptShard> shards;
    private final AtomicReferenceArray<ScriptRun> busy;
    /** The longest string a script may make: Lua's own bound (MAX_SIZET in Redis's 32-bit string lengths is larger). */
    private final long maxScriptString = 512L << 20;
    /** The most a shard's Lua state may hold while a script runs ({@link LuaMemory}). */
    private final long luaHeapLimit;
    /** The server is stopping: every script ends at its next check, written or not. */
    private volatile boolean stopping;
    private volatile Runnable busyChanged = () -> { };
    /**
     * The scripts (SHA1, or "function " and a function's name) that touched keys of a shard they
     * did not hold before any effect: they run holding every shard from then on, instead of
     * starting on their own and running twice. Forgotten all at once when full: it only saves work.
     */
    private final java.util.Set<String> widened = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean anyWidened;
    static final int MOST_WIDENED = 10_000;

    private Scripting(Sharded<ScriptShard> shards, int shardCount) {
        this.shards = shards;
        this.luaHeapLimit = LuaMemory.limitPerShard(shardCount);
        this.busy = new AtomicReferenceArray<>(shardCount);
    }

    /** Creates a {@link ScriptShard} on every shard of {@code engine} (blocks; call off-shard). */
    public static Scripting start(Engine engine, io.percore.demo.shard.Keyspace keyspace) {
        long heapLimit = LuaMemory.limitPerShard(engine.shardCount());
        return new Scripting(Sharded.start(engine, id -> new ScriptShard(id, keyspace, heapLimit)), engine.shardCount());
    }

    /** Every shard's figures for INFO memory, in shard order. */
    public ShardFuture<java.util.List<ScriptShard.Figures>> figures() {
        return shards.mapReduce(s -> java.util.List.of(s.figures()), java.util.List.of(), (a, b) -> {
            java.util.List<ScriptShard.Figures> all = new java.util.ArrayList<>(a);
            all.addAll(b);
            return all;
        });
    }

    /** This shard's scripting. Shard thread only. */
    public ScriptShard local() {
        return shards.local();
    }

    public Sharded<ScriptShard> shards() {
        return shards;
    }

    // ------------------------------------------------------------------ EVAL

    /** How {@link #widened} knows a script: its SHA1, or a function's name. */
    public static String widenedName(boolean function, String shaOrName) {
        return function ? "function " + shaOrName : shaOrName;
    }

    /** {@code script} touched keys of a shard it did not hold before any effect (any shard's thread). */
    public void widened(String script) {
        if (widened.size() >= MOST_WIDENED) {
            widened.clear();
        }
        widened.add(script);
        anyWidened = true;
    }

    /** Whether any script ever widened its hold: a volatile read, so that the common case pays no lookup. */
    public boolean anyWidened() {
        return anyWidened;
    }

    public boolean isWidened(String script) {
        return widened.contains(script);
    }

    /**
     * Runs {@code eval} on this shard (which owns its keys; the caller sends it here) from the
     * shard's queue of scripts; completes on this shard with its reply.
     */
    public ShardFuture<ScriptShard.Outcome> evalHere(ScriptShard.Eval eval, KeyspaceShard state) {
        return local().submit(this, eval, state);
    }

    /** SCRIPT LOAD and a new EVAL: every shard compiles and keeps {@code body}; completes with its SHA1 once all did. */
    public ShardFuture<String> loadEverywhere(byte[] body, boolean fromEval) {
        return shards.mapReduce(s -> {
            try {
                return s.load(body, fromEval);
            } catch (RespError e) {
                return "-" + e.getMessage();
            }
        }, null, (a, b) -> a != null && a.startsWith("-") ? a : b);
    }

    /** SCRIPT FLUSH on every shard. */
    public ShardFuture<Void> flushEverywhere() {
        return shards.mapReduce(s -> {
            s.flush();
            return null;
        }, null, (a, b) -> null);
    }

    // ------------------------------------------------------------------ function libraries

    /**
     * A change of the function libraries (FUNCTION LOAD, DELETE, FLUSH, RESTORE), made first on
     * shard 0, which orders every such change: there it runs as a unit of shard 0's write path
     * (parked behind a transaction holding shard 0, part of one that runs it), which reports
     * {@code propagate} when it succeeded, so a snapshot or a rewrite taken on shard 0 holds the
     * library exactly when the log after it does not. Then every other shard makes it, each in
     * the order shard 0 sent them, and the reply comes once all did. A change that fails on
     * shard 0 (a library that does not compile, a name taken) changes nothing anywhere.
     *
     * @param keyspace the caller's keyspace (bound to its transaction inside EXEC)
     * @param change   what to do to a shard's libraries: its reply, or a {@link RespError}
     */
    public ShardFuture<RedisMessage> changeFunctions(io.percore.demo.shard.Keyspace keyspace,
                                                     java.util.function.Function<FunctionLibraries, RedisMessage> change,
                                                     byte[][] propagate, boolean denyOom) {
        // inline when the caller is shard 0 (a task of its own could run after a transaction this connection sends next took shard 0)
        return keyspace.invokeOnAsync(0, zero -> {
            List<ShardFuture<Void>> others = new ArrayList<>();
            return keyspace.invokeOn(0, state -> {
                if (denyOom && !state.store().makeRoom(System.currentTimeMillis())) {
                    return (RedisMessage) io.percore.demo.resp.RespReplies.OOM_REPLY;
                }
                RedisMessage reply;
                try {
                    reply = local().changeFunctions(change);
                } catch (RespError e) {
                    return (RedisMessage) e.reply();
                }
                state.store().changes().propagate(propagate);
                // sent now, from shard 0: every shard makes the changes in the order shard 0 made them
                for (int i = 1; i < shards.shardCount(); i++) {
                    others.add(shards.invokeOn(i, s -> {
                        try {
                            s.changeFunctions(change);
                        } catch (RespError e) {
                            // deterministic, so only a bound hit on this shard alone (its heap) can make it differ
                            org.slf4j.LoggerFactory.getLogger(Scripting.class).warn("A function library change that shard 0 made "
                                    + "failed on another shard: {}", e.getMessage());
                        }
                        return null;
                    }));
                }
                return reply;
            }).flatMap(reply -> {
                ShardFuture<Void> all = ShardFuture.completed(null);
                for (ShardFuture<Void> one : others) {
                    all = all.flatMap(v -> one);
                }
                return all.map(v -> reply);
            });
        });
    }

    /** Reads this shard's libraries (every shard has the same). */
    public <R> R readFunctions(java.util.function.Function<FunctionLibraries, R> read) {
        return read.apply(local().functions());
    }

    // ------------------------------------------------------------------ busy scripts

    /** The most a shard's Lua state may hold while a script runs. */
    public long luaHeapLimit() {
        return luaHeapLimit;
    }

    long maxScriptString() {
        return maxScriptString;
    }

    void becameBusy(int shard, ScriptRun run) {
        busy.set(shard, run);
    }

    void notBusy(int shard, ScriptRun run) {
        busy.compareAndSet(shard, run, null);
    }

    /**
     * What tells the other shards that a script went busy or stopped being so ({@link #busyError}
     * changed): called on the script's shard, at the moment, while the script still holds the shard.
     */
    public void onBusyChange(Runnable tellOthers) {
        this.busyChanged = java.util.Objects.requireNonNull(tellOthers, "tellOthers");
    }

    void busyChanged() {
        busyChanged.run();
    }

    /** Whether a script runs past the busy threshold on any shard (commands other than allow_busy ones get -BUSY). */
    public boolean anyBusy() {
        for (int i = 0; i < busy.length(); i++) {
            if (busy.get(i) != null) {
                return true;
            }
        }
        return false;
    }

    /** The function running past the busy threshold on some shard (FUNCTION STATS' running_script), else null. */
    public RunningFunction busyFunction() {
        for (int i = 0; i < busy.length(); i++) {
            ScriptRun run = busy.get(i);
            if (run != null && !run.evalMode) {
                return new RunningFunction(run.name, run.command, (System.nanoTime() - run.startNanos) / 1_000_000);
            }
        }
        return null;
    }

    /** Whether an EVAL runs past the busy threshold on some shard. */
    public boolean busyEval() {
        for (int i = 0; i < busy.length(); i++) {
            ScriptRun run = busy.get(i);
            if (run != null && run.evalMode) {
                return true;
            }
        }
        return false;
    }

    /** A function running now: its name, the command that runs it, for how long. */
    public record RunningFunction(String name, byte[][] command, long millis) {
    }

    /** The -BUSY error for a command refused while a script is busy, by the kind of script running. */
    public String busyError() {
        for (int i = 0; i < busy.length(); i++) {
            ScriptRun run = busy.get(i);
            if (run != null) {
                return run.evalMode
                        ? "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE."
                        : "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
            }
        }
        return null;
    }

    /**
     * SCRIPT KILL ({@code eval}) or FUNCTION KILL: Redis's {@code scriptKill}. Any thread: it sets the
     * busy script's flag, which its shard's watchdog reads.
     *
     * @return OK, or the error's text
     */
    public String kill(boolean eval) {
        for (int i = 0; i < busy.length(); i++) {
            ScriptRun run = busy.get(i);
            if (run == null) {
                continue;
            }
            if (run.dirty) {
                return "UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the "
                        + "script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.";
            }
            if (eval && !run.evalMode) {
                return "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.";
            }
            if (!eval && run.evalMode) {
                return "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.";
            }
            run.killed = true;
            return null;
        }
        return "NOTBUSY No scripts in execution right now.";
    }

    /** Shutdown (SHUTDOWN, SIGTERM): every running script ends at its next check, written or not. */
    public void killAll() {
        stopping = true;
    }

    boolean stopping() {
        return stopping;
    }

    @Override
    public void close() {
        killAll();
        shards.stop();
    }

    /** The SHA1 a script is known by (EVALSHA, SCRIPT EXISTS): lower-case hex. */
    /**
     * Whether an EVAL of {@code body} (or, {@code body} null, an EVALSHA of {@code sha}) may write, as Redis's
     * {@code evalGetCommandFlags} decides for CLIENT PAUSE WRITE and MULTI: a script with a shebang writes
     * unless it declares {@code no-writes}; one without (or one this shard does not know) may, as EVAL's flags say.
     */
    public boolean evalMayWrite(byte[] body, String sha) {
        int flags = -1;
        if (sha != null && sha.length() == 40) {
            flags = local().flagsOf(sha.toLowerCase(java.util.Locale.ROOT));
        }
        if (flags < 0 && body != null) {
            try {
                flags = Scripts.shebangFlags(body);
            } catch (io.percore.demo.resp.RespError bad) {
                return true; // it will be refused as it runs
            }
        }
        return flags < 0 || (flags & Scripts.EVAL_COMPAT) != 0 || (flags & Scripts.NO_WRITES) == 0;
    }

    public static String sha1hex(byte[] body) {
        return Scripts.sha1hex(body);
    }

    /** Passes {@code reply} through: a helper for callers composing futures. */
    static RedisMessage same(RedisMessage reply) {
        return reply;
    }
}
