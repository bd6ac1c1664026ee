package io.percore.demo.execution;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.Caller;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.command.ShardServices;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.tracking.TrackedCommand;
import io.percore.engine.FatalErrorHandler;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the queued commands one after another through their handlers, each seeing the
 * connection through this context except for the keyspace (bound to the transaction) and its
 * replies (collected in order). The next command starts when the previous one has replied and
 * released any barrier it raised, so commands of one transaction never overlap. A command whose keys
 * span shards, or a script run again, runs here the same way as a step of its own ({@link AcrossShards#runAlone}).
 */
final class ExecRun implements CommandContext {

    private static final Logger LOG = LoggerFactory.getLogger(ExecRun.class);

    private final CommandContext connection;
    /** The transaction's keyspace, bound to the database selected now (a queued SELECT changes it). */
    private Keyspace bound;
    /** The keyspace the running command sees: {@link #bound}, or its view for a tracking client's command. */
    private Keyspace current;
    private final List<MultiState.Queued> commands;
    /** A caller's one step instead of a queue (a command alone across shards, a script run again), named for the log; else null. */
    private final AcrossShards.HeldStep step;
    private final String stepName;
    /** What each command tells the shards it reaches for client tracking; null when the client does not track. */
    private final TrackedCommand[] tracked;
    /** Each command's figures counted as its own (EXEC's); a command run alone is counted by its connection. */
    private final boolean countEach;
    private final Consumer<List<RedisMessage>> done;
    private final RedisMessage[] replies;
    private int index;
    /** When the running command started: its time is reported with its reply (INFO commandstats, the slow log). */
    private long started;
    private boolean replied;
    private boolean barrier;
    private boolean running;

    ExecRun(CommandContext connection, Keyspace bound, List<MultiState.Queued> commands, boolean countEach,
            TrackedCommand[] tracked, Consumer<List<RedisMessage>> done) {
        this(connection, bound, commands, countEach, tracked, null, null, done);
    }

    /** A run of {@code commands}, or of {@code step} alone when it is not null (then commands is empty and one reply is made). */
    private ExecRun(CommandContext connection, Keyspace bound, List<MultiState.Queued> commands, boolean countEach,
                    TrackedCommand[] tracked, String stepName, AcrossShards.HeldStep step, Consumer<List<RedisMessage>> done) {
        this.countEach = countEach;
        this.tracked = tracked;
        this.connection = connection;
        this.bound = bound;
        this.current = bound;
        this.commands = commands;
        this.step = step;
        this.stepName = stepName;
        this.done = done;
        this.replies = new RedisMessage[step == null ? commands.size() : 1];
    }

    /** A run of {@code step} alone, holding the shards {@code bound} holds; {@code done} gets its reply. */
    static ExecRun step(CommandContext connection, Keyspace bound, String name, AcrossShards.HeldStep step, Consumer<RedisMessage> done) {
        // the step is counted by its caller's call, not as a transaction's command
        return new ExecRun(connection, bound, List.of(), false, null, name, step, replies -> done.accept(replies.get(0)));
    }

    void next() {
        int size = step == null ? commands.size() : 1;
        while (index < size) {
            int run = step == null ? singleKeyRun(index) : 0;
            if (run >= 2) {
                runByShard(index, run);
                return; // continued once every shard answered
            }
            replied = false;
            barrier = false;
            running = true;
            try {
                if (step == null) {
                    MultiState.Queued q = commands.get(index);
                    CommandCall.callLookedUp(policy, this, q.id(), q.spec(), q.argv());
                } else {
                    bound.step(1);
                    step.run(this);
                }
            } catch (RespError e) {
                fill(e.reply());
            } catch (RuntimeException | Error e) {
                if (FatalErrorHandler.isFatal(e)) {
                    throw e; // the JVM itself is in trouble: the engine halts the process (no zombie)
                }
                // an Error of the command's own code (AssertionError, LinkageError) is its reply as an exception is: left
                // to the reservation's future, it would end in a stage nobody reads and the shards would stay held
                if (step == null) {
                    LOG.warn("Command {} failed inside EXEC", commands.get(index).spec().name(), e);
                } else {
                    LOG.warn("{} failed holding its shards", stepName, e);
                }
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

    /**
     * EXEC's way through {@link CommandCall} for the commands it runs: they were admitted when queued, so only
     * the ACL is checked again (it may have changed since), a refusal is the command's reply in EXEC's array
     * (not a rejected call), and each runs by its handler, the transaction holding its shards.
     */
    private final CallPolicy policy = new CallPolicy() {
        @Override
        public RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
            return AclChecks.queued(c, id, argv);
        }

        @Override
        public boolean countsRejected() {
            return false;
        }

        @Override
        public void refused(CommandContext c, int id, byte[][] argv, RespError error) {
            connection.refusedInTransaction(error.reply());
            replies[index] = error.reply();
            replied = true;
            resumeIfReady();
        }

        @Override
        public Run run() {
            return Run.HELD;
        }

        @Override
        public void begin(CommandContext c, int id, byte[][] argv) {
            started = System.nanoTime();
            bound.step(index + 1); // its changes on every shard carry its place in the transaction
            current = tracked == null || tracked[index] == null ? bound : bound.trackedBy(tracked[index]);
        }
    };

    /** How many queued commands from {@code from} on are single-key commands (run on their key's shard alone). */
    private int singleKeyRun(int from) {
        int n = 0;
        while (from + n < commands.size() && commands.get(from + n).spec().handler() instanceof OnKeyOwner) {
            n++;
        }
        return n;
    }

    /**
     * Runs {@code n} single-key commands from {@code from} through the door's run for them
     * ({@link CommandCall#callEachOnItsShard}: each shard gets its commands in one message), admitted by {@link #policy}
     * as one run alone is. They share one step of the transaction (their changes need no order between shards); each is
     * counted and shown as EXEC's others are, in their order, a refused one with its error.
     */
    private void runByShard(int from, int n) {
        bound.step(from + 1);
        TrackedCommand[] trackedHere = tracked == null ? null : Arrays.copyOfRange(tracked, from, from + n);
        CommandCall.callEachOnItsShard(policy, this, bound, commands.subList(from, from + n), trackedHere, (answers, refused, nanos) -> {
            for (int k = 0; k < n; k++) {
                MultiState.Queued q = commands.get(from + k);
                replies[from + k] = answers[k];
                if (refused != null && refused[k]) {
                    connection.refusedInTransaction(answers[k]);
                } else {
                    connection.ranInTransaction(q.id(), q.spec(), q.argv(), nanos, answers[k]);
                }
            }
            index = from + n;
            next();
        });
    }

    private void fill(RedisMessage reply) {
        if (replied) {
            return; // one reply per command
        }
        replies[index] = reply;
        replied = true;
        if (countEach) {
            MultiState.Queued q = commands.get(index);
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
    public ShardServices services() {
        return connection.services();
    }

    /** A replayed feed's transaction is obeyed as its other commands are. */
    @Override
    public boolean obeysWithoutLimits() {
        return connection.obeysWithoutLimits();
    }

    /** The queued commands run for the client that sent EXEC. */
    @Override
    public Caller caller() {
        return connection.caller();
    }

    @Override
    public Keyspace keyspace() {
        return current;
    }

    /** A queued SELECT: the commands after it run against that database, and so does the client after EXEC (Redis's c->db). */
    @Override
    public void select(int db) {
        connection.select(db);
        bound = bound.database(db);
        current = bound;
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
