package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.KeyspaceEvents;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ValueType;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.ShardFuture;
import java.util.ArrayList;
import java.util.List;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.resp.RespReplies;

/**
 * SORT and SORT_RO (Redis's {@code sort.c}) over a sharded keyspace. The sorted key is read on its
 * shard ({@link SortSource}); the keys BY and GET patterns name, which may live on any shard, are
 * read from their owners, one message per shard per step ({@link SortLookups}); the sort runs on
 * the connection's shard in slices ({@link SortOrder}); STORE writes the list on the destination's
 * shard. Like the demo's other multi-key commands it is atomic per shard, not across shards (in
 * MULTI/EXEC it is atomic: a SORT with patterns makes the transaction hold every shard).
 *
 * <p>Bounds: no step of a SORT holds a shard for more than about half a millisecond of sorting or
 * {@value SortLookups#LOOKUPS_PER_STEP} lookups, whatever the input; reading the sorted key and
 * storing the result are single steps proportional to the data, as SMEMBERS and SUNIONSTORE are.
 * GET patterns multiply the reply, so their results are limited to {@value #MAX_GET_RESULTS} (Redis
 * has no limit); a stored result must fit the destination shard's budget.
 */
public final class SortCommands {

    static final String NOT_DOUBLES = "ERR One or more scores can't be converted into double";
    /** Most values GET patterns may produce (patterns times returned elements): the reply is built in memory. */
    static final long MAX_GET_RESULTS = 1L << 24;
    private static final byte[] EMPTY = new byte[0];

    private SortCommands() {
    }

    public static void sort(CommandContext c, byte[][] argv) {
        run(c, argv, false);
    }

    public static void sortRo(CommandContext c, byte[][] argv) {
        run(c, argv, true);
    }

    /** SORT's and SORT_RO's calls whose BY or GET patterns name keys: keys no argument names (see {@link CommandSpec.UnnamedKeys}). */
    public static final CommandSpec.UnnamedKeys PATTERN_KEYS = SortQuery::readsPatternKeys;

    private static void run(CommandContext c, byte[][] argv, boolean readonly) {
        // SORT may write (STORE), so like every denyoom command it is refused over maxmemory
        ValueStore local = c.local().store();
        if (!readonly && !local.makeRoom(System.currentTimeMillis())) {
            c.reply(RespReplies.OOM_REPLY);
            return;
        }
        io.percore.demo.acl.UserIdentity who = c.session().user;
        SortQuery q = SortQuery.parse(argv, readonly,
                c.server().acl().readsEveryKey(who == null ? null : who.current(), readonly ? "sort_ro" : "sort", argv));
        Keyspace keyspace = c.keyspace();
        CommandContext.PendingReply slot = c.reserve();
        c.beginBarrier(); // the connection's next command runs after this one, as in Redis
        boolean fromScript = c.answersAtOnce();
        keyspace.invokeOn(keyspace.shardOf(q.key), st -> SortSource.read(st.store(), q, System.currentTimeMillis(), fromScript))
                .flatMap(source -> order(keyspace, q, source, fromScript).flatMap(positions -> output(keyspace, q, source, positions)))
                .whenComplete((reply, failure) -> {
                    slot.complete(failure == null ? reply : RespReplies.forFailure(failure));
                    c.endBarrier();
                });
    }

    /** The sorted positions of the source's elements (as read when not sorting), or {@link SortOrder#UNCONVERTIBLE}. */
    private static ShardFuture<int[]> order(Keyspace keyspace, SortQuery q, SortSource source, boolean atOnce) {
        byte[][] elements = source.elements();
        if (source.dontSort()) {
            int[] asRead = new int[elements.length];
            for (int i = 0; i < asRead.length; i++) {
                asRead[i] = i;
            }
            return ShardFuture.completed(asRead);
        }
        boolean binary = q.store != null;
        if (source.by() == null) {
            return SortOrder.of(elements, null, source.alpha(), q.desc, binary, atOnce);
        }
        return SortLookups.of(keyspace, elements, List.of(source.by()))
                .flatMap(weights -> SortOrder.of(elements, weights, source.alpha(), q.desc, binary, atOnce));
    }

    private static ShardFuture<RedisMessage> output(Keyspace keyspace, SortQuery q, SortSource source, int[] positions) {
        if (positions == SortOrder.UNCONVERTIBLE) {
            return ShardFuture.completed(RespReplies.error(NOT_DOUBLES));
        }
        int count = Math.max(0, source.end() - source.start() + 1);
        byte[][] out = new byte[count][];
        for (int j = 0; j < count; j++) {
            out[j] = source.elements()[positions[source.start() + j]];
        }
        ShardFuture<byte[][]> values;
        if (q.gets.isEmpty()) {
            values = ShardFuture.completed(out);
        } else {
            if ((long) count * q.gets.size() > MAX_GET_RESULTS) {
                return ShardFuture.completed(RespReplies.error("ERR SORT with GET would return more than " + MAX_GET_RESULTS
                        + " values (GET patterns times elements); use LIMIT"));
            }
            values = SortLookups.of(keyspace, out, q.gets);
        }
        if (q.store == null) {
            return values.map(SortCommands::reply);
        }
        return values.flatMap(v -> store(keyspace, q.store, v));
    }

    private static RedisMessage reply(byte[][] values) {
        List<RedisMessage> items = new ArrayList<>(values.length);
        for (byte[] v : values) {
            items.add(RespReplies.bulk(v)); // a null is a nil
        }
        return RespReplies.array(items);
    }

    /** STORE: the result as a list on the destination's shard (a missing GET value as an empty string), or no key when empty. */
    private static ShardFuture<RedisMessage> store(Keyspace keyspace, byte[] dst, byte[][] values) {
        return keyspace.invokeOn(keyspace.shardOf(dst), st -> {
            ValueStore ks = st.store();
            long now = System.currentTimeMillis();
            if (values.length == 0) {
                if (ks.delete(dst, now)) {
                    ks.changes().propagate(Effects.del(dst));
                    ks.notify(KeyspaceEvents.GENERIC, "del", dst);
                }
                return integer(0);
            }
            if (!ks.makeRoom(now)) {
                return RespReplies.OOM_REPLY;
            }
            ListValue list = new ListValue();
            for (byte[] v : values) {
                list.addLast(v == null ? EMPTY : v);
            }
            ks.memory().requireFits(list.bytes());
            ks.set(dst, ValueType.LIST, list, ValueStore.NO_EXPIRY); // a new list: what wakes blocked pops
            ks.changes().propagateValue(dst); // its elements came from keys anywhere: replayed as the value
            ks.notify(KeyspaceEvents.LIST, "sortstore", dst);
            return integer(values.length);
        });
    }
}
