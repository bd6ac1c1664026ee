package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.OK;
import static io.percore.demo.resp.RespReplies.ONE;
import static io.percore.demo.resp.RespReplies.ZERO;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandHandler;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.StoredValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.ShardReservation;
import io.percore.engine.ShardFuture;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;

/**
 * The commands about the numbered databases themselves (Redis's {@code db.c}): SELECT, MOVE and SWAPDB,
 * and how a database index is read and checked, with Redis's errors, for them and for COPY ... DB.
 * Cluster mode has database 0 only, as Redis Cluster.
 */
public final class DatabaseCommands {

    /** Redis's {@code getIntFromObjectOrReply} without a message of its own, past an int's range. */
    static final String OUT_OF_INT_RANGE = "ERR value is out of range, value must between -2147483648 and 2147483647";
    static final String OUT_OF_RANGE = "ERR DB index is out of range";
    /** Redis's {@code shared.sameobjecterr}. */
    static final String SAME_OBJECT = "ERR source and destination objects are the same";
    private static final byte[] SWAPDB = "SWAPDB".getBytes(StandardCharsets.US_ASCII);

    private DatabaseCommands() {
    }

    /** A database index as Redis reads it ({@code getIntFromObjectOrReply}, no message): an int, else Redis's error. */
    static int index(byte[] arg) {
        long n = RespNumbers.requireLong(arg);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new RespError(OUT_OF_INT_RANGE);
        }
        return (int) n;
    }

    /** {@link #index(byte[])} with Redis's {@code message} for anything that is not an int (SWAPDB's). */
    private static int index(byte[] arg, String message) {
        if (!RespNumbers.isLong(arg)) {
            throw new RespError(message);
        }
        long n = RespNumbers.parseLong(arg);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new RespError(message);
        }
        return (int) n;
    }

    /** {@code db} if it is one of the databases, else Redis's {@code DB index is out of range}. */
    static int existing(Keyspace keyspace, int db) {
        if (db < 0 || db >= keyspace.databases()) {
            throw new RespError(OUT_OF_RANGE);
        }
        return db;
    }

    private static boolean clusterMode(CommandContext c) {
        return c.server().cluster().enabled();
    }

    // ------------------------------------------------------------------ SELECT

    /** SELECT index: the caller's later commands run against that database (the caller's context keeps it). */
    public static void select(CommandContext c, byte[][] argv) {
        int db = index(argv[1]);
        if (db != 0 && clusterMode(c)) {
            throw new RespError("ERR SELECT is not allowed in cluster mode");
        }
        c.select(existing(c.keyspace(), db));
        c.reply(OK);
    }

    // ------------------------------------------------------------------ MOVE

    /** MOVE's work on the key's shard, a unit of its write path there like any single-key command. */
    private static final OnKeyOwner MOVE_ON_OWNER = new OnKeyOwner(DatabaseCommands::moveHere);

    /**
     * MOVE key db: the key, with its value and TTL, from the selected database to {@code db} on the key's
     * shard (both databases hold the key on the same shard), 0 when it is missing or already there.
     * Reported as itself, in the source database.
     */
    public static final CommandHandler MOVE = (c, argv) -> {
        if (clusterMode(c)) {
            throw new RespError("ERR MOVE is not allowed in cluster mode");
        }
        int db = existing(c.keyspace(), index(argv[2]));
        if (db == c.keyspace().db()) {
            throw new RespError(SAME_OBJECT);
        }
        MOVE_ON_OWNER.handle(c, argv);
    };

    /** Redis's {@code moveCommand} on the owner: looked up for a write in both databases, added to the target, deleted here. */
    private static RedisMessage moveHere(ValueStore src, byte[][] argv, long now) {
        byte[] key = argv[1];
        ValueStore dst = src.databases().get(index(argv[2]));
        if (!src.exists(key, now)) {
            return ZERO;
        }
        if (dst.exists(key, now)) {
            return ZERO;
        }
        StoredValue moved = src.take(key, now); // its TTL goes with it
        dst.put(key, moved); // the new key's event, in the target database
        src.notify(KeyspaceEvents.GENERIC, "move_from", key);
        dst.notify(KeyspaceEvents.GENERIC, "move_to", key);
        return ONE; // its effect is its own arguments, in the source database (the unit's)
    }

    // ------------------------------------------------------------------ SWAPDB

    /**
     * SWAPDB index1 index2: the two databases exchange their keys on every shard, as one transaction of
     * every shard (no command sees one shard swapped and another not); clients keep their database index,
     * so a client in {@code index1} now sees what was {@code index2}'s. Watched keys of both are touched and
     * clients blocked on keys of either served where the keys now have data (Redis's {@code dbSwapDatabases}).
     */
    public static void swapdb(CommandContext c, byte[][] argv) {
        if (clusterMode(c)) {
            throw new RespError("ERR SWAPDB is not allowed in cluster mode");
        }
        int a = index(argv[1], "ERR invalid first DB index");
        int b = index(argv[2], "ERR invalid second DB index");
        Keyspace keyspace = c.keyspace();
        existing(keyspace, a);
        existing(keyspace, b);
        byte[][] effect = {SWAPDB, argv[1].clone(), argv[2].clone()};
        if (keyspace.transaction() != ShardReservation.FREE) {
            // run by EXEC, whose transaction holds every shard already (a command without keys reserves them all)
            c.replyLater(swapEach(keyspace, a, b, effect));
            return;
        }
        Keyspace bound = keyspace.boundTo(c.local().nextGroupId());
        BitSet every = new BitSet();
        every.set(0, keyspace.shardCount());
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier();
        bound.reserveInOrder(every).flatMap(held -> swapEach(bound, a, b, effect)).whenComplete((reply, failure) -> {
            bound.releaseAll(every);
            slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
            c.endBarrier();
        });
    }

    private static ShardFuture<RedisMessage> swapEach(Keyspace keyspace, int a, int b, byte[][] effect) {
        return keyspace.mapReduce(st -> {
            st.writes().swap(a, b);
            // every shard's part of one group: the stream made of them says it once (ChangeMerge), as Redis propagates it
            st.store().changes().propagate(effect);
            return (RedisMessage) OK;
        }, (RedisMessage) OK, (x, y) -> OK);
    }
}
