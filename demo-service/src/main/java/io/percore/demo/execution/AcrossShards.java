package io.percore.demo.execution;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.WatchedKeys;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.ShardFuture;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commands that hold several shards while they run: a transaction's EXEC, and any command whose keys lie
 * on several shards, which runs as a transaction of its own (every Redis command is atomic).
 *
 * <p>The shards are reserved one at a time in ascending shard order ({@link Keyspace#reserve}); a reserved
 * shard parks all other keyspace work until it is released. With every shard held, the commands run in
 * order through their own handlers against a keyspace bound to the transaction (whose calls the held
 * shards admit), their replies are collected, and the shards are released. No other command can observe
 * or touch the keys half way. Ascending order makes a cycle of waits impossible; see
 * docs/design/demo-service.md, "Transactions".
 */
public final class AcrossShards {

    private static final Logger LOG = LoggerFactory.getLogger(AcrossShards.class);

    /**
     * Commands without keys that touch no shard's keyspace (they answer from the connection or the
     * server's constants): a transaction with only these reserves nothing. Every other command
     * without key positions (DBSIZE, KEYS, FLUSHALL, INFO, ...) reserves every shard.
     */
    private static final Set<String> NO_KEYSPACE = Set.of("ping", "echo", "select", "time", "command", "hello", "auth",
            "client", "function", "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "script",
            "multi", "exec", "discard", "watch", "unwatch", "quit", "reset",
            "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "publish", "spublish", "pubsub");

    private AcrossShards() {
    }

    /**
     * Runs the transaction {@code multi} for {@code c} (EXEC once the queue was accepted): its shards and
     * the watched keys' held, the watched keys checked, then its commands in order; the reply is EXEC's
     * array, or a null array when a watched key changed.
     */
    public static void runTransaction(CommandContext c, MultiState multi) {
        RespSession session = c.session();
        long tx = c.local().nextGroupId();
        Keyspace bound = c.keyspace().boundTo(tx);
        BitSet shards = shardsOf(c.commands(), multi, session.watched.all(), bound);
        // Unwatched only once checked, or the owner would forget the version EXEC compares with.
        List<WatchedKeys.Watch> watches = session.watched.takeAll();

        // a tracking client's reads are remembered as its flags stand now (CLIENT CACHING lasts until EXEC ends)
        TrackedCommand[] tracked = trackedCommands(c, multi.commands());
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        bound.reserveInOrder(shards).flatMap(held -> anyWatchChanged(bound, watches))
                .whenComplete((changed, failure) -> {
                    if (failure != null) {
                        LOG.warn("Transaction {} could not reserve its shards {}", tx, shards, failure);
                        finish(c, bound, shards, watches, reply -> answer(c, slot, reply), RespReplies.forFailure(failure));
                    } else if (changed) {
                        finish(c, bound, shards, watches, reply -> answer(c, slot, reply), ArrayRedisMessage.NULL_INSTANCE);
                    } else {
                        new ExecRun(c, bound, multi.commands(), true, tracked,
                                replies -> finish(c, bound, shards, watches, reply -> answer(c, slot, reply), RespReplies.array(replies))).next();
                    }
                });
    }

    /** What each queued command tells the shards it reaches for client tracking (null: nothing for any). */
    private static TrackedCommand[] trackedCommands(CommandContext c, List<MultiState.Queued> queued) {
        if (c.session().tracking == null) {
            return null;
        }
        TrackedCommand[] tracked = new TrackedCommand[queued.size()];
        for (int i = 0; i < tracked.length; i++) {
            tracked[i] = c.connection().trackedCommand(queued.get(i).id(), queued.get(i).argv());
        }
        return tracked;
    }

    /**
     * The shards a command outside a transaction must hold while it runs ({@link CommandTable#spansShards}):
     * the owners of its keys, or every shard when some of its keys are known only as it runs (SORT ...
     * STORE with patterns); null when its keys are all on one shard (it runs as it is), its key count
     * is invalid (it answers its own error), or it is a SORT with patterns and no STORE, which reads
     * the patterns' keys in slices so that a huge one does not stop every shard.
     */
    public static BitSet shardsToHold(CommandTable commands, int id, byte[][] argv, Keyspace keyspace) {
        int[] keys = commands.keyPositions(id, argv);
        if (commands.reachesUnnamedKeys(id, argv)) {
            if (keys.length < 2) {
                return null; // SORT ... BY/GET without STORE reads its patterns' keys in slices (see SortCommands)
            }
            BitSet all = new BitSet();
            all.set(0, keyspace.shardCount());
            return all;
        }
        if (keys.length < 2) {
            return null;
        }
        int first = keyspace.shardOf(argv[keys[0]]);
        BitSet shards = null;
        for (int i = 1; i < keys.length; i++) {
            int s = keyspace.shardOf(argv[keys[i]]);
            if (s != first) {
                if (shards == null) {
                    shards = new BitSet();
                    shards.set(first);
                }
                shards.set(s);
            }
        }
        if (shards == null && READ_IN_BATCHES.contains(commands.fullName(id))) {
            shards = new BitSet();
            shards.set(first); // its batches are separate steps: held, so no other command comes between two
        }
        return shards;
    }

    /** Multi-key commands that read their keys in batches of steps, even on one shard (see HyperLogLogCommands). */
    private static final Set<String> READ_IN_BATCHES = Set.of("pfcount", "pfmerge");

    /**
     * What runs once a caller's shards are held, against {@code held}: the transaction's keyspace, and the
     * caller's connection otherwise (its reply is the run's). The door's run of a command's handler
     * ({@link CommandCall}), or a script run again holding the shards it reached for (ScriptingCommands): a step
     * of its own, not a command of the registry.
     */
    @FunctionalInterface
    public interface HeldStep {
        void run(CommandContext held);
    }

    /**
     * Runs {@code step} (a command whose keys lie on several shards, named {@code what}) atomically, as Redis
     * runs every command: a transaction of its own holds those shards ({@code shards}, reserved in ascending
     * order as EXEC reserves them) while the step runs against the transaction's keyspace, so no other command
     * sees half of it; its changes reach the append-only file and replicas as one MULTI ... EXEC. The reply is
     * the step's; the connection's later commands wait for it.
     */
    static void runAlone(CommandContext c, String what, BitSet shards, HeldStep step) {
        runAloneUnless(c, what, shards, NOTHING_REFUSED, step);
    }

    private static final Function<Keyspace, ShardFuture<String>> NOTHING_REFUSED = bound -> ShardFuture.completed(null);

    /**
     * As {@link #runAlone}, but once its shards are held {@code refusal} decides first: a non-null
     * error text is the reply instead and the step does not run (cluster mode: keys of a slot
     * migrating away, whose presence can change only while their shard is not held).
     */
    static void runAloneUnless(CommandContext c, String what, BitSet shards, Function<Keyspace, ShardFuture<String>> refusal,
                               HeldStep step) {
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        runAloneThen(c, what, shards, refusal, step, reply -> answer(c, slot, reply));
    }

    /** As {@link #runAlone}, for a caller that reserved the reply and holds the connection's barrier itself. */
    public static void runAloneThen(CommandContext c, String what, BitSet shards, HeldStep step, Consumer<RedisMessage> then) {
        runAloneThen(c, what, shards, NOTHING_REFUSED, step, then);
    }

    /**
     * As {@link #runAloneUnless}, for a caller that reserved the reply and holds the connection's
     * barrier itself: {@code then} gets the reply once the shards are released (a script that must
     * run again holding more shards, see ScriptingCommands).
     */
    private static void runAloneThen(CommandContext c, String what, BitSet shards, Function<Keyspace, ShardFuture<String>> refusal,
                                     HeldStep step, Consumer<RedisMessage> then) {
        long tx = c.local().nextGroupId();
        Keyspace bound = c.keyspace().boundTo(tx);
        bound.reserveInOrder(shards).whenComplete((held, failure) -> {
            if (failure != null) {
                LOG.warn("{} could not reserve its shards {}", what, shards, failure);
                finish(c, bound, shards, List.of(), then, RespReplies.forFailure(failure));
                return;
            }
            refusal.apply(bound).whenComplete((error, checkFailure) -> {
                if (checkFailure != null || error != null) {
                    finish(c, bound, shards, List.of(), then,
                            checkFailure != null ? RespReplies.forFailure(checkFailure) : new ErrorRedisMessage(error));
                    return;
                }
                ExecRun.step(c, bound, what, step, reply -> finish(c, bound, shards, List.of(), then, reply)).next();
            });
        });
    }

    private static void answer(CommandContext c, CommandContext.PendingReply slot, RedisMessage reply) {
        slot.complete(reply);
        c.endBarrier();
    }

    /** The shards owning the keys {@code argv} names (none for a keyless command or bad arguments: it answers its own error). */
    public static BitSet shardsOfKeys(CommandTable commands, int id, byte[][] argv, Keyspace keyspace) {
        BitSet shards = new BitSet(keyspace.shardCount());
        for (int k : commands.keyPositions(id, argv)) {
            shards.set(keyspace.shardOf(argv[k]));
        }
        return shards;
    }

    private static void finish(CommandContext c, Keyspace bound, BitSet shards, List<WatchedKeys.Watch> watches,
                               Consumer<RedisMessage> then, RedisMessage reply) {
        WatchedKeys.unwatch(bound, watches);
        // Released before the reply leaves: the client's next command to any of these shards travels
        // behind the release on the same FIFO ring, so it cannot be parked by this transaction. The
        // reply waits for the clients blocked on keys the transaction added to be served (as Redis's
        // EXEC serves them before its reply goes out), and for what its commands run here told
        // tracking clients on other shards to be enqueued there (taken now, before the turn ends).
        io.percore.engine.ShardFuture<Void> invalidations = c.local().tracking().takeAcks();
        bound.releaseAll(shards).whenComplete((v, failure) -> {
            if (invalidations == null) {
                then.accept(reply);
            } else {
                invalidations.whenComplete((x, e) -> {
                    then.accept(reply);
                });
            }
        });
    }

    /** The shards a transaction must hold: the owners of its commands' and watched keys, or all for keyless keyspace commands. */
    public static BitSet shardsOf(CommandTable commands, MultiState multi, List<WatchedKeys.Watch> watched, Keyspace keyspace) {
        BitSet shards = new BitSet(keyspace.shardCount());
        for (MultiState.Queued q : multi.commands()) {
            CommandSpec spec = q.spec();
            if (!commands.namesKeys(q.id())) {
                if (!NO_KEYSPACE.contains(spec.name())) {
                    shards.set(0, keyspace.shardCount());
                }
                continue;
            }
            if (commands.reachesUnnamedKeys(q.id(), q.argv())) {
                shards.set(0, keyspace.shardCount()); // SORT ... BY/GET pattern: its keys are known only as it runs
                continue;
            }
            int[] keys = commands.keyPositions(q.id(), q.argv());
            if (keys.length == 0) {
                // its arguments do not locate its keys: it will answer its own error; hold everything rather than guess
                shards.set(0, keyspace.shardCount());
                continue;
            }
            for (int k : keys) {
                shards.set(keyspace.shardOf(q.argv()[k]));
            }
        }
        for (WatchedKeys.Watch w : watched) {
            shards.set(w.shard());
        }
        return shards;
    }

    private static ShardFuture<Boolean> anyWatchChanged(Keyspace bound, List<WatchedKeys.Watch> watches) {
        ShardFuture<Boolean> changed = ShardFuture.completed(false);
        for (WatchedKeys.Watch w : watches) {
            ShardFuture<Boolean> one = bound.invokeOn(w.shard(),
                    st -> st.writes().database(w.db()).watchedKeyChanged(w.key(), w.version(), System.currentTimeMillis()));
            changed = changed.flatMap(sofar -> one.map(c -> sofar || c));
        }
        return changed;
    }
}
