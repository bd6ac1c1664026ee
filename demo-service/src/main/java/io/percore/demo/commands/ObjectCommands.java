package io.percore.demo.commands;

import static io.percore.demo.resp.RespReplies.NIL;
import static io.percore.demo.resp.RespReplies.integer;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.kv.ListValue;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MutableValue;
import io.percore.demo.kv.ObjectInfo;
import io.percore.demo.kv.ValueStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import io.percore.demo.command.CommandContext;
import io.percore.demo.rdb.QuicklistLayout;
import io.percore.demo.rdb.SavedLength;
import io.percore.demo.resp.RespNumbers;
import io.percore.demo.resp.RespReplies;

/**
 * OBJECT ENCODING | FREQ | IDLETIME | REFCOUNT | HELP (Redis's {@code object.c}), on the key's shard,
 * without counting as an access to the key (Redis's {@code LOOKUP_NOTOUCH}).
 *
 * <p>ENCODING names, in Redis's words, the representation this server chose: a string written whole
 * is {@code int}, {@code embstr} or {@code raw} by Redis's rule for such strings ({@code object.c}'s
 * {@code tryObjectEncoding}), a string changed in place is {@code raw} (as Redis's after APPEND,
 * SETRANGE or a bit command); other types name their own ({@link MutableValue#encoding()}): a sorted
 * set {@code listpack} or {@code skiplist} as Redis's; a type to come that does not yet is named by
 * {@link #DEFAULT_ENCODINGS}.
 */
public final class ObjectCommands {

    /** Redis's {@code OBJ_ENCODING_EMBSTR_SIZE_LIMIT}. */
    static final int EMBSTR_SIZE_LIMIT = 44;
    /** Redis shares the integers 0..9999 ({@code OBJ_SHARED_INTEGERS}) unless an LRU/LFU policy needs one clock per key. */
    static final long SHARED_INTEGERS = 10_000;
    /** The encoding of a value type that does not name its own. */
    static final java.util.Map<String, String> DEFAULT_ENCODINGS = java.util.Map.of("zset", "skiplist");

    private static final List<String> HELP = List.of(
            "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
            "ENCODING <key>",
            "    Return the kind of internal representation used in order to store the value",
            "    associated with a <key>.",
            "FREQ <key>",
            "    Return the access frequency index of the <key>. The returned integer is",
            "    proportional to the logarithm of the recent access frequency of the key.",
            "IDLETIME <key>",
            "    Return the idle time of the <key>, that is the approximated number of",
            "    seconds elapsed since the last access to the key.",
            "REFCOUNT <key>",
            "    Return the number of references of the value associated with the specified",
            "    <key>.",
            "HELP",
            "    Prints this help.");

    private static final String POLICY_NOTE = " Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

    private ObjectCommands() {
    }

    public static void object(CommandContext c, byte[][] argv) {
        String sub = RespReplies.ascii(argv[1]).toLowerCase(Locale.ROOT);
        switch (sub) {
            case "help" -> {
                if (argv.length != 2) {
                    throw RespReplies.wrongArgs("object|help");
                }
                List<RedisMessage> lines = new ArrayList<>(HELP.size());
                HELP.forEach(line -> lines.add(new SimpleStringRedisMessage(line)));
                c.reply(new ArrayRedisMessage(lines));
            }
            case "encoding", "freq", "idletime", "refcount" -> {
                if (argv.length != 3) {
                    throw RespReplies.wrongArgs("object|" + sub);
                }
                byte[] key = argv[2];
                c.replyLater(c.keyspace().invokeOn(c.keyspace().shardOf(key), st -> inspect(st.store(), key, sub)));
            }
            default -> throw RespReplies.unknownSubcommand(argv[1], "object");
        }
    }

    private static RedisMessage inspect(ValueStore store, byte[] key, String sub) {
        ObjectInfo info = store.inspect(key, System.currentTimeMillis());
        if (info == null) {
            return NIL;
        }
        MaxmemoryPolicy policy = store.memory().budget().policy();
        return switch (sub) {
            case "encoding" -> RespReplies.bulk(encoding(info));
            case "freq" -> policy.isLfu() ? integer(info.frequency())
                    : RespReplies.error("ERR An LFU maxmemory policy is not selected, access frequency not tracked." + POLICY_NOTE);
            case "idletime" -> policy.isLfu()
                    ? RespReplies.error("ERR An LFU maxmemory policy is selected, idle time not tracked." + POLICY_NOTE)
                    : integer(info.idleMillis() / 1000);
            default -> integer(refcount(info.value(), policy));
        };
    }

    /**
     * DEBUG OBJECT key (Redis's {@code debug.c}), on the key's shard, without counting as an access: the
     * value's identity, REFCOUNT, ENCODING, the length it serializes to ({@link SavedLength}), its LRU clock
     * and idle seconds, and for a list the quicklist Redis would hold it in ({@link QuicklistLayout}), with
     * {@code list-max-listpack-size} as configured. A missing key is {@code ERR no such key}.
     */
    public static void debugObject(CommandContext c, byte[] key) {
        long listFill = c.server().config().thresholds().get(LIST_FILL);
        c.replyLater(c.keyspace().invokeOn(c.keyspace().shardOf(key), st -> describe(st.store(), key, listFill)));
    }

    /** Redis's name of the lists' fill factor ({@code ql->fill}). */
    private static final String LIST_FILL = "list-max-listpack-size";

    private static RedisMessage describe(ValueStore store, byte[] key, long listFill) {
        long now = System.currentTimeMillis();
        ObjectInfo info = store.inspect(key, now);
        if (info == null) {
            return RespReplies.error(RespReplies.NO_SUCH_KEY);
        }
        MaxmemoryPolicy policy = store.memory().budget().policy();
        Object value = info.value();
        String encoding = encoding(info);
        QuicklistLayout quicklist = value instanceof ListValue list ? QuicklistLayout.of(list, listFill) : null;
        long serialized = quicklist != null ? quicklist.serialized() : SavedLength.of(info.type(), value, encoding, listFill);
        // an address as %p prints one: this server's objects have an identity, not an address
        StringBuilder line = new StringBuilder(192).append("Value at:0x").append(Integer.toHexString(System.identityHashCode(value)))
                .append(" refcount:").append(refcount(value, policy))
                .append(" encoding:").append(encoding)
                .append(" serializedlength:").append(serialized)
                .append(" lru:").append(lruField(info, policy, now))
                .append(" lru_seconds_idle:").append(info.idleMillis() / 1000);
        if (quicklist != null) {
            line.append(" ql_nodes:").append(quicklist.nodes())
                    .append(" ql_avg_node:").append(String.format(Locale.ROOT, "%.2f", quicklist.averageNode(((ListValue) value).size())))
                    .append(" ql_listpack_max:").append(quicklist.fill())
                    .append(" ql_compressed:0") // list-compress-depth is kept, not applied: no node is compressed
                    .append(" ql_uncompressed_size:").append(quicklist.bytes());
        }
        return new SimpleStringRedisMessage(line.toString());
    }

    /**
     * Redis's 24 bits of {@code robj.lru}: the LRU clock (seconds) of the last access, or with an LFU policy
     * the minutes of the last decrement above the 8-bit counter.
     */
    private static long lruField(ObjectInfo info, MaxmemoryPolicy policy, long now) {
        if (policy.isLfu()) {
            return ((now / 60_000) & 0xFFFF) << 8 | info.frequency();
        }
        return ((now - info.idleMillis()) / 1000) & LRU_CLOCK_MAX;
    }

    /** Redis's {@code LRU_CLOCK_MAX}. */
    private static final long LRU_CLOCK_MAX = (1 << 24) - 1;

    /** OBJECT REFCOUNT: {@code INT_MAX} for one of Redis's shared integers, else 1. */
    private static int refcount(Object value, MaxmemoryPolicy policy) {
        return sharedInteger(value, policy) ? Integer.MAX_VALUE : 1;
    }

    /** Redis's name for how {@code info}'s value is held. */
    static String encoding(ObjectInfo info) {
        Object value = info.value();
        if (value instanceof byte[] bytes) {
            return RespNumbers.isLong(bytes) ? "int" : bytes.length <= EMBSTR_SIZE_LIMIT ? "embstr" : "raw";
        }
        if (value instanceof MutableValue mutable) {
            return mutable.encoding();
        }
        return DEFAULT_ENCODINGS.getOrDefault(info.type().name(), "unknown");
    }

    /**
     * Whether Redis would hold this value as one of its shared integer objects (REFCOUNT
     * {@code INT_MAX}): an {@code int}-encoded 0..9999 while the policy is neither LRU nor LFU (this
     * server always has a maxmemory).
     */
    private static boolean sharedInteger(Object value, MaxmemoryPolicy policy) {
        if (!(value instanceof byte[] bytes) || !RespNumbers.isLong(bytes) || policy.isLru() || policy.isLfu()) {
            return false;
        }
        long n = RespNumbers.parseLong(bytes);
        return n >= 0 && n < SHARED_INTEGERS;
    }
}
