package io.percore.demo.scripting;

import io.percore.demo.tracking.TrackedCommand;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import java.util.concurrent.TimeUnit;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaValue;

/**
 * One script running on a shard (Redis's {@code scriptRunCtx}): how it may write, the RESP it
 * speaks, whether it wrote yet, when it began and whether it was killed; and {@code redis.call}'s
 * way into the command table ({@code scriptCall}), with Redis's checks in Redis's order.
 */
final class ScriptRun implements Watchdog.Watched {

    private final Scripting scripting;
    private final KeyspaceShard local;
    private final CommandTable commands;
    private final ScriptCommandContext context;
    final String name;
    final boolean evalMode;
    final boolean readOnly;
    final boolean allowOom;
    final long startNanos = System.nanoTime();
    /** {@code busy-reply-threshold} when the script began, in nanoseconds (0: busy at the first check, as Redis). */
    private final long busyAfterNanos;
    /** When the script last let its shard answer its clients (busy only). */
    private long lastPollNanos;
    /** Whether the shard was over its memory budget when the script began (Redis's {@code pre_command_oom_state}). */
    private final boolean overBudgetAtStart;
    /** The command that runs the script (FUNCTION STATS shows it). */
    byte[][] command;
    int resp = 2;
    int replicationFlags = 3;
    /** The script ran a write command ({@code SCRIPT_WRITE_DIRTY}): it may no longer be killed. */
    volatile boolean dirty;
    volatile boolean killed;
    /** Past the busy threshold: registered with {@link Scripting} so other clients get -BUSY and KILL finds it. */
    boolean busy;

    /** What the script holds in its shard's Lua state, and its bound. */
    final LuaMemory memory;

    ScriptRun(Scripting scripting, LuaRuntime runtime, KeyspaceShard local, CommandTable commands, ScriptCommandContext context, String name,
              boolean evalMode, boolean readOnly, boolean allowOom, TrackedCommand trackedReads) {
        // the calling client's tracking of the script's declared keys when it remembers reads (else null): Redis 7.0
        // remembers them once the script calls a read-only command (trackingRememberKeys after EVAL), nothing for a
        // script that only writes; each read command runs with it, remembering them in the same step as its read
        context.trackReads(trackedReads);
        this.memory = new LuaMemory(runtime, scripting.luaHeapLimit());
        this.scripting = scripting;
        this.local = local;
        this.commands = commands;
        this.context = context;
        this.name = name;
        this.evalMode = evalMode;
        this.readOnly = readOnly;
        this.allowOom = allowOom;
        this.overBudgetAtStart = !local.store().makeRoom(System.currentTimeMillis());
        long threshold = context.server().config().busyReplyThreshold();
        this.busyAfterNanos = threshold >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(threshold);
    }

    /**
     * The watchdog's periodic look (Redis's {@code scriptInterrupt}): a killed script ends; past the
     * busy threshold the server is busy, and from then on the script lets its shard answer its
     * clients every {@link #POLL_EVERY_NANOS} ({@code -BUSY} but for SCRIPT KILL and the other
     * allow_busy commands).
     */
    @Override
    public LuaMemory memory() {
        return memory;
    }

    @Override
    public void check() {
        throwIfKilled();
        memory.check();
        long now = System.nanoTime();
        if (!busy) {
            if (now - startNanos >= busyAfterNanos) {
                busy = true;
                lastPollNanos = now;
                scripting.becameBusy(local.shardId(), this);
                // this shard's own clients: refused from now on, and those its hold parked are answered now
                context.server().busyScriptHere(scripting.busyError());
                scripting.busyChanged();
            }
            return;
        }
        if (now - lastPollNanos >= POLL_EVERY_NANOS) {
            lastPollNanos = now;
            Shard shard = Shard.currentOrNull();
            if (shard != null) {
                shard.pollIoNow();
                throwIfKilled(); // a SCRIPT KILL it just read
            }
        }
    }

    /** How often a busy script lets its shard read its sockets (Redis polls from its hook every 100,000 instructions). */
    static final long POLL_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private void throwIfKilled() {
        if (killed || scripting.stopping()) {
            throw new ScriptAbort("ERR Script killed by user with SCRIPT KILL..."); // Redis 7.0 says SCRIPT KILL for FUNCTION KILL too
        }
    }

    /** The script is over: the server is no longer busy with it (another shard's script may still make it so). */
    void ended() {
        if (busy) {
            scripting.notBusy(local.shardId(), this);
            context.server().busyScript(scripting.busyError());
            scripting.busyChanged();
        }
    }

    /** A string of {@code bytes} is about to be made by the script: refused past what a script may hold. */
    @Override
    public void checkStringSize(long bytes) {
        if (bytes > scripting.maxScriptString()) {
            throw new LuaError("string length overflow (larger than the Lua heap allows)");
        }
    }

    boolean knowsCommand(byte[][] argv) {
        return commands.lookup(argv) >= 0;
    }

    /** {@code redis.call}/{@code redis.pcall} of {@code argv}: the reply as Lua sees it, an error as an {@code err} table. */
    LuaValue call(byte[][] argv) {
        int id = commands.lookup(argv);
        if (CommandCall.refusal(commands, id, argv) != null) { // scriptCall's own words for processCommand's first refusals
            return ScriptErrors.errorTable(id < 0 ? "Unknown Redis command called from script"
                    : "Wrong number of args calling Redis command from script");
        }
        CommandSpec spec = commands.spec(id);
        // the table's precomputed flags: a call's checks scan no flag lists
        if (commands.refusedInScripts(id)) {
            return ScriptErrors.errorTable("This Redis command is not allowed from script");
        }
        boolean writes = commands.writes(id);
        if (readOnly && commands.mayWrite(id)) {
            return ScriptErrors.errorTable("Write commands are not allowed from read-only scripts.");
        }
        if (writes && noReplicasRefusal()) {
            return ScriptErrors.errorTable("-" + io.percore.demo.replication.Replication.NOREPLICAS); // scriptVerifyWriteCommandAllow
        }
        if (!allowOom && !dirty && commands.deniedOverBudget(id) && overBudgetAtStart()) {
            return ScriptErrors.errorTable("-" + io.percore.demo.kv.OutOfBudgetException.MESSAGE);
        }
        String refusal = keysRefusal(spec, argv);
        if (refusal != null) {
            if (refusal == ON_UNHELD_SHARD && mayWiden) {
                if (!hadEffects) {
                    throw new ScriptWidening(); // nothing it did so far shows: it runs again, holding every shard
                }
                scripting.widened(Scripting.widenedName(!evalMode, name)); // refused now, its next calls hold every shard
            }
            return ScriptErrors.errorTable(refusal);
        }
        if (writes) {
            dirty = true;
        }
        if (commands.mayWrite(id)) { // a write, PUBLISH, ...
            hadEffects = true;
        }
        ServerShard server = context.server();
        long started = System.nanoTime();
        context.begin();
        RedisMessage reply;
        try {
            context.tracking(commands.readsForTracking(id));
            spec.handler().handle(context, argv);
            reply = context.reply();
        } catch (RespError e) {
            reply = e.reply();
        } finally {
            context.tracking(false);
        }
        if (reply == null) {
            reply = new ErrorRedisMessage("ERR this command needs other shards and cannot run inside a script here");
        }
        CommandCall.reportFromScript(server, local, commands, id, argv, System.nanoTime() - started, reply instanceof ErrorRedisMessage,
                context.keyspace().db());
        return LuaReplies.toLua(reply, resp);
    }

    /**
     * A script may touch only the keys of the shards it holds: its own and its declared keys' (Redis
     * Cluster's rule, any key on another node is refused, declared or not), or every shard once it
     * widened; a command without keys that needs every shard (DBSIZE, KEYS, FLUSHALL, ...) needs
     * them all held.
     */
    private String keysRefusal(CommandSpec spec, byte[][] argv) {
        Keyspace keyspace = context.keyspace();
        int here = local.shardId();
        if (!spec.hasKeys()) {
            // DBSIZE, KEYS, SCAN, RANDOMKEY, FLUSHALL...: every shard's keys (PUBLISH reaches every shard by itself)
            boolean everyShard = commands.touchesKeyspace(commands.idOf(spec)) && !spec.flags().contains("pubsub");
            if (everyShard && !holdsEveryShard(keyspace)) {
                return ON_UNHELD_SHARD;
            }
            return null;
        }
        int[] keys = spec.keyIndicesOrNull(argv);
        if (keys == null) {
            return null; // the command answers its own error
        }
        if (spec.keyFinder() != null && spec.keyFinder().readsUnnamedKeys(argv) && !holdsEveryShard(keyspace)) {
            return ON_UNHELD_SHARD; // SORT ... BY/GET patterns: keys of any shard
        }
        for (int k : keys) {
            int owner = keyspace.shardOf(argv[k]);
            if (owner != here && (held == null || !held.get(owner))) {
                return ON_UNHELD_SHARD;
            }
        }
        return null;
    }

    private boolean noReplicasRefusal() {
        io.percore.demo.replication.Replication replication = context.server().replication();
        return replication != null && io.percore.demo.replication.Replication.NOREPLICAS.equals(replication.refusal(true));
    }

    private boolean holdsEveryShard(Keyspace keyspace) {
        return keyspace.shardCount() == 1 || (held != null && held.cardinality() == keyspace.shardCount());
    }

    /** The refusal of a key on a shard the script does not hold (compared by identity: it may widen the script's hold). */
    private static final String ON_UNHELD_SHARD = new String("Script attempted to access a non local key in a cluster node");

    /** The shards besides its own whose keys the script may touch (its declared keys' shards, held for it). */
    private java.util.BitSet held;
    /** Whether a key on a shard it does not hold ends this run to run it again holding every shard, while it has had no effect. */
    private boolean mayWiden;
    /** Whether the script has called a command that changes something others can see (a write, PUBLISH, ...). */
    private boolean hadEffects;

    void holding(java.util.BitSet shards, boolean mayWiden) {
        held = shards.cardinality() > 1 ? shards : null;
        this.mayWiden = mayWiden;
    }

    /**
     * Whether the script began with one of its shards over its memory budget (Redis's
     * {@code pre_command_oom_state}): its own shard's is known from the start; the other held shards
     * are asked once, by the script's first call of a denyoom command before it wrote (nothing but
     * the script ran on them since it began, and reads do not grow the keyspace).
     */
    private boolean overBudgetAtStart() {
        if (overBudgetAtStart || held == null || local.store().budget().maxBytes() <= 0) {
            return overBudgetAtStart; // every shard has an equal part of maxmemory: none, when this one has none
        }
        if (othersOverBudget == null) {
            othersOverBudget = anyOtherOverBudget(context.keyspace(), local.shardId(), held);
        }
        return othersOverBudget;
    }

    private Boolean othersOverBudget;

    /** Whether a shard of {@code held} other than {@code here} is over its budget and cannot make room (asked by waiting calls). */
    static boolean anyOtherOverBudget(Keyspace keyspace, int here, java.util.BitSet held) {
        for (int s = held.nextSetBit(0); s >= 0; s = held.nextSetBit(s + 1)) {
            if (s != here && Boolean.TRUE.equals(keyspace.invokeOn(s,
                    st -> !st.store().makeRoom(System.currentTimeMillis())).getNow())) {
                return true;
            }
        }
        return false;
    }

    static RedisMessage errorReply(String message) {
        return RespReplies.error(message);
    }
}
