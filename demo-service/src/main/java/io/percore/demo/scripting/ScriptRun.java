package io.percore.demo.scripting;

import io.percore.demo.tracking.TrackedCommand;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.execution.AclChecks;
import io.percore.demo.execution.CallPolicy;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Shard;
import java.util.concurrent.TimeUnit;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaTable;
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
    /** Who the script runs for, as its calls are checked against the ACL (null: a replayed feed's, allowed everything). */
    AclChecks.ScriptCaller caller;
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

    /**
     * {@code redis.acl_check_cmd}: whether the script's caller may run {@code argv}; null when no command has its
     * name (without an arity check, as Redis's).
     */
    Boolean allows(byte[][] argv) {
        int id = commands.lookup(argv); // Redis's lookupCommand: an unknown subcommand is no command
        return id < 0 ? null : AclChecks.allows(context, caller, id, argv);
    }

    /** The error table the last call's refusal made (set by {@link #refused}). */
    private LuaTable refusal;
    /** When the running call began, for its figures. */
    private long callStarted;

    /**
     * {@code redis.call}/{@code redis.pcall} of {@code argv} (Redis's {@code scriptCall}): the reply as Lua sees
     * it, an error as an {@code err} table. Through {@link CommandCall} with this run as its policy; a call that
     * failed or was refused counts its error in INFO errorstats now, and its table says so, so that the script's
     * reply does not count it again.
     */
    LuaValue call(byte[][] argv) {
        refusal = null;
        int id = CommandCall.call(policy, context, argv);
        if (id < 0) {
            return refusal;
        }
        RedisMessage reply = context.reply();
        if (reply == null) {
            reply = new ErrorRedisMessage("ERR this command needs other shards and cannot run inside a script here");
        }
        boolean failed = reply instanceof ErrorRedisMessage;
        if (failed) {
            context.server().commandStats().error(((ErrorRedisMessage) reply).content());
        }
        CommandCall.report(context, id, argv, System.nanoTime() - callStarted, failed ? CommandCall.FAILED : CommandCall.SUCCEEDED);
        LuaValue value = LuaReplies.toLua(reply, resp);
        if (failed) {
            value.rawset(LuaReplies.IGNORE_ERROR_STATS, LuaValue.TRUE);
        }
        return value;
    }

    /** A script's way through {@link CommandCall}: Redis's {@code scriptCall} checks and words, its shards held already. */
    private final CallPolicy policy = new CallPolicy() {
        @Override
        public RespError lookupRefusal(CommandTable commands, int id, byte[][] argv) {
            return new RespError(id < 0 ? "ERR Unknown Redis command called from script"
                    : "ERR Wrong number of args calling Redis command from script");
        }

        @Override
        public RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
            return ScriptRun.this.refusal(id, spec, argv);
        }

        @Override
        public void refused(CommandContext c, int id, byte[][] argv, RespError error) {
            context.server().commandStats().error(error.getMessage()); // Redis's afterErrorReply in scriptCall
            refusal = ScriptErrors.errorTable("-" + error.getMessage());
            refusal.rawset(LuaReplies.IGNORE_ERROR_STATS, LuaValue.TRUE);
        }

        @Override
        public Run run() {
            return Run.HELD;
        }

        @Override
        public void begin(CommandContext c, int id, byte[][] argv) {
            if (commands.writes(id)) {
                dirty = true;
            }
            if (commands.mayWrite(id)) { // a write, PUBLISH, ...
                hadEffects = true;
            }
            callStarted = System.nanoTime();
            context.begin();
            context.tracking(commands.readsForTracking(id));
        }

        @Override
        public void ran(CommandContext c, int id, byte[][] argv) {
            context.tracking(false);
        }
    };

    /** {@code scriptCall}'s checks after the lookup's, in Redis's order (the table's precomputed flags: no flag lists scanned). */
    private RespError refusal(int id, CommandSpec spec, byte[][] argv) {
        if (commands.refusedInScripts(id)) {
            return new RespError("ERR This Redis command is not allowed from script");
        }
        RespError denied = AclChecks.script(context, caller, id, argv);
        if (denied != null) {
            return denied;
        }
        if (readOnly && commands.mayWrite(id)) {
            return new RespError("ERR Write commands are not allowed from read-only scripts.");
        }
        if (commands.writes(id) && noReplicasRefusal()) {
            return new RespError(io.percore.demo.replication.Replication.NOREPLICAS); // scriptVerifyWriteCommandAllow
        }
        if (!allowOom && !dirty && commands.deniedOverBudget(id) && overBudgetAtStart()) {
            return new RespError(io.percore.demo.kv.OutOfBudgetException.MESSAGE);
        }
        String refused = keysRefusal(id, spec, argv);
        if (refused != null) {
            if (refused == ON_UNHELD_SHARD && mayWiden) {
                if (!hadEffects) {
                    throw new ScriptWidening(); // nothing it did so far shows: it runs again, holding every shard
                }
                scripting.widened(Scripting.widenedName(!evalMode, name)); // refused now, its next calls hold every shard
            }
            return new RespError("ERR " + refused);
        }
        return null;
    }

    /**
     * A script may touch only the keys of the shards it holds: its own and its declared keys' (Redis
     * Cluster's rule, any key on another node is refused, declared or not), or every shard once it
     * widened; a command without keys that needs every shard (DBSIZE, KEYS, FLUSHALL, ...) needs
     * them all held.
     */
    private String keysRefusal(int id, CommandSpec spec, byte[][] argv) {
        Keyspace keyspace = context.keyspace();
        int here = local.shardId();
        if (!commands.namesKeys(id)) {
            // DBSIZE, KEYS, SCAN, RANDOMKEY, FLUSHALL...: every shard's keys (PUBLISH reaches every shard by itself)
            boolean everyShard = commands.touchesKeyspace(id) && !spec.flags().contains("pubsub");
            if (everyShard && !holdsEveryShard(keyspace)) {
                return ON_UNHELD_SHARD;
            }
            return null;
        }
        if (commands.reachesUnnamedKeys(id, argv) && !holdsEveryShard(keyspace)) {
            return ON_UNHELD_SHARD; // SORT ... BY/GET patterns: keys of any shard
        }
        // none for a bad key count: the command answers its own error
        for (int k : commands.keyPositions(id, argv)) {
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
        if (overBudgetAtStart || held == null || local.store().memory().budget().maxBytes() <= 0) {
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
