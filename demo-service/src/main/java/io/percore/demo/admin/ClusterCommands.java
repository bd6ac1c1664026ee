package io.percore.demo.admin;

import io.percore.demo.command.RespSession;
import io.percore.demo.command.CommandTable;
import io.percore.demo.command.CommandSpec;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.cluster.Cluster;
import io.percore.demo.cluster.ClusterLayout;
import io.percore.demo.command.CommandContext;
import io.percore.demo.kv.KeyHashing;
import io.percore.demo.kv.KeyWalks;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * CLUSTER and the connection commands of cluster mode (Redis's {@code cluster.c}): what a cluster
 * client reads (SLOTS, SHARDS, NODES, INFO, MYID, KEYSLOT, COUNTKEYSINSLOT, GETKEYSINSLOT), ASKING,
 * READONLY and READWRITE, and what a control plane sends (SETLAYOUT, GETLAYOUT, HELDSLOTS, MIGRATIONS:
 * the service's own, as it has no gossip; see docs/reference/service-cluster.md).
 */
public final class ClusterCommands {

    private static final String DISABLED = "ERR This instance has cluster support disabled";

    private ClusterCommands() {
    }

    private static Cluster enabled(CommandContext c) {
        Cluster cluster = c.server().cluster();
        if (!cluster.enabled()) {
            throw new RespError(DISABLED);
        }
        return cluster;
    }

    public static void help(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.help(argv[0],
                "COUNTKEYSINSLOT <slot>",
                "    Return the number of keys in <slot>.",
                "GETKEYSINSLOT <slot> <count>",
                "    Return key names stored by current node in a slot.",
                "INFO",
                "    Return information about the cluster.",
                "KEYSLOT <key>",
                "    Return the hash slot for <key>.",
                "MYID",
                "    Return the node id.",
                "NODES",
                "    Return cluster configuration seen by node. Output format:",
                "    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
                "SLOTS",
                "    Return information about slots range mappings. Each range is made of:",
                "    start, end, master and replicas IP addresses, ports and ids",
                "SHARDS",
                "    Return information about slot range mappings and the nodes associated with them.",
                "SETLAYOUT <epoch> <layout>",
                "    Set the nodes, their slots and migrations (a control plane's; newest epoch wins).",
                "GETLAYOUT",
                "    Return the layout's epoch and text.",
                "HELDSLOTS",
                "    Return the slots this node holds keys of, as ranges (whether it serves them or not).",
                "MIGRATIONS",
                "    Return the migrations of slots away from this node and their progress."));
    }

    /** Refused: a node here forgets nothing it was given, its control plane (SETLAYOUT) decides slots and nodes. */
    public static void reset(CommandContext c, byte[][] argv) {
        enabled(c);
        throw new RespError("ERR CLUSTER RESET is not supported: slots and nodes come from the control plane (CLUSTER SETLAYOUT)");
    }

    public static void info(CommandContext c, byte[][] argv) {
        c.reply(new Resp3Replies.VerbatimReply("txt", enabled(c).infoText()));
    }

    public static void myid(CommandContext c, byte[][] argv) {
        c.reply(RespReplies.bulk(enabled(c).myId()));
    }

    public static void nodes(CommandContext c, byte[][] argv) {
        c.reply(new Resp3Replies.VerbatimReply("txt", enabled(c).nodesText()));
    }

    public static void slots(CommandContext c, byte[][] argv) {
        c.reply(ReplyValues.encode(enabled(c).slots()));
    }

    public static void shards(CommandContext c, byte[][] argv) {
        c.reply(ReplyValues.encode(enabled(c).shards(c.server().replication().offset())));
    }

    /** KEYSLOT answers in any mode in Redis 7.0 only with cluster support: as it, refused without. */
    public static void keyslot(CommandContext c, byte[][] argv) {
        enabled(c);
        c.reply(new IntegerRedisMessage(KeyHashing.slot(argv[2])));
    }

    public static void countkeysinslot(CommandContext c, byte[][] argv) {
        enabled(c);
        long slot = RespNumbers.requireLong(argv[2]);
        if (slot < 0 || slot >= KeyHashing.SLOTS) {
            throw new RespError("ERR Invalid slot");
        }
        int s = (int) slot;
        c.replyLater(c.keyspace().invokeOn(s % c.keyspace().shardCount(), st -> (RedisMessage) new IntegerRedisMessage(st.store().slots().count(s))));
    }

    /**
     * GETKEYSINSLOT: up to {@code count} keys of the slot, from its shard's table in one step (a walk
     * over that shard's buckets: Redis keeps a list per slot and reads only {@code count}).
     */
    public static void getkeysinslot(CommandContext c, byte[][] argv) {
        enabled(c);
        long slot = RespNumbers.requireLong(argv[2]);
        long count = RespNumbers.requireLong(argv[3]);
        if (slot < 0 || slot >= KeyHashing.SLOTS || count < 0) {
            throw new RespError("ERR Invalid slot or number of keys");
        }
        int s = (int) slot;
        int max = (int) Math.min(count, c.settings().maxArrayLength());
        BitSet one = new BitSet();
        one.set(s);
        c.replyLater(c.keyspace().invokeOn(s % c.keyspace().shardCount(), st -> {
            List<RedisMessage> keys = new ArrayList<>();
            if (max > 0 && st.store().slots().count(s) > 0) {
                List<KeyWalks.SlotEntry> found = new ArrayList<>();
                long cursor = 0;
                do {
                    cursor = st.store().walks().scanSlots(cursor, one, max - found.size(), Integer.MAX_VALUE, System.currentTimeMillis(), found);
                } while (cursor != 0 && found.size() < max);
                for (int i = 0; i < found.size() && i < max; i++) {
                    keys.add(RespReplies.bulk(found.get(i).key()));
                }
            }
            return (RedisMessage) new ArrayRedisMessage(keys);
        }));
    }

    /** CLUSTER SETLAYOUT epoch layout: the control plane's whole picture; an older epoch never replaces a newer one. */
    public static void setlayout(CommandContext c, byte[][] argv) {
        Cluster cluster = enabled(c);
        long epoch = RespNumbers.requireLong(argv[2]);
        String error = cluster.apply(epoch, new String(argv[3], java.nio.charset.StandardCharsets.UTF_8));
        if (error != null) {
            throw new RespError(error);
        }
        c.reply(RespReplies.OK);
    }

    public static void getlayout(CommandContext c, byte[][] argv) {
        Cluster cluster = enabled(c);
        var layout = cluster.layout();
        c.reply(new ArrayRedisMessage(List.of(new IntegerRedisMessage(layout.epoch()), RespReplies.bulk(layout.text()))));
    }

    /**
     * CLUSTER HELDSLOTS: the slots of which this node holds at least one key, owned by it or not, as one
     * bulk string of layout ranges ({@code 0-5460,6000}; empty for none). A cluster restored from a backup
     * has its keys before any layout: its control plane's first layout gives each node the slots it holds.
     * Read from each shard's per-slot counts (no walk over the keys), so a key past its expiry counts until
     * it is deleted (by an access or the expiry cycle), as in COUNTKEYSINSLOT and DBSIZE.
     */
    public static void heldslots(CommandContext c, byte[][] argv) {
        enabled(c);
        c.replyLater(c.keyspace().mapReduce(st -> st.store(0).slots().held(), new BitSet(), (held, more) -> {
            held.or(more);
            return held;
        }).map(held -> RespReplies.bulk(ClusterLayout.rangesText(held))));
    }

    public static void migrations(CommandContext c, byte[][] argv) {
        c.reply(ReplyValues.encode(enabled(c).migrations()));
    }

    /** A transaction's command with keys in a slot moving away: EXEC could not re-check where the keys are. */
    private static final Cluster.Route TRY_AGAIN_IN_MULTI = new Cluster.Route("TRYAGAIN Multiple keys request during rehashing of slot",
            null, -1, null);

    /**
     * Admission in cluster mode (Redis's getNodeByQuery in processCommand): null when the command's keys
     * are served here (or it has none); an error when another node serves them ({@code -MOVED},
     * {@code -CROSSSLOT}, {@code -CLUSTERDOWN}, or {@code -TRYAGAIN} in a transaction, which waits until
     * the slot has moved). Keys in slots migrating away leave their route in the session
     * ({@link RespSession#migratingRoute}): whether they are still here is known once the command
     * holds its shards. ASKING lasts one command, outside MULTI.
     */
    public static RespError redirection(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
        RespSession session = c.session();
        session.migratingRoute = null;
        Cluster.Route route = route(c, session, id, spec, argv);
        if (route != null && route.error() != null) {
            return new RespError(route.error());
        }
        session.migratingRoute = route;
        return null;
    }

    private static Cluster.Route route(CommandContext c, RespSession session, int id, CommandSpec spec, byte[][] argv) {
        CommandTable commands = c.commands();
        String name = commands.fullName(id);
        boolean asking = session.asking || name.equals("restore-asking");
        if (session.multi == null && !name.equals("asking")) {
            session.asking = false;
        }
        if (!commands.namesKeys(id) || name.equals("exec")) {
            return null;
        }
        int[] keys = commands.keyPositions(id, argv);
        if (keys.length == 0) {
            return null;
        }
        Cluster.Route route = c.server().cluster().route(argv, keys, asking, session.readonlyReplicaReads, !commands.writes(id));
        return route != null && route.error() == null && session.multi != null ? TRY_AGAIN_IN_MULTI : route;
    }

    /** ASKING: the next command may use a slot importing here. */
    public static void asking(CommandContext c, byte[][] argv) {
        enabled(c);
        c.session().asking = true;
        c.reply(RespReplies.OK);
    }

    public static void readonly(CommandContext c, byte[][] argv) {
        enabled(c);
        c.session().readonlyReplicaReads = true;
        c.reply(RespReplies.OK);
    }

    public static void readwrite(CommandContext c, byte[][] argv) {
        enabled(c);
        c.session().readonlyReplicaReads = false;
        c.reply(RespReplies.OK);
    }
}
