package io.percore.demo.replay;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.util.ReferenceCountUtil;
import io.percore.demo.command.Caller;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.ConnectionControl;
import io.percore.demo.command.RespSession;
import io.percore.demo.command.ShardServices;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.execution.CallPolicy;
import io.percore.demo.execution.CommandCall;
import io.percore.demo.pubsub.Subscriber;
import io.percore.demo.resp.CountedError;
import io.percore.demo.resp.RespError;
import io.percore.demo.server.ClientMemory;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that runs commands read from somewhere other than a connection, on one shard (Redis's
 * fake client): an append-only file's at start ({@link FileReplay}), a primary's stream on a
 * replica ({@link StreamReplay}). Replies go to nobody: errors are counted (the first few
 * logged, naming {@code source}); a command that holds the ones after it (a barrier) holds the
 * rest of the batch; a MULTI queues what follows until EXEC, as a connection's does. Made and
 * used on its shard's thread.
 *
 * <p>A primary's stream is reported as a client's commands are (INFO commandstats, errorstats and
 * {@code total_commands_processed}, MONITOR, the slow log): Redis runs its master client's commands
 * through {@code call()}. The append-only file is not: Redis loads it with the commands' procedures
 * alone, outside {@code call()}.
 */
final class ReplayClient implements CommandContext, Caller, ConnectionControl {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayClient.class);

    private final ShardServices services;
    private final AtomicLong errors;
    /** What the commands come from, for the log ("the append-only file"). */
    private final String source;
    /** Its name in CLIENT INFO ("aof", "primary") and its address ({@code ip:port} of a primary, as Redis's master client). */
    private final String name;
    private final String peer;
    private final RespSession session = new RespSession(true);
    private final ClientMemory memory = new ClientMemory();
    private final ArrayDeque<Replayed> deferred = new ArrayDeque<>();
    /** Whether its commands are reported ({@link CommandCall#report}): a primary's stream's are, a file's are not. */
    private final boolean reports;
    /** The command running now, until its reply (or the slot reserved for it) is known: -1 when none is reported. */
    private int runningId = -1;
    private byte[][] runningArgv;
    private long runningSince;
    /** The keyspace bound to the database the feed selected (its SELECTs run here as a client's). */
    private io.percore.demo.shard.Keyspace keyspace;
    private boolean barrier;
    private int outstanding;
    private CompletableFuture<Void> idle;

    /**
     * {@code services} are those of the shard whose thread makes and uses this client; {@code reports}: whether its
     * commands count and show as a client's do.
     */
    ReplayClient(ShardServices services, AtomicLong errors, String source, String name, String peer, boolean reports) {
        this.services = services;
        this.reports = reports;
        this.keyspace = services.keyspace();
        this.errors = errors;
        this.source = source;
        this.name = name;
        this.peer = peer;
    }

    /** Runs {@code batch} in order; completes when every command of it has answered. */
    CompletableFuture<Void> runAll(List<Replayed> batch) {
        for (Replayed command : batch) {
            if (barrier) {
                deferred.add(command);
            } else {
                execute(command);
            }
        }
        return whenIdle();
    }

    private CompletableFuture<Void> whenIdle() {
        if (outstanding == 0 && deferred.isEmpty() && !barrier) {
            return CompletableFuture.completedFuture(null);
        }
        if (idle == null) {
            idle = new CompletableFuture<>();
        }
        return idle;
    }

    private void checkIdle() {
        if (idle != null && outstanding == 0 && deferred.isEmpty() && !barrier) {
            CompletableFuture<Void> done = idle;
            idle = null;
            done.complete(null);
        }
    }

    private void execute(Replayed command) {
        try {
            CommandCall.call(POLICY, this, command.id(), command.argv());
        } catch (RuntimeException e) {
            long n = errors.incrementAndGet();
            if (n <= 10) {
                LOG.warn("A command of {} failed: {}", source, new String(command.argv()[0], StandardCharsets.UTF_8), e);
            }
        }
    }

    /**
     * A feed's way through {@link CommandCall}: obeyed without processCommand's checks (authentication, ACL,
     * the server's state: Redis's {@code mustObeyClient}), a refusal logged, MULTI's commands queued without
     * a reply, and a command spanning shards waiting for a busy script rather than refused.
     */
    private static final CallPolicy POLICY = new CallPolicy() {
        @Override
        public RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
            return null;
        }

        @Override
        public void refused(CommandContext c, int id, byte[][] argv, RespError error) {
            ReplayClient client = (ReplayClient) c;
            client.error(error.getMessage(), argv);
            if (client.session.multi != null) {
                client.session.multi.rejectOne();
            }
        }

        @Override
        public boolean keeps(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
            RespSession session = c.session();
            if (session.multi != null && TransactionCommands.queues(spec)) {
                session.multi.queue(id, spec, argv, false); // no QUEUED reply: nobody reads them
                return true;
            }
            return false;
        }

        @Override
        public Run run() {
            return Run.ALONE_WAITING;
        }

        @Override
        public void begin(CommandContext c, int id, byte[][] argv) {
            ReplayClient client = (ReplayClient) c;
            if (client.reports) {
                client.runningId = id;
                client.runningArgv = argv;
                client.runningSince = System.nanoTime();
            }
        }

        @Override
        public void ran(CommandContext c, int id, byte[][] argv) {
            ((ReplayClient) c).runningId = -1; // answered, or its slot carries it
        }
    };

    /** Command {@code id}, which took {@code nanos}, answered {@code reply}: counted and shown as a client's command is. */
    private void report(int id, byte[][] argv, long nanos, RedisMessage reply) {
        services.server().commandsProcessed++;
        if (reply instanceof ErrorRedisMessage e) {
            services.server().commandStats().error(e.content()); // a CountedError was counted where it arose
        }
        CommandCall.report(this, id, argv, nanos, CommandCall.outcome(CountedError.isError(reply), reply));
    }

    /** A command EXEC ran for the feed: counted and shown as a command of its own, as a client's. */
    @Override
    public void ranInTransaction(int id, CommandSpec spec, byte[][] argv, long nanos, RedisMessage reply) {
        if (reports && id >= 0) {
            report(id, argv, nanos, reply);
        }
    }

    private void error(String text, byte[][] argv) {
        long n = errors.incrementAndGet();
        if (n <= 10) {
            LOG.warn("A command of {} answered an error: {} ({})", source, text, new String(argv[0], StandardCharsets.UTF_8));
        }
    }

    // ------------------------------------------------------------------ CommandContext

    @Override
    public ShardServices services() {
        return services;
    }

    /** Who its commands run for: itself. */
    @Override
    public Caller caller() {
        return this;
    }

    @Override
    public io.percore.demo.shard.Keyspace keyspace() {
        return keyspace;
    }

    /** The feed's SELECT: what follows runs against that database. */
    @Override
    public void select(int db) {
        session.db = db;
        keyspace = services.keyspace().database(db);
    }

    @Override
    public Subscriber subscriber() {
        return message -> { }; // nothing to write to: the delivery releases the message
    }

    @Override
    public ClientMemory memory() {
        return memory;
    }

    @Override
    public RespSession session() {
        return session;
    }

    @Override
    public String remoteAddress() {
        return peer;
    }

    @Override
    public boolean obeysWithoutLimits() {
        return true;
    }

    @Override
    public String localAddress() {
        return peer;
    }

    @Override
    public ConnectionControl connection() {
        return this;
    }

    @Override
    public void reply(RedisMessage reply) {
        if (runningId >= 0) {
            int id = runningId;
            runningId = -1;
            report(id, runningArgv, System.nanoTime() - runningSince, reply);
        }
        answered(reply);
    }

    /** Nobody reads a reply: its errors are counted and logged, and it is released. */
    private void answered(RedisMessage reply) {
        countErrors(reply);
        ReferenceCountUtil.release(reply);
    }

    /** An error, or EXEC's array holding errors (a command of a transaction failed). */
    private void countErrors(RedisMessage reply) {
        if (reply instanceof CountedError counted) {
            countErrors(counted.error());
        } else if (reply instanceof ErrorRedisMessage e) {
            long n = errors.incrementAndGet();
            if (n <= 10) {
                LOG.warn("A command of {} answered an error: {}", source, e.content());
            }
        } else if (reply instanceof io.netty.handler.codec.redis.ArrayRedisMessage a && !a.isNull()) {
            for (RedisMessage child : a.children()) {
                countErrors(child);
            }
        }
    }

    @Override
    public void replyAndClose(RedisMessage reply) {
        reply(reply);
    }

    @Override
    public PendingReply reserve() {
        outstanding++;
        int id = runningId;
        byte[][] argv = runningArgv;
        long since = runningSince;
        runningId = -1; // reported when the slot completes
        return message -> {
            outstanding--;
            if (id >= 0) {
                report(id, argv, System.nanoTime() - since, message);
            }
            answered(message); // not reply(): another command may be running now
            checkIdle();
        };
    }

    @Override
    public boolean draining() {
        return false;
    }

    @Override
    public boolean mayBlock() {
        return false;
    }

    @Override
    public void beginBarrier() {
        barrier = true;
    }

    @Override
    public void endBarrier() {
        barrier = false;
        while (!barrier && !deferred.isEmpty()) {
            execute(deferred.poll());
        }
        checkIdle();
    }

    // ------------------------------------------------------------------ ConnectionControl (nothing to control)

    @Override
    public long id() {
        return 0;
    }

    @Override
    public String info() {
        return "id=0 addr=" + peer + " name=" + name;
    }

    @Override
    public void replyMode(String mode) {
    }

    @Override
    public void noEvict(boolean on) {
    }

    @Override
    public ShardFuture<Void> monitor() {
        return null;
    }

    @Override
    public io.netty.channel.Channel becomeReplica(io.percore.demo.replication.ReplicaEvents events) {
        return null;
    }

    @Override
    public boolean replica() {
        return false;
    }

    @Override
    public void reset() {
    }

    @Override
    public void trackingChanged() {
    }

    @Override
    public io.percore.demo.tracking.TrackedCommand trackedCommand(int id, byte[][] argv) {
        return null;
    }

    /** None: a replay has no connection to send invalidations to. */
    @Override
    public io.percore.demo.tracking.TrackingReceiver trackingReceiver() {
        return null;
    }
}
