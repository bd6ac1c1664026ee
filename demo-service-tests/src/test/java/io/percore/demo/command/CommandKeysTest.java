package io.percore.demo.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.percore.demo.table.RespCommands;

/**
 * Issue 14, COMMAND GETKEYS and GETKEYSANDFLAGS: for a call of every command of the table that has
 * keys, the same keys and flags as redis-server's (RESP2 and RESP3), with its errors; and the registry's
 * placing positions (what transactions, cluster routing, tracking and scripts go by,
 * {@link CommandTable#keyPositions}) are those keys, shard channels added.
 */
class CommandKeysTest {

    private static RealRedis redis;
    private static TestServices demo;
    private static final CommandTable TABLE = RespCommands.table(6380);

    /** A call of each command with keys (several where the keys depend on the arguments). */
    static final String[][] CALLS = {
            {"HSET", "h", "f", "v"}, {"HMSET", "h", "f", "v"}, {"HSETNX", "h", "f", "v"}, {"HGET", "h", "f"}, {"HMGET", "h", "f", "g"},
            {"HDEL", "h", "f"}, {"HEXISTS", "h", "f"}, {"HLEN", "h"}, {"HSTRLEN", "h", "f"}, {"HKEYS", "h"}, {"HVALS", "h"},
            {"HGETALL", "h"}, {"HINCRBY", "h", "f", "1"}, {"HINCRBYFLOAT", "h", "f", "1"}, {"HRANDFIELD", "h"}, {"HSCAN", "h", "0"},
            {"SADD", "s", "m"}, {"SREM", "s", "m"}, {"SMEMBERS", "s"}, {"SISMEMBER", "s", "m"}, {"SMISMEMBER", "s", "m"}, {"SCARD", "s"},
            {"SPOP", "s"}, {"SRANDMEMBER", "s"}, {"SSCAN", "s", "0"}, {"SINTER", "a", "b", "c"}, {"SUNION", "a", "b"}, {"SDIFF", "a", "b"},
            {"SINTERSTORE", "d", "a", "b"}, {"SUNIONSTORE", "d", "a"}, {"SDIFFSTORE", "d", "a", "b"}, {"SINTERCARD", "2", "a", "b"},
            {"SINTERCARD", "2", "a", "b", "LIMIT", "1"}, {"SMOVE", "a", "b", "m"},
            {"LPUSH", "l", "x"}, {"RPUSH", "l", "x"}, {"LPUSHX", "l", "x"}, {"RPUSHX", "l", "x"}, {"LPOP", "l"}, {"RPOP", "l", "2"},
            {"LLEN", "l"}, {"LRANGE", "l", "0", "-1"}, {"LINDEX", "l", "0"}, {"LSET", "l", "0", "x"}, {"LINSERT", "l", "BEFORE", "a", "b"},
            {"LREM", "l", "0", "x"}, {"LTRIM", "l", "0", "1"}, {"LPOS", "l", "x"}, {"RPOPLPUSH", "a", "b"}, {"LMOVE", "a", "b", "LEFT", "RIGHT"},
            {"LMPOP", "2", "a", "b", "LEFT"}, {"LMPOP", "1", "a", "RIGHT", "COUNT", "2"}, {"BLPOP", "a", "b", "0"}, {"BRPOP", "a", "1.5"},
            {"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"}, {"BRPOPLPUSH", "a", "b", "0"}, {"BLMPOP", "0", "2", "a", "b", "RIGHT"},
            {"WATCH", "a", "b"}, {"MOVE", "k", "1"},
            {"ZADD", "z", "1", "m"}, {"ZINCRBY", "z", "1", "m"}, {"ZREM", "z", "m"}, {"ZCARD", "z"}, {"ZCOUNT", "z", "0", "1"},
            {"ZLEXCOUNT", "z", "-", "+"}, {"ZSCORE", "z", "m"}, {"ZMSCORE", "z", "m"}, {"ZRANK", "z", "m"}, {"ZREVRANK", "z", "m"},
            {"ZRANGE", "z", "0", "-1"}, {"ZRANGESTORE", "d", "z", "0", "-1"}, {"ZRANGEBYSCORE", "z", "0", "1"}, {"ZREVRANGEBYSCORE", "z", "1", "0"},
            {"ZRANGEBYLEX", "z", "-", "+"}, {"ZREVRANGEBYLEX", "z", "+", "-"}, {"ZREVRANGE", "z", "0", "-1"}, {"ZPOPMIN", "z"}, {"ZPOPMAX", "z"},
            {"ZMPOP", "2", "a", "b", "MIN"}, {"BZPOPMIN", "a", "b", "0"}, {"BZPOPMAX", "a", "1.5"}, {"BZMPOP", "0", "2", "a", "b", "MIN"},
            {"BZMPOP", "1", "1", "a", "MAX", "COUNT", "2"}, {"ZREMRANGEBYRANK", "z", "0", "1"}, {"ZREMRANGEBYSCORE", "z", "0", "1"}, {"ZREMRANGEBYLEX", "z", "-", "+"},
            {"ZUNION", "2", "a", "b"}, {"ZINTER", "2", "a", "b", "WEIGHTS", "1", "2"}, {"ZDIFF", "1", "a"}, {"ZUNIONSTORE", "d", "2", "a", "b"},
            {"ZINTERSTORE", "d", "1", "a"}, {"ZDIFFSTORE", "d", "2", "a", "b"}, {"ZINTERCARD", "2", "a", "b"}, {"ZRANDMEMBER", "z"}, {"ZSCAN", "z", "0"},
            {"GET", "k"}, {"SET", "k", "v"}, {"SET", "k", "v", "GET"}, {"SET", "k", "v", "EX", "10", "get"}, {"SETNX", "k", "v"},
            {"SETEX", "k", "10", "v"}, {"PSETEX", "k", "10", "v"}, {"GETSET", "k", "v"}, {"GETDEL", "k"}, {"GETEX", "k"}, {"MGET", "a", "b", "c"},
            {"MSET", "a", "1", "b", "2"}, {"MSETNX", "a", "1", "b", "2"}, {"APPEND", "k", "v"}, {"STRLEN", "k"}, {"GETRANGE", "k", "0", "1"},
            {"SETRANGE", "k", "0", "v"}, {"INCR", "k"}, {"DECR", "k"}, {"INCRBY", "k", "1"}, {"DECRBY", "k", "1"}, {"INCRBYFLOAT", "k", "1"},
            {"LCS", "a", "b"}, {"SETBIT", "k", "1", "1"}, {"GETBIT", "k", "1"}, {"BITCOUNT", "k"}, {"BITPOS", "k", "1"}, {"BITOP", "AND", "d", "a", "b"},
            {"BITFIELD", "k", "GET", "u8", "0"}, {"BITFIELD", "k", "SET", "u8", "0", "1"}, {"BITFIELD", "k", "OVERFLOW", "SAT", "GET", "u8", "0"},
            {"BITFIELD_RO", "k", "GET", "u8", "0"},
            {"DEL", "a", "b"}, {"UNLINK", "a"}, {"EXISTS", "a", "b"}, {"TOUCH", "a"}, {"TYPE", "k"}, {"EXPIRE", "k", "10"}, {"PEXPIRE", "k", "10"},
            {"EXPIREAT", "k", "10"}, {"PEXPIREAT", "k", "10"}, {"EXPIRETIME", "k"}, {"PEXPIRETIME", "k"}, {"TTL", "k"}, {"PTTL", "k"},
            {"PERSIST", "k"}, {"RENAME", "a", "b"}, {"RENAMENX", "a", "b"}, {"COPY", "a", "b"}, {"MEMORY", "USAGE", "k"},
            {"MEMORY", "USAGE", "k", "SAMPLES", "5"},
            {"EVAL", "return 1", "1", "k"}, {"EVALSHA", "abc", "2", "k", "j", "arg"}, {"FCALL", "f", "1", "k"},
            {"EVAL_RO", "return 1", "1", "k"}, {"EVALSHA_RO", "abc", "1", "k"}, {"FCALL_RO", "f", "1", "k", "arg"},
            {"SORT", "k"}, {"SORT", "k", "STORE", "d"}, {"SORT", "k", "BY", "w_*", "GET", "h_*->f", "LIMIT", "0", "5", "STORE", "d"},
            {"SORT", "k", "STORE", "d", "STORE", "e"}, {"SORT", "k", "GET", "store"}, {"SORT_RO", "k", "BY", "w_*"},
            {"DUMP", "k"}, {"RESTORE", "k", "0", "payload"}, {"RESTORE-ASKING", "k", "0", "payload"},
            {"XADD", "x", "*", "f", "v"}, {"XADD", "x", "MAXLEN", "~", "5", "*", "f", "v"}, {"XRANGE", "x", "-", "+"},
            {"XREVRANGE", "x", "+", "-"}, {"XLEN", "x"}, {"XDEL", "x", "1-1"}, {"XTRIM", "x", "MAXLEN", "5"}, {"XSETID", "x", "5-5"},
            {"XREAD", "STREAMS", "a", "b", "0", "0"}, {"XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "a", "$"},
            {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"}, {"XREADGROUP", "GROUP", "g", "c", "NOACK", "COUNT", "1", "STREAMS", "a", "b", ">", "0"},
            {"XREAD", "STREAMS", "streams", "streams", "0", "0"}, {"XACK", "x", "g", "1-1"}, {"XPENDING", "x", "g"},
            {"XCLAIM", "x", "g", "c", "0", "1-1"}, {"XAUTOCLAIM", "x", "g", "c", "0", "0"},
            {"XGROUP", "CREATE", "x", "g", "$"}, {"XGROUP", "SETID", "x", "g", "$"}, {"XGROUP", "DESTROY", "x", "g"},
            {"XGROUP", "CREATECONSUMER", "x", "g", "c"}, {"XGROUP", "DELCONSUMER", "x", "g", "c"},
            {"XINFO", "STREAM", "x"}, {"XINFO", "GROUPS", "x"}, {"XINFO", "CONSUMERS", "x", "g"},
            {"GEOADD", "g", "1", "2", "m"}, {"GEODIST", "g", "a", "b"}, {"GEOHASH", "g", "a"}, {"GEOPOS", "g", "a"},
            {"GEOSEARCH", "g", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"}, {"GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "m", "BYBOX", "1", "1", "km"},
            {"GEORADIUS", "g", "0", "0", "1", "km"}, {"GEORADIUS", "g", "0", "0", "1", "km", "STORE", "d"},
            {"GEORADIUS", "g", "0", "0", "1", "km", "COUNT", "1", "STOREDIST", "d"}, {"GEORADIUS", "g", "0", "0", "1", "km", "STORE", "d", "STOREDIST", "e"},
            {"GEORADIUS", "g", "0", "0", "1", "km", "store", "d", "STORE", "e"}, {"GEORADIUS", "g", "0", "0", "1", "km", "STORE"},
            {"GEORADIUS_RO", "g", "0", "0", "1", "km"}, {"GEORADIUSBYMEMBER", "g", "m", "1", "km", "STOREDIST", "d"},
            {"GEORADIUSBYMEMBER", "g", "m", "1", "km", "WITHDIST"}, {"GEORADIUSBYMEMBER_RO", "g", "m", "1", "km"},
            {"PFADD", "p", "a"}, {"PFCOUNT", "p", "q"}, {"PFMERGE", "d", "p", "q"}, {"PFDEBUG", "ENCODING", "p"},
    };

    /** Calls whose answer is an error (or the empty answer of a command whose keys are optional). */
    static final String[][] ODD_CALLS = {
            {"NOSUCH", "k"}, {"PING", "x"}, {"KEYS", "*"}, {"SPUBLISH", "ch", "m"}, {"SSUBSCRIBE", "ch"}, {"GET", "a", "b"},
            {"SINTERCARD", "0", "a"}, {"SINTERCARD", "x", "a"}, {"LMPOP", "0", "a", "LEFT"}, {"BLMPOP", "0", "5", "a", "LEFT"}, {"ZUNIONSTORE", "d", "5", "a"}, {"ZMPOP", "-1", "a", "MIN"},
            {"BZMPOP", "0", "0", "a", "MIN"}, {"BZMPOP", "0", "5", "a", "MIN"}, {"BZPOPMIN", "a"},
            {"MEMORY", "NOSUCH", "k"}, {"EVAL", "return 1", "0"}, {"EVAL", "return 1", "3", "k"}, {"CLIENT", "LIST"}, {"MSET", "a", "1", "b"},
            {"XREAD", "STREAMS", "a"}, {"XREAD", "COUNT", "1", "a", "0"}, {"XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", "b", ">"},
            {"XGROUP", "HELP"}, {"XINFO", "HELP"},
    };

    @BeforeAll
    static void start() throws Exception {
        redis = RealRedis.start();
        demo = TestServices.start(2, DemoSettings.forTests());
    }

    @AfterAll
    static void stop() throws Exception {
        demo.close();
        redis.close();
    }

    private static String[] with(String sub, String[] call) {
        String[] command = new String[call.length + 2];
        command[0] = "COMMAND";
        command[1] = sub;
        System.arraycopy(call, 0, command, 2, call.length);
        return command;
    }

    @Test
    void everyKeyedCommandOfTheTableHasACall() {
        Set<String> called = new HashSet<>();
        for (String[] call : CALLS) {
            called.add(call[0].toLowerCase());
            called.add((call[0] + "|" + (call.length > 1 ? call[1] : "")).toLowerCase());
        }
        List<String> missing = new ArrayList<>();
        for (int id = 0; id < TABLE.size(); id++) {
            if (TABLE.runs(id) && CommandKeys.hasKeys(TABLE, id) && !called.contains(TABLE.fullName(id))) {
                missing.add(TABLE.fullName(id));
            }
        }
        assertThat(missing).as("keyed commands without a call in CALLS").isEmpty();
    }

    @Test
    void getkeysAndGetkeysandflagsAreRedises() throws IOException {
        List<String[]> commands = new ArrayList<>();
        for (String[][] calls : new String[][][] {CALLS, ODD_CALLS}) {
            for (String[] call : calls) {
                commands.add(with("GETKEYS", call));
                commands.add(with("GETKEYSANDFLAGS", call));
            }
        }
        commands.add(new String[] {"COMMAND", "GETKEYS", "GET"});
        redis.inBothProtocols(demo.respPort(), (r, d, proto) ->
                RealRedis.sameReplies(r, d, proto, commands.toArray(new String[0][]), reply -> reply));
    }

    @Test
    void theRegistryPlacesACallByItsKeysAndItsShardChannelsAndNeverThrows() {
        for (String[] call : CALLS) {
            byte[][] argv = argv(call);
            int id = TABLE.lookup(argv);
            List<CommandKeys.Key> specs = CommandKeys.keys(TABLE, id, argv);
            assertThat(Arrays.stream(TABLE.keyPositions(id, argv)).boxed().toList()).as(String.join(" ", call))
                    .isEqualTo(specs.stream().map(CommandKeys.Key::position).toList());
            assertThat(TABLE.namesKeys(id)).as(String.join(" ", call)).isTrue();
        }
        // a shard channel places a call on its shard (and slot) as a key does, though COMMAND GETKEYS lists no key for it
        for (String[] call : new String[][] {{"SPUBLISH", "ch", "m"}, {"SSUBSCRIBE", "a", "b"}, {"SUNSUBSCRIBE", "a", "b", "c"}}) {
            int id = TABLE.lookup(argv(call));
            assertThat(CommandKeys.keys(TABLE, id, argv(call))).as(String.join(" ", call)).isEmpty();
            assertThat(TABLE.namesKeys(id)).isTrue();
            assertThat(TABLE.keyPositions(id, argv(call))).as(String.join(" ", call))
                    .containsExactly(java.util.stream.IntStream.range(1, call[0].equals("SPUBLISH") ? 2 : call.length).toArray());
        }
        // what does not locate its keys places nothing: the command answers its own error where it runs
        for (String[] call : new String[][] {{"ZUNIONSTORE", "d", "5", "a"}, {"EVAL", "return 1", "x", "k"}, {"SINTERCARD", "0", "a"},
                {"XREAD", "COUNT", "1", "a", "0"}, {"ZUNIONSTORE", "d"}, {"GET"}, {"LMPOP"}}) {
            int id = TABLE.find(argv(call)[0]);
            assertThat(TABLE.keyPositions(id, argv(call))).as(String.join(" ", call)).isEmpty();
        }
        assertThat(TABLE.namesKeys(TABLE.find(argv("PING")[0]))).isFalse();
    }

    private static byte[][] argv(String... call) {
        return Arrays.stream(call).map(a -> a.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }
}
