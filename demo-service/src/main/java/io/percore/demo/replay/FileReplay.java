package io.percore.demo.replay;

import io.percore.demo.resp.SelectedDatabase;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.ShardServices;
import io.percore.demo.feed.CommandReplay;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.engine.Sharded;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an append-only file's commands at start through the command table, as Redis's loader runs
 * them through a fake client. A command whose keys all live on one shard (every command this
 * server logs: each names one shard's keys) goes there in a batch with the others for that shard,
 * each shard running its batches in parallel with the others and with the reading; a command
 * whose keys span shards under the shard count of this start (a file written by another count,
 * or by redis-server) or that names none (FLUSHALL) waits for everything before it and runs
 * alone. So every key sees its commands in file order. The file's SELECTs change the database the
 * commands after them run in: each shard's client is sent the SELECT before its next command of another
 * database than its last one's.
 */
public final class FileReplay implements CommandReplay {

    private static final Logger LOG = LoggerFactory.getLogger(FileReplay.class);
    static final int BATCH = 1024;
    static final int IN_FLIGHT = 4;

    private final Keyspace keyspace;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    private final List<Route> routes = new ArrayList<>();
    /** One client per shard, made and used on that shard's thread. */
    private final ReplayClient[] clients;
    private final AtomicLong errors = new AtomicLong();
    /** The database the file selected last (0 until it selects one). */
    private int selected;

    public FileReplay(Keyspace keyspace, Sharded<ServerShard> servers, PubSub pubsub, CommandTable commands, RespSettings settings) {
        this.keyspace = keyspace;
        this.servers = servers;
        this.pubsub = pubsub;
        this.commands = commands;
        this.settings = settings;
        this.clients = new ReplayClient[keyspace.shardCount()];
        for (int i = 0; i < keyspace.shardCount(); i++) {
            routes.add(new Route(i));
        }
    }

    @Override
    public void run(byte[][] argv) {
        Replayed command = ReplayRouting.known(commands, argv);
        int db = SelectedDatabase.selected(argv, keyspace.databases());
        if (db >= 0) {
            selected = db; // sent to a shard with its next command
            return;
        }
        int owner = ReplayRouting.owner(keyspace, commands, command);
        if (owner >= 0) {
            routes.get(owner).add(command);
            return;
        }
        for (Route r : routes) {
            r.drain();
        }
        routes.get(0).runAlone(command);
    }

    @Override
    public long finish() {
        for (Route r : routes) {
            r.drain();
        }
        return errors.get();
    }

    /** The commands on their way to one shard. */
    private final class Route {
        private final int shard;
        private final ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        private List<Replayed> batch = new ArrayList<>(BATCH);
        /** The database this shard's client was told last. */
        private int told;

        Route(int shard) {
            this.shard = shard;
        }

        void add(Replayed command) {
            follow();
            batch.add(command);
            if (batch.size() == BATCH) {
                send();
            }
        }

        private void send() {
            if (inFlight.size() >= IN_FLIGHT) {
                inFlight.removeFirst().join();
            }
            List<Replayed> sent = batch;
            batch = new ArrayList<>(BATCH);
            inFlight.addLast(onShard(sent));
        }

        /** The file's database, sent ahead of the next command when this shard's client is in another. */
        private void follow() {
            if (told != selected) {
                told = selected;
                batch.add(ReplayRouting.known(commands, SelectedDatabase.command(selected)));
            }
        }

        void runAlone(Replayed command) {
            follow();
            List<Replayed> sent = batch;
            batch = new ArrayList<>(BATCH);
            sent.add(command);
            onShard(sent).join();
        }

        private CompletableFuture<Void> onShard(List<Replayed> sent) {
            return keyspace.beforeServing(shard, st -> client(st).runAll(sent)).thenCompose(f -> f);
        }

        void drain() {
            if (!batch.isEmpty()) {
                send();
            }
            while (!inFlight.isEmpty()) {
                inFlight.removeFirst().join();
            }
        }
    }

    private ReplayClient client(KeyspaceShard state) {
        ReplayClient c = clients[state.shardId()];
        if (c == null) {
            c = new ReplayClient(ShardServices.here(keyspace, servers, pubsub, commands, settings), errors, "the append-only file", "aof", "aof:0", false);
            clients[state.shardId()] = c;
        }
        return c;
    }
}
