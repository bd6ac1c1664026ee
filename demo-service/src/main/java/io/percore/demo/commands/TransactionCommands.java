package io.percore.demo.commands;

import io.percore.demo.kv.OutOfBudgetException;
import static io.percore.demo.resp.RespReplies.OK;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.WatchedKeys;
import io.percore.demo.execution.AcrossShards;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's {@code multi.c}) on a shared-nothing keyspace.
 *
 * <p>These are the commands' answers and checks (queuing, EXECABORT, the watched keys); EXEC runs the
 * queued commands atomically across shards through {@link AcrossShards#runTransaction}, which holds
 * every shard that owns a key of the transaction or a watched key while they run.
 */
public final class TransactionCommands {

    public static final SimpleStringRedisMessage QUEUED = new SimpleStringRedisMessage("QUEUED");
    static final ErrorRedisMessage EXECABORT = new ErrorRedisMessage("EXECABORT Transaction discarded because of previous errors.");

    /** Commands run immediately in MULTI instead of being queued, as in Redis's processCommand. */
    private static final Set<String> NOT_QUEUED = Set.of("exec", "discard", "multi", "watch", "quit", "reset");

    private TransactionCommands() {
    }

    /** Whether {@code spec}, sent in MULTI, is queued (rather than run now). */
    public static boolean queues(CommandSpec spec) {
        return !NOT_QUEUED.contains(spec.name());
    }

    /**
     * Redis refuses an EXEC with a {@code denyoom} command queued when the server is over maxmemory
     * (and any command while queuing, below). The budget is per shard here; the
     * connection's own shard stands for the server (every shard gets an equal part of maxmemory).
     */
    static boolean refusedForMemory(CommandContext c, CommandSpec spec) {
        return spec.flags().contains("denyoom") && overMaxmemory(c);
    }

    /** Admission in MULTI: a command a transaction may not hold (Redis's {@code no-multi} flag). */
    public static RespError refusedInMulti(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        return c.commands().refusedInMulti(id) ? NOT_IN_A_TRANSACTION : null;
    }

    /**
     * Admission of a command MULTI would queue: refused over maxmemory (queuing itself takes memory), as in
     * Redis's processCommand, and when it would make this transaction's queue with the shard's keys exceed the
     * shard's budget: queued commands are memory a client controls, and an unbounded queue would end the process
     * in OutOfMemoryError.
     */
    public static RespError refusedForMemoryWhileQueuing(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        return overMaxmemory(c) || overBudgetQueued(c, c.session().multi, argv) ? new RespError(OutOfBudgetException.MESSAGE) : null;
    }

    private static final RespError NOT_IN_A_TRANSACTION = new RespError("ERR Command not allowed inside a transaction");

    private static boolean overBudgetQueued(CommandContext c, MultiState multi, byte[][] argv) {
        long max = c.local().store().memory().budget().maxBytes();
        return max > 0 && c.local().store().memory().usedBytes() + multi.queuedBytes() + MultiState.bytesOf(argv) > max;
    }

    private static boolean overMaxmemory(CommandContext c) {
        return !c.local().store().makeRoom(System.currentTimeMillis());
    }

    public static void multi(CommandContext c, byte[][] argv) {
        RespSession session = c.session();
        if (session.multi != null) {
            throw new RespError("ERR MULTI calls can not be nested");
        }
        session.multi = new MultiState();
        c.reply(OK);
    }

    public static void discard(CommandContext c, byte[][] argv) {
        RespSession session = c.session();
        if (session.multi == null) {
            throw new RespError("ERR DISCARD without MULTI");
        }
        session.multi = null;
        session.watched.unwatchAll(c.keyspace());
        c.reply(OK);
    }

    public static void unwatch(CommandContext c, byte[][] argv) {
        c.session().watched.unwatchAll(c.keyspace());
        c.reply(OK);
    }

    /** WATCH key [key ...]: each owning shard registers the key and reports its version. */
    public static void watch(CommandContext c, byte[][] argv) {
        RespSession session = c.session();
        if (session.multi != null) {
            throw new RespError("ERR WATCH inside MULTI is not allowed");
        }
        Keyspace keyspace = c.keyspace();
        int db = keyspace.db(); // a key of the database selected now (Redis's c->db)
        List<ShardFuture<WatchedKeys.Watch>> parts = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            byte[] key = argv[i];
            if (session.watched.contains(db, key) || containsEarlier(argv, i)) {
                continue;
            }
            int owner = keyspace.shardOf(key);
            parts.add(keyspace.invokeOn(owner, st -> new WatchedKeys.Watch(key, db, owner,
                    st.writes().database(db).watch(key, System.currentTimeMillis()))));
        }
        CommandContext.PendingReply slot = c.reserve();
        ShardFuture<List<WatchedKeys.Watch>> all = ShardFuture.completed(new ArrayList<>());
        for (ShardFuture<WatchedKeys.Watch> part : parts) {
            all = all.flatMap(sofar -> part.map(w -> {
                sofar.add(w);
                return sofar;
            }));
        }
        all.whenComplete((watches, failure) -> {
            if (failure != null) {
                slot.complete(RespReplies.forFailure(failure));
                return;
            }
            watches.forEach(session.watched::add);
            slot.complete(OK);
        });
    }

    private static boolean containsEarlier(byte[][] argv, int i) {
        for (int j = 1; j < i; j++) {
            if (Arrays.equals(argv[j], argv[i])) {
                return true;
            }
        }
        return false;
    }

    /** EXEC: EXECABORT, a null reply when a watched key changed, or the array of the queued commands' replies. */
    public static void exec(CommandContext c, byte[][] argv) {
        RespSession session = c.session();
        MultiState multi = session.multi;
        if (multi == null) {
            throw new RespError("ERR EXEC without MULTI");
        }
        session.multi = null;
        // Redis rejects the EXEC itself first (processCommand's OOM check), then looks at queuing errors.
        for (MultiState.Queued q : multi.commands()) {
            if (refusedForMemory(c, q.spec())) {
                session.watched.unwatchAll(c.keyspace());
                c.reply(new ErrorRedisMessage("EXECABORT Transaction discarded because of: " + io.percore.demo.kv.OutOfBudgetException.MESSAGE));
                return;
            }
        }
        if (multi.aborted()) {
            session.watched.unwatchAll(c.keyspace());
            c.reply(EXECABORT);
            return;
        }
        AcrossShards.runTransaction(c, multi); // its shards held, the watched keys checked, its commands run
    }
}
