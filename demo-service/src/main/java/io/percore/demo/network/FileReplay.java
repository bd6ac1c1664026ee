package io.percore.demo.network;

import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.CommandTable;
import io.percore.demo.persistence.CommandReplay;
import io.percore.demo.pubsub.PubSub;
import io.percore.demo.server.RespSettings;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardState;
import io.percore.engine.Sharded;
import java.nio.charset.StandardCharsets;
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
 * alone. So every key sees its commands in file order.
 */
public final class FileReplay implements CommandReplay {

    private static final Logger LOG = LoggerFactory.getLogger(FileReplay.class);
    static final int BATCH = 1024;
    static final int IN_FLIGHT = 4;
    private static final byte[] SELECT = "select".getBytes(StandardCharsets.US_ASCII);

    private final Keyspace keyspace;
    private final Sharded<ServerShard> servers;
    private final PubSub pubsub;
    private final CommandTable commands;
    private final RespSettings settings;
    private final List<Route> routes = new ArrayList<>();
    /** One client per shard, made and used on that shard's thread. */
    private final ReplayClient[] clients;
    private final AtomicLong errors = new AtomicLong();

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
        CommandSpec spec = commands.lookup(argv[0]);
        if (spec == null) {
            throw new IllegalArgumentException("Unknown command '" + new String(argv[0], StandardCharsets.UTF_8) + "'");
        }
        if (equalsIgnoreCase(argv[0], SELECT)) {
            if (argv.length != 2 || !"0".equals(new String(argv[1], StandardCharsets.US_ASCII))) {
                throw new IllegalArgumentException("SELECT of a database other than 0 (this server has one)");
            }
            return;
        }
        int owner = owner(spec, argv);
        if (owner >= 0) {
            routes.get(owner).add(argv);
            return;
        }
        for (Route r : routes) {
            r.drain();
        }
        routes.get(0).runAlone(argv);
    }

    /** The one shard owning every key of the call, or -1 (no keys, keys on several shards, keys not found from the arguments). */
    private int owner(CommandSpec spec, byte[][] argv) {
        if (!spec.hasKeys()) {
            return -1;
        }
        int[] positions;
        try {
            positions = spec.keyIndices(argv);
        } catch (RuntimeException e) {
            return -1; // the command answers its own error where it runs
        }
        int owner = -1;
        for (int p : positions) {
            if (p >= argv.length) {
                return -1;
            }
            int s = keyspace.shardOf(argv[p]);
            if (owner >= 0 && s != owner) {
                return -1;
            }
            owner = s;
        }
        return owner;
    }

    @Override
    public long finish() {
        for (Route r : routes) {
            r.drain();
        }
        return errors.get();
    }

    private static boolean equalsIgnoreCase(byte[] a, byte[] lower) {
        if (a.length != lower.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if ((a[i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** The commands on their way to one shard. */
    private final class Route {
        private final int shard;
        private final ArrayDeque<CompletableFuture<Void>> inFlight = new ArrayDeque<>();
        private List<byte[][]> batch = new ArrayList<>(BATCH);

        Route(int shard) {
            this.shard = shard;
        }

        void add(byte[][] argv) {
            batch.add(argv);
            if (batch.size() == BATCH) {
                send();
            }
        }

        private void send() {
            if (inFlight.size() >= IN_FLIGHT) {
                inFlight.removeFirst().join();
            }
            List<byte[][]> commands = batch;
            batch = new ArrayList<>(BATCH);
            inFlight.addLast(onShard(commands));
        }

        void runAlone(byte[][] argv) {
            onShard(List.<byte[][]>of(argv)).join();
        }

        private CompletableFuture<Void> onShard(List<byte[][]> commands) {
            return keyspace.beforeServing(shard, st -> client(st).runAll(commands)).thenCompose(f -> f);
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

    private ReplayClient client(ShardState state) {
        ReplayClient c = clients[state.shardId()];
        if (c == null) {
            c = new ReplayClient(keyspace, servers, pubsub, commands, settings, errors, "the append-only file", "aof");
            clients[state.shardId()] = c;
        }
        return c;
    }
}
