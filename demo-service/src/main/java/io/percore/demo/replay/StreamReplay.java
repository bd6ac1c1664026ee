package io.percore.demo.replay;

import io.percore.demo.resp.SelectedDatabase;
import io.percore.demo.resp.AsciiCase;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.ShardServices;
import io.percore.demo.commands.TransactionCommands;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.shard.ShardReservation;
import io.percore.engine.Sharded;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a primary's replication stream while clients read (Redis's master client on a replica):
 * each command runs through the command table with a client of its own per shard that never
 * replies to anyone (errors are counted, the first few logged), as {@link FileReplay} runs an
 * append-only file, but live:
 *
 * <ul>
 *   <li>a command whose keys all live on one shard goes to that shard's queue, run there in order
 *       by one client; while a shard runs what it has, what comes meanwhile gathers into its next
 *       batch (no waiting for a batch to fill: a quiet stream is applied at once);</li>
 *   <li>a command whose keys span shards, or that names none (FLUSHALL), waits for everything
 *       before it, runs alone, and what follows waits for it: so every key sees its commands in
 *       stream order;</li>
 *   <li>a transaction: {@code run(MULTI)}, {@code run(...)} for each command, {@code run(EXEC)}
 *       (or {@link #runTransaction} with the commands between): nothing runs until its EXEC is
 *       given, then it runs as a client's MULTI/EXEC ({@link TransactionCommands#exec}), which
 *       holds every shard it touches while it runs, so no client reading on any shard sees a
 *       part of it. A transaction on one shard's keys goes to that shard's queue like a command;
 *       one across shards waits for everything before it and runs alone. {@code DISCARD} drops
 *       what was given since MULTI;</li>
 *   <li>memory is bounded: at most {@link #MAX_PENDING} commands (or {@link #MAX_PENDING_BYTES}
 *       of arguments) wait for one shard; past that, {@link #run} blocks until the shard caught up;</li>
 *   <li>{@link #finish()} returns once every command given so far has run (the replica's link
 *       calls it before each {@code REPLCONF ACK}, so what it acknowledges is applied).</li>
 * </ul>
 *
 * <p>{@link #run} and {@link #finish} are called from one thread (the link's); each shard's client
 * is made and used on its shard's thread.
 */
public final class StreamReplay implements CommandReplay {

    private static final Logger LOG = LoggerFactory.getLogger(StreamReplay.class);
    /** Commands handed to a shard's client in one go, at most. */
    static final int BATCH = 512;
    /** Commands waiting for one shard before {@link #run} blocks. */
    static final int MAX_PENDING = 8192;
    /** Bytes of arguments waiting for one shard before {@link #run} blocks (one larger command is let through alone). */
    static final long MAX_PENDING_BYTES = 16L << 20;
    private static final byte[] MULTI = "multi".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EXEC = "exec".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DISCARD = "discard".getBytes(StandardCharsets.US_ASCII);

    private final Keyspace keyspace;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    /** The primary's {@code ip:port} as the link's socket has it: the address its commands show in MONITOR. */
    private final String primaryPeer;
    private final Route[] routes;
    /** One client per shard, made and used on that shard's thread. */
    private final ReplayClient[] clients;
    private final AtomicLong errors = new AtomicLong();
    /** The commands given since MULTI (the link's thread), or null outside a transaction. */
    private List<Replayed> transaction;
    /** The database the stream selected last (the link's thread); a shard's client is told it with its next command. */
    private int selected;

    public StreamReplay(Keyspace keyspace, Sharded<ServerShard> servers, PubSub pubsub, CommandTable commands, RespSettings settings,
                        String primaryPeer) {
        this.primaryPeer = primaryPeer;
        this.keyspace = keyspace;
        this.servers = servers;
        this.pubsub = pubsub;
        this.commands = commands;
        this.settings = settings;
        this.routes = new Route[keyspace.shardCount()];
        this.clients = new ReplayClient[keyspace.shardCount()];
        for (int i = 0; i < routes.length; i++) {
            routes[i] = new Route(i);
        }
    }

    /**
     * Applies {@code argv}, the next command of the stream; returns before it ran, but commands on
     * the same keys run in the order given. MULTI ... EXEC is gathered and applied whole at EXEC.
     *
     * @throws IllegalArgumentException naming the command when this server does not know it, or for
     *                                  {@code SELECT} of a database this server does not have (nothing is applied)
     */
    @Override
    public void run(byte[][] argv) {
        if (argv.length == 0) {
            return;
        }
        if (argv.length == 1 && AsciiCase.equalsIgnoreCase(argv[0], MULTI)) {
            if (transaction != null) {
                throw new IllegalArgumentException("MULTI inside MULTI");
            }
            transaction = new ArrayList<>();
            return;
        }
        if (argv.length == 1 && AsciiCase.equalsIgnoreCase(argv[0], EXEC)) {
            if (transaction == null) {
                throw new IllegalArgumentException("EXEC without MULTI");
            }
            List<Replayed> block = transaction;
            transaction = null;
            runTransactionOf(block);
            return;
        }
        if (argv.length == 1 && AsciiCase.equalsIgnoreCase(argv[0], DISCARD) && transaction != null) {
            transaction = null;
            return;
        }
        Replayed command = ReplayRouting.known(commands, argv);
        int db = SelectedDatabase.selected(argv, keyspace.databases());
        if (transaction != null) {
            transaction.add(command); // a SELECT too: it runs in its place at EXEC, and the commands after it there
            return;
        }
        if (db >= 0) {
            selected = db; // told to a shard with its next command
            return;
        }
        int owner = ReplayRouting.owner(keyspace, commands, command);
        if (owner >= 0) {
            routes[owner].add(List.of(command), selected, selected);
            return;
        }
        runAlone(List.of(command), selected, selected);
    }

    /**
     * Applies {@code block}, the commands between a MULTI and its EXEC, as one transaction: no
     * client on any shard sees a part of it. Returns before it ran when its keys live on one shard.
     *
     * @throws IllegalArgumentException naming a command this server does not know (nothing of the block is applied)
     */
    public void runTransaction(List<byte[][]> block) {
        List<Replayed> known = new ArrayList<>(block.size());
        for (byte[][] argv : block) {
            known.add(ReplayRouting.known(commands, argv));
        }
        runTransactionOf(known);
    }

    private void runTransactionOf(List<Replayed> block) {
        List<Replayed> all = new ArrayList<>(block.size() + 2);
        all.add(ReplayRouting.known(commands, new byte[][] {MULTI.clone()}));
        int owner = -2; // none yet
        int at = selected;
        int after = selected;
        for (Replayed command : block) {
            byte[][] argv = command.argv();
            int db = SelectedDatabase.selected(argv, keyspace.databases());
            if (db >= 0) {
                after = db;
                if (all.size() == 1) {
                    at = db; // before the first command: selected ahead of the MULTI
                    continue;
                }
            }
            all.add(command);
            int o = db >= 0 ? -1 : ReplayRouting.owner(keyspace, commands, command); // a SELECT between commands: the client, alone
            owner = owner == -2 || owner == o ? o : -1;
        }
        selected = after;
        if (all.size() == 1) {
            return; // an empty transaction changes nothing
        }
        all.add(ReplayRouting.known(commands, new byte[][] {EXEC.clone()}));
        if (owner >= 0) {
            routes[owner].add(all, at, after);
        } else {
            runAlone(all, at, after);
        }
    }

    /** After everything given before, on shard 0, alone; what is given next waits for it. */
    private void runAlone(List<Replayed> argvs, int db, int after) {
        for (Route r : routes) {
            r.drain();
        }
        routes[0].add(argvs, db, after);
        routes[0].drain();
    }

    /** Waits until every command given so far has run. @return how many commands answered with an error since this was made */
    @Override
    public long finish() {
        for (Route r : routes) {
            r.drain();
        }
        return errors.get();
    }

    /** {@link #finish()}, under the name the link uses. */
    public void sync() {
        finish();
    }

    /** How many commands answered with an error so far. */
    public long errors() {
        return errors.get();
    }

    private static long bytesOf(List<Replayed> argvs) {
        long n = 0;
        for (Replayed command : argvs) {
            for (byte[] a : command.argv()) {
                n += a.length + 16;
            }
        }
        return n;
    }

    /**
     * The commands on their way to one shard. The link's thread adds; the shard's thread takes a
     * batch, runs it on its client and, once that is done, takes the next (one batch at a time, so
     * the order is the order given). Guarded by its monitor.
     */
    private final class Route {
        private final int shard;
        private final ArrayDeque<Replayed> pending = new ArrayDeque<>();
        private long pendingBytes;
        /** The database this shard's client was told last (the link's thread). */
        private int told;
        /** A batch is running (or the shard was asked to take one). */
        private boolean active;
        private Throwable failure;

        Route(int shard) {
            this.shard = shard;
        }

        /**
         * Adds {@code argvs}, to run in database {@code db} (a SELECT first when this shard's client is in
         * another), which leave the client in {@code after} (a transaction that selected).
         */
        void add(List<Replayed> argvs, int db, int after) {
            if (told != db) {
                List<Replayed> selecting = new ArrayList<>(argvs.size() + 1);
                selecting.add(ReplayRouting.known(commands, SelectedDatabase.command(db)));
                selecting.addAll(argvs);
                argvs = selecting;
            }
            told = after;
            add(argvs);
        }

        /** Adds {@code argvs} in order (a transaction's are added together); blocks while the shard is too far behind. */
        private void add(List<Replayed> argvs) {
            long bytes = bytesOf(argvs);
            boolean start;
            synchronized (this) {
                while (!pending.isEmpty() && (pending.size() + argvs.size() > MAX_PENDING || pendingBytes + bytes > MAX_PENDING_BYTES)) {
                    awaitProgress();
                }
                pending.addAll(argvs);
                pendingBytes += bytes;
                start = !active;
                active = true;
            }
            if (start) {
                start();
            }
        }

        private void start() {
            CompletableFuture<Void> asked;
            try {
                asked = keyspace.beforeServing(shard, st -> {
                    pump(st, client(st));
                    return null;
                });
            } catch (RuntimeException e) {
                asked = CompletableFuture.failedFuture(e);
            }
            asked.whenComplete((v, e) -> {
                if (e != null) {
                    failed(e);
                }
            });
        }

        /**
         * On the shard: runs batches until none is waiting, or until one waits for replies (continued when they came). Not
         * while a transaction holds the shard (a client's EXEC, a snapshot's point): the stream's changes would be reported as
         * that transaction's part, after its point, and a save beginning there would hold them twice, in its snapshot and
         * after it in the append-only file (a replica's file after a full sync under writes replayed 27 INCRs twice).
         * They wait behind it, as a client's next command does.
         */
        private void pump(KeyspaceShard state, ReplayClient client) {
            while (true) {
                if (!state.reservation().admits(ShardReservation.FREE)) {
                    state.reservation().park(() -> pump(state, client));
                    return;
                }
                List<Replayed> batch;
                synchronized (this) {
                    if (pending.isEmpty()) {
                        active = false;
                        notifyAll();
                        return;
                    }
                    batch = new ArrayList<>(Math.min(BATCH, pending.size()));
                    while (batch.size() < BATCH && !pending.isEmpty()) {
                        batch.add(pending.poll());
                    }
                    pendingBytes -= bytesOf(batch);
                    notifyAll();
                }
                CompletableFuture<Void> done = client.runAll(batch);
                if (!done.isDone()) {
                    done.whenComplete((v, e) -> pump(state, client)); // completed on this shard's thread
                    return;
                }
            }
        }

        private synchronized void failed(Throwable e) {
            failure = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            long n = errors.addAndGet(pending.size());
            LOG.error("The replication stream's commands for shard {} could not run ({} dropped, {} errors so far)", shard,
                    pending.size(), n, failure);
            pending.clear();
            pendingBytes = 0;
            active = false;
            notifyAll();
        }

        /** Waits until everything added has run. */
        synchronized void drain() {
            while (active || !pending.isEmpty()) {
                awaitProgress();
            }
        }

        private void awaitProgress() {
            try {
                wait(1000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while applying the replication stream", e);
            }
        }
    }

    private ReplayClient client(KeyspaceShard state) {
        ReplayClient c = clients[state.shardId()];
        if (c == null) {
            c = new ReplayClient(ShardServices.here(keyspace, servers, pubsub, commands, settings), errors, "the replication stream", "primary", primaryPeer, true);
            clients[state.shardId()] = c;
        }
        return c;
    }
}
