package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.server.ServerShard;
import io.percore.engine.Shard;
import io.percore.engine.Sharded;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.WatchedKeys;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.server.RespSettings;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH (Redis's {@code multi.c}) on a shared-nothing keyspace.
 *
 * <p>EXEC runs the queued commands atomically across shards: it reserves every shard that owns a
 * key of the transaction (or of a watched key), one at a time in ascending shard order
 * ({@link Keyspace#reserve}); a reserved shard parks all other keyspace work until it is released.
 * With every shard held it checks the watched keys, runs the commands in order through their own
 * handlers against a keyspace bound to the transaction (whose calls the held shards admit),
 * collects their replies into EXEC's array, and releases the shards. No other command can observe
 * or touch the transaction's keys half way. Ascending order makes a cycle of waits impossible; see
 * the demo README's "Transactions".
 */
public final class TransactionCommands {

    private static final Logger LOG = LoggerFactory.getLogger(TransactionCommands.class);

    public static final SimpleStringRedisMessage QUEUED = new SimpleStringRedisMessage("QUEUED");
    static final ErrorRedisMessage EXECABORT = new ErrorRedisMessage("EXECABORT Transaction discarded because of previous errors.");

    /** Commands run immediately in MULTI instead of being queued, as in Redis's processCommand. */
    private static final Set<String> NOT_QUEUED = Set.of("exec", "discard", "multi", "watch", "quit", "reset");

    /**
     * Commands without keys that touch no shard's keyspace (they answer from the connection or the
     * server's constants): a transaction with only these reserves nothing. Every other command
     * without key positions (DBSIZE, KEYS, FLUSHALL, INFO, ...) reserves every shard.
     */
    private static final Set<String> NO_KEYSPACE = Set.of("ping", "echo", "select", "time", "command", "hello", "auth",
            "client", "function", "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "script",
            "multi", "exec", "discard", "watch", "unwatch", "quit", "reset",
            "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "publish", "spublish", "pubsub");

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

    /**
     * Any command queued in MULTI over maxmemory is refused (queuing itself takes memory), as in
     * Redis's processCommand; and so is one that would make this transaction's queue with the
     * shard's keys exceed the shard's budget: queued commands are memory a client controls, and an
     * unbounded queue would end the process in OutOfMemoryError.
     */
    public static boolean refusedWhileQueuing(CommandContext c, MultiState multi, byte[][] argv) {
        if (overMaxmemory(c)) {
            return true;
        }
        long max = c.local().store().budget().maxBytes();
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
        List<ShardFuture<WatchedKeys.Watch>> parts = new ArrayList<>();
        for (int i = 1; i < argv.length; i++) {
            byte[] key = argv[i];
            if (session.watched.contains(key) || containsEarlier(argv, i)) {
                continue;
            }
            int owner = keyspace.shardOf(key);
            parts.add(keyspace.invokeOn(owner, st -> new WatchedKeys.Watch(key, owner, st.writes().watch(key, System.currentTimeMillis()))));
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
        KeyspaceShard local = c.local();
        long tx = local.nextGroupId();
        Keyspace bound = c.keyspace().boundTo(tx);
        BitSet shards = shardsOf(multi, session.watched.all(), bound);
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
    public static BitSet shardsToHold(CommandSpec spec, byte[][] argv, Keyspace keyspace) {
        int[] keys;
        try {
            keys = spec.keyIndices(argv);
        } catch (RespError e) {
            return null;
        }
        if (spec.keyFinder() != null && spec.keyFinder().readsUnnamedKeys(argv)) {
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
        if (shards == null && READ_IN_BATCHES.contains(spec.name())) {
            shards = new BitSet();
            shards.set(first); // its batches are separate steps: held, so no other command comes between two
        }
        return shards;
    }

    /** Multi-key commands that read their keys in batches of steps, even on one shard (see HyperLogLogCommands). */
    private static final Set<String> READ_IN_BATCHES = Set.of("pfcount", "pfmerge");

    /**
     * Runs a command whose keys lie on several shards atomically, as Redis runs every command: a
     * transaction of its own holds those shards ({@code shards}, reserved in ascending order as EXEC
     * reserves them) while the command's own handler runs against the transaction's keyspace, so no
     * other command sees half of it; its changes reach the append-only file and replicas as one
     * MULTI ... EXEC. The reply is the command's; the connection's later commands wait for it.
     */
    public static void runAlone(CommandContext c, CommandSpec spec, byte[][] argv, BitSet shards) {
        runAloneUnless(c, spec, argv, shards, NOTHING_REFUSED);
    }

    private static final Function<Keyspace, ShardFuture<String>> NOTHING_REFUSED = bound -> ShardFuture.completed(null);

    /**
     * As {@link #runAlone}, but once its shards are held {@code refusal} decides first: a non-null
     * error text is the reply instead and the command does not run (cluster mode: keys of a slot
     * migrating away, whose presence can change only while their shard is not held).
     */
    public static void runAloneUnless(CommandContext c, CommandSpec spec, byte[][] argv, BitSet shards,
                                      Function<Keyspace, ShardFuture<String>> refusal) {
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        runAloneThen(c, spec, argv, shards, refusal, reply -> answer(c, slot, reply));
    }

    /**
     * As {@link #runAloneUnless}, for a caller that reserved the reply and holds the connection's
     * barrier itself: {@code then} gets the reply once the shards are released (a script that must
     * run again holding more shards, see ScriptingCommands).
     */
    public static void runAloneThen(CommandContext c, CommandSpec spec, byte[][] argv, BitSet shards,
                                    Function<Keyspace, ShardFuture<String>> refusal, Consumer<RedisMessage> then) {
        long tx = c.local().nextGroupId();
        Keyspace bound = c.keyspace().boundTo(tx);
        bound.reserveInOrder(shards).whenComplete((held, failure) -> {
            if (failure != null) {
                LOG.warn("{} could not reserve its shards {}", spec.name(), shards, failure);
                finish(c, bound, shards, List.of(), then, RespReplies.forFailure(failure));
                return;
            }
            refusal.apply(bound).whenComplete((error, checkFailure) -> {
                if (checkFailure != null || error != null) {
                    finish(c, bound, shards, List.of(), then,
                            checkFailure != null ? RespReplies.forFailure(checkFailure) : new ErrorRedisMessage(error));
                    return;
                }
                new ExecRun(c, bound, List.of(new MultiState.Queued(-1, spec, argv)), false, null,
                        replies -> finish(c, bound, shards, List.of(), then, replies.get(0))).next();
            });
        });
    }

    private static void answer(CommandContext c, CommandContext.PendingReply slot, RedisMessage reply) {
        slot.complete(reply);
        c.endBarrier();
    }

    /** The shards owning the keys {@code argv} names (none for a keyless command or bad arguments). */
    public static BitSet shardsOfKeys(CommandSpec spec, byte[][] argv, Keyspace keyspace) {
        BitSet shards = new BitSet(keyspace.shardCount());
        try {
            for (int k : spec.keyIndices(argv)) {
                shards.set(keyspace.shardOf(argv[k]));
            }
        } catch (RespError e) {
            // the command answers its own error
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
    static BitSet shardsOf(MultiState multi, List<WatchedKeys.Watch> watched, Keyspace keyspace) {
        BitSet shards = new BitSet(keyspace.shardCount());
        for (MultiState.Queued q : multi.commands()) {
            CommandSpec spec = q.spec();
            if (!spec.hasKeys()) {
                if (!NO_KEYSPACE.contains(spec.name())) {
                    shards.set(0, keyspace.shardCount());
                }
                continue;
            }
            if (spec.keyFinder() != null && spec.keyFinder().readsUnnamedKeys(q.argv())) {
                shards.set(0, keyspace.shardCount()); // SORT ... BY/GET pattern: its keys are known only as it runs
                continue;
            }
            int[] keys;
            try {
                keys = spec.keyIndices(q.argv());
            } catch (RespError e) {
                // the command will answer its own error; hold everything rather than guess
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
                    st -> st.writes().watchedKeyChanged(w.key(), w.version(), System.currentTimeMillis()));
            changed = changed.flatMap(sofar -> one.map(c -> sofar || c));
        }
        return changed;
    }

    /**
     * Runs the queued commands one after another through their handlers, each seeing the
     * connection through this context except for the keyspace (bound to the transaction) and its
     * replies (collected in order). The next command starts when the previous one has replied and
     * released any barrier it raised, so commands of one transaction never overlap.
     */
    private static final class ExecRun implements CommandContext {

        private final CommandContext connection;
        private final Keyspace bound;
        /** The keyspace the running command sees: {@link #bound}, or its view for a tracking client's command. */
        private Keyspace current;
        private final List<MultiState.Queued> commands;
        /** What each command tells the shards it reaches for client tracking; null when the client does not track. */
        private final TrackedCommand[] tracked;
        /** Each command's figures counted as its own (EXEC's); a command run alone is counted by its connection. */
        private final boolean countEach;
        private final java.util.function.Consumer<List<RedisMessage>> done;
        private final RedisMessage[] replies;
        private int index;
        /** When the running command started: its time is reported with its reply (INFO commandstats, the slow log). */
        private long started;
        private boolean replied;
        private boolean barrier;
        private boolean running;

        ExecRun(CommandContext connection, Keyspace bound, List<MultiState.Queued> commands, boolean countEach,
                TrackedCommand[] tracked, java.util.function.Consumer<List<RedisMessage>> done) {
            this.countEach = countEach;
            this.tracked = tracked;
            this.connection = connection;
            this.bound = bound;
            this.current = bound;
            this.commands = commands;
            this.done = done;
            this.replies = new RedisMessage[commands.size()];
        }

        void next() {
            while (index < commands.size()) {
                int run = singleKeyRun(index);
                if (run >= 2) {
                    runByShard(index, run);
                    return; // continued once every shard answered
                }
                MultiState.Queued q = commands.get(index);
                replied = false;
                barrier = false;
                running = true;
                started = System.nanoTime();
                bound.step(index + 1); // its changes on every shard carry its place in the transaction
                current = tracked == null || tracked[index] == null ? bound : bound.trackedBy(tracked[index]);
                try {
                    q.spec().handler().handle(this, q.argv());
                } catch (RespError e) {
                    fill(e.reply());
                } catch (RuntimeException e) {
                    LOG.warn("Command {} failed inside EXEC", q.spec().name(), e);
                    fill(RespReplies.forFailure(e));
                } finally {
                    running = false;
                }
                if (!replied || barrier) {
                    return; // continued by the reply or the end of the barrier
                }
                index++;
            }
            done.accept(Arrays.asList(replies));
        }

        /** How many queued commands from {@code from} on are single-key commands (run on their key's shard alone). */
        private int singleKeyRun(int from) {
            int n = 0;
            while (from + n < commands.size() && commands.get(from + n).spec().handler() instanceof OnKeyOwner) {
                n++;
            }
            return n;
        }

        /**
         * Runs {@code n} single-key commands from {@code from}: each shard gets its commands in one
         * message and runs them in their order (this shard runs its own at once), so a 200,000-command
         * transaction costs one round trip per shard, not one per command. Commands on different
         * shards touch different keys, so running each shard's in order is running them all in order.
         * They share one step of the transaction (their changes need no order between shards).
         */
        private void runByShard(int from, int n) {
            int step = from + 1;
            bound.step(step);
            long startedAt = System.nanoTime();
            int shards = bound.shardCount();
            List<List<Integer>> byShard = new java.util.ArrayList<>(shards);
            for (int s = 0; s < shards; s++) {
                byShard.add(null);
            }
            for (int i = from; i < from + n; i++) {
                int owner = bound.shardOf(((OnKeyOwner) commands.get(i).spec().handler()).key(commands.get(i).argv()));
                if (byShard.get(owner) == null) {
                    byShard.set(owner, new java.util.ArrayList<>());
                }
                byShard.get(owner).add(i);
            }
            int here = connection.shard().id();
            int[] remaining = {0};
            for (int s = 0; s < shards; s++) {
                if (byShard.get(s) != null && s != here) {
                    remaining[0]++;
                }
            }
            Runnable whenAllAnswered = () -> {
                long nanos = (System.nanoTime() - startedAt) / n; // each command's share of the batch's time
                for (int i = from; i < from + n; i++) {
                    MultiState.Queued q = commands.get(i);
                    connection.ranInTransaction(q.id(), q.spec(), q.argv(), nanos, replies[i]);
                }
                index = from + n;
                next();
            };
            for (int s = 0; s < shards; s++) {
                List<Integer> mine = byShard.get(s);
                if (mine == null || s == here) {
                    continue;
                }
                byte[][][] argvs = new byte[mine.size()][][];
                OnKeyOwner[] handlers = new OnKeyOwner[mine.size()];
                TrackedCommand[] trackedHere = new TrackedCommand[mine.size()];
                for (int k = 0; k < argvs.length; k++) {
                    MultiState.Queued q = commands.get(mine.get(k));
                    argvs[k] = q.argv();
                    handlers[k] = (OnKeyOwner) q.spec().handler();
                    trackedHere[k] = trackedOf(mine.get(k));
                }
                bound.invokeOn(s, state -> {
                    RedisMessage[] out = new RedisMessage[argvs.length];
                    for (int k = 0; k < argvs.length; k++) {
                        out[k] = handlers[k].runHere(state, argvs[k], step, trackedHere[k]);
                    }
                    return out;
                }).whenComplete((answers, failure) -> {
                    for (int k = 0; k < mine.size(); k++) {
                        replies[mine.get(k)] = failure == null ? answers[k] : RespReplies.forFailure(failure);
                    }
                    if (--remaining[0] == 0) {
                        whenAllAnswered.run();
                    }
                });
            }
            List<Integer> local = byShard.get(here);
            if (local != null) {
                for (int i : local) {
                    MultiState.Queued q = commands.get(i);
                    replies[i] = ((OnKeyOwner) q.spec().handler()).runHere(connection.local(), q.argv(), step, trackedOf(i));
                }
            }
            if (remaining[0] == 0) {
                whenAllAnswered.run();
            }
        }

        private void fill(RedisMessage reply) {
            if (replied) {
                return; // one reply per command
            }
            replies[index] = reply;
            replied = true;
            MultiState.Queued q = commands.get(index);
            if (countEach) {
                connection.ranInTransaction(q.id(), q.spec(), q.argv(), System.nanoTime() - started, reply);
            }
            resumeIfReady();
        }

        private void resumeIfReady() {
            if (!running && replied && !barrier) {
                index++;
                next();
            }
        }

        @Override
        public Shard shard() {
            return connection.shard();
        }

        @Override
        public Keyspace keyspace() {
            return current;
        }

        /** What queued command {@code i} tells the shards it reaches: a tracking client's reads inside EXEC are remembered, as Redis's call() does. */
        private TrackedCommand trackedOf(int i) {
            return tracked == null ? null : tracked[i];
        }

        @Override
        public KeyspaceShard local() {
            return connection.local();
        }

        @Override
        public ServerShard server() {
            return connection.server();
        }

        @Override
        public Sharded<ServerShard> servers() {
            return connection.servers();
        }

        @Override
        public io.percore.demo.server.ClientMemory memory() {
            return connection.memory();
        }

        @Override
        public ConnectionControl connection() {
            return connection.connection();
        }

        @Override
        public PubSub pubsub() {
            return connection.pubsub();
        }

        @Override
        public Subscriber subscriber() {
            return connection.subscriber();
        }

        @Override
        public RespSession session() {
            return connection.session();
        }

        @Override
        public RespSettings settings() {
            return connection.settings();
        }

        @Override
        public CommandTable commands() {
            return connection.commands();
        }

        @Override
        public String remoteAddress() {
            return connection.remoteAddress();
        }

        @Override
        public String localAddress() {
            return connection.localAddress();
        }

        @Override
        public void reply(RedisMessage reply) {
            fill(reply);
        }

        @Override
        public void replyAndClose(RedisMessage reply) {
            fill(reply);
        }

        @Override
        public PendingReply reserve() {
            return this::fill;
        }

        @Override
        public void beginBarrier() {
            barrier = true;
        }

        @Override
        public boolean draining() {
            return connection.draining();
        }

        /** Redis runs a blocking command inside a transaction as if it could not block. */
        @Override
        public boolean mayBlock() {
            return false;
        }

        @Override
        public void endBarrier() {
            barrier = false;
            resumeIfReady();
        }
    }
}
