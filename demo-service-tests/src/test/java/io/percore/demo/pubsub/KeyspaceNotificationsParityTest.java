package io.percore.demo.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 27, part 3: keyspace notifications against redis-server 7.0.15. The same commands go to both
 * servers; subscribers of {@code __key*} (a pattern) and of a few channels listen on redis-server and
 * on each shard of a two-shard demo; after each script a marker message ends what each one got, and
 * the sequences must be equal: every event of every command the demo has (write-path effects,
 * keymiss, new, expired, evicted included), in RESP2 and RESP3, with all classes on and with masks.
 * A script whose keys share a hash tag runs on one shard and is compared as one sequence; a script
 * across shards is compared shard by shard (the events of the keys of each shard, in order), which is
 * the order the demo keeps.
 */
class KeyspaceNotificationsParityTest {

    private static final String ALL = "AKEmn";
    private static final Pattern SHARD = Pattern.compile("shard=(\\d+)");

    private static RealRedis redis;
    private static TestServices demo;

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

    // ------------------------------------------------------------------ scripts

    /**
     * Every write command of the demo and its variants that change something or nothing, and reads of
     * missing keys (keymiss), on keys of one shard. A leading {@code ?} leaves the reply out of the
     * comparison (times, random picks), {@code ~} compares it sorted (set members).
     */
    private static final String[][] ONE_SHARD = {
            // strings
            {"SET", "s1{t}", "v"}, {"SET", "s1{t}", "v2"}, {"SET", "s1{t}", "v3", "NX"}, {"SET", "s1{t}", "v4", "XX"},
            {"SET", "s2{t}", "v", "XX"}, {"SET", "s1{t}", "v5", "GET"}, {"SET", "s4{t}", "v", "GET"},
            {"SET", "s3{t}", "v", "EX", "100"}, {"SET", "s3{t}", "v2", "KEEPTTL"}, {"SET", "s3{t}", "v3", "PX", "100000"},
            {"SET", "s3{t}", "v4", "EXAT", "4102444800"}, {"SET", "s3{t}", "v5", "PXAT", "4102444800000"},
            {"GET", "nokey{t}"}, {"GET", "s1{t}"}, {"SETNX", "s1{t}", "x"}, {"SETNX", "s5{t}", "x"},
            {"SETEX", "s6{t}", "100", "v"}, {"PSETEX", "s7{t}", "100000", "v"}, {"GETSET", "s1{t}", "z"}, {"GETSET", "s8{t}", "z"},
            {"GETDEL", "s8{t}"}, {"GETDEL", "nokey{t}"}, {"GETEX", "s1{t}", "EX", "100"}, {"GETEX", "s1{t}", "PERSIST"},
            {"GETEX", "s1{t}", "PERSIST"}, {"GETEX", "s5{t}"}, {"GETEX", "nokey{t}"}, {"GETEX", "s5{t}", "PXAT", "1000"},
            {"MSET", "m1{t}", "1", "m2{t}", "2"}, {"MSETNX", "m3{t}", "1", "m4{t}", "2"}, {"MSETNX", "m3{t}", "1", "m5{t}", "2"},
            {"APPEND", "a1{t}", "x"}, {"APPEND", "a1{t}", "y"}, {"APPEND", "a1{t}", ""}, {"STRLEN", "nokey{t}"},
            {"GETRANGE", "nokey{t}", "0", "1"}, {"SETRANGE", "r1{t}", "0", "x"}, {"SETRANGE", "r1{t}", "5", "y"},
            {"SETRANGE", "r2{t}", "0", ""}, {"SETRANGE", "r1{t}", "0", ""}, {"INCR", "i1{t}"}, {"DECR", "i1{t}"},
            {"INCRBY", "i1{t}", "5"}, {"DECRBY", "i1{t}", "2"}, {"INCRBYFLOAT", "f1{t}", "1.5"}, {"INCRBYFLOAT", "f1{t}", "1"},
            {"MGET", "m1{t}", "nokey{t}", "m2{t}"}, {"LCS", "m1{t}", "nokey{t}"}, {"LPUSH", "s1{t}", "x"}, {"INCR", "s1{t}"},
            // bits
            {"SETBIT", "b1{t}", "7", "1"}, {"SETBIT", "b1{t}", "7", "1"}, {"SETBIT", "b1{t}", "7", "0"}, {"SETBIT", "b1{t}", "100", "0"},
            {"GETBIT", "nokey{t}", "0"}, {"BITCOUNT", "nokey{t}"}, {"BITPOS", "nokey{t}", "1"},
            {"BITOP", "AND", "bd{t}", "b1{t}", "nokey{t}"}, {"BITOP", "OR", "bd{t}", "nokey{t}", "nokey2{t}"},
            {"BITFIELD", "bf{t}", "SET", "u8", "0", "1"}, {"BITFIELD", "bf{t}", "SET", "u8", "0", "1"}, {"BITFIELD", "bf{t}", "GET", "u8", "0"},
            {"BITFIELD", "bf2{t}", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "10"}, {"BITFIELD_RO", "nokey{t}", "GET", "u8", "0"},
            {"BITFIELD", "nokey{t}", "GET", "u8", "0"},
            // hashes
            {"HSET", "h1{t}", "f", "v"}, {"HSET", "h1{t}", "f", "v2", "g", "w"}, {"HMSET", "h1{t}", "a", "1"}, {"HSETNX", "h1{t}", "f", "x"},
            {"HSETNX", "h1{t}", "z", "x"}, {"HDEL", "h1{t}", "nope"}, {"HDEL", "h1{t}", "f"}, {"HDEL", "h1{t}", "g", "z", "a"},
            {"HINCRBY", "h2{t}", "f", "1"}, {"HINCRBYFLOAT", "h2{t}", "g", "1.5"}, {"HGET", "nokey{t}", "f"}, {"HGETALL", "nokey{t}"},
            {"HMGET", "nokey{t}", "a"}, {"HLEN", "nokey{t}"}, {"HEXISTS", "nokey{t}", "f"}, {"HSTRLEN", "nokey{t}", "f"},
            {"HKEYS", "nokey{t}"}, {"HVALS", "nokey{t}"}, {"HRANDFIELD", "nokey{t}"}, {"HSCAN", "nokey{t}", "0"},
            // sets
            {"SADD", "st1{t}", "a", "b"}, {"SADD", "st1{t}", "a"}, {"SREM", "st1{t}", "x"}, {"SREM", "st1{t}", "a"}, {"SPOP", "st1{t}"},
            {"SADD", "st2{t}", "a", "b", "c"}, {"~SPOP", "st2{t}", "5"}, {"SPOP", "st2{t}", "0"}, {"SADD", "st3{t}", "a"},
            {"SMOVE", "st3{t}", "st4{t}", "a"}, {"SMOVE", "st3{t}", "st4{t}", "a"}, {"SADD", "st4{t}", "b"}, {"SMOVE", "st4{t}", "st4{t}", "b"},
            {"SADD", "st5{t}", "a", "b"}, {"SADD", "st6{t}", "b", "c"}, {"SINTERSTORE", "sd{t}", "st5{t}", "st6{t}"},
            {"SUNIONSTORE", "sd{t}", "st5{t}", "st6{t}"}, {"SDIFFSTORE", "sd{t}", "nokey{t}", "st5{t}"}, {"SDIFFSTORE", "sd{t}", "nokey{t}"},
            {"~SINTER", "st5{t}", "nokey{t}", "st6{t}"}, {"~SUNION", "st5{t}", "nokey{t}"}, {"~SDIFF", "nokey{t}", "st5{t}"},
            {"SINTERCARD", "2", "st5{t}", "nokey{t}"}, {"~SMEMBERS", "nokey{t}"}, {"SISMEMBER", "nokey{t}", "a"},
            {"SMISMEMBER", "nokey{t}", "a"}, {"SCARD", "nokey{t}"}, {"SRANDMEMBER", "nokey{t}"}, {"SSCAN", "nokey{t}", "0"},
            // lists
            {"LPUSH", "l1{t}", "a", "b"}, {"RPUSH", "l1{t}", "c"}, {"LPUSHX", "nol{t}", "a"}, {"RPUSHX", "l1{t}", "d"},
            {"LPOP", "l1{t}"}, {"RPOP", "l1{t}", "2"}, {"LPOP", "l1{t}", "0"}, {"LPOP", "nol{t}"}, {"LSET", "l1{t}", "0", "z"},
            {"LINSERT", "l1{t}", "BEFORE", "z", "y"}, {"LINSERT", "l1{t}", "BEFORE", "nope", "y"}, {"LREM", "l1{t}", "0", "nope"},
            {"LREM", "l1{t}", "1", "y"}, {"LTRIM", "l1{t}", "0", "-1"}, {"LTRIM", "l1{t}", "1", "0"},
            {"RPUSH", "l2{t}", "a", "b", "c"}, {"RPOPLPUSH", "l2{t}", "l3{t}"}, {"LMOVE", "l2{t}", "l3{t}", "LEFT", "RIGHT"},
            {"LMOVE", "l3{t}", "l3{t}", "LEFT", "RIGHT"}, {"LMOVE", "l2{t}", "l3{t}", "LEFT", "LEFT"}, {"LMOVE", "nol{t}", "l3{t}", "LEFT", "LEFT"},
            {"LMPOP", "2", "nol{t}", "l3{t}", "LEFT", "COUNT", "2"}, {"BLPOP", "l3{t}", "1"}, {"RPUSH", "l5{t}", "a", "b"},
            {"BLMPOP", "1", "2", "nol{t}", "l5{t}", "RIGHT", "COUNT", "5"}, {"RPUSH", "l6{t}", "a"}, {"BRPOP", "nol{t}", "l6{t}", "1"},
            {"LRANGE", "nokey{t}", "0", "-1"}, {"LINDEX", "nokey{t}", "0"}, {"LLEN", "nokey{t}"}, {"LPOS", "nokey{t}", "a"},
            // sorted sets
            {"ZADD", "z1{t}", "1", "a", "2", "b"}, {"ZADD", "z1{t}", "1", "a"}, {"ZADD", "z1{t}", "INCR", "1", "a"},
            {"ZINCRBY", "z1{t}", "1", "a"}, {"ZADD", "z1{t}", "XX", "5", "nope"}, {"ZADD", "nz{t}", "XX", "1", "a"},
            {"ZADD", "z1{t}", "GT", "1", "b"}, {"ZREM", "z1{t}", "x"}, {"ZREM", "z1{t}", "a"},
            {"ZADD", "z2{t}", "1", "a", "2", "b", "3", "c", "4", "d"}, {"ZREMRANGEBYRANK", "z2{t}", "0", "0"},
            {"ZREMRANGEBYSCORE", "z2{t}", "2", "2"}, {"ZREMRANGEBYSCORE", "z2{t}", "20", "30"}, {"ZREMRANGEBYLEX", "z2{t}", "[c", "[c"},
            {"ZREMRANGEBYRANK", "z2{t}", "0", "-1"}, {"ZADD", "z3{t}", "1", "a", "2", "b", "3", "c"}, {"ZPOPMIN", "z3{t}"},
            {"ZPOPMAX", "z3{t}", "5"}, {"ZPOPMIN", "nz{t}"}, {"ZADD", "z4{t}", "1", "a", "2", "b"},
            {"ZMPOP", "2", "nz{t}", "z4{t}", "MIN", "COUNT", "1"}, {"BZPOPMIN", "z4{t}", "1"}, {"BZPOPMAX", "nz{t}", "z1{t}", "1"},
            {"ZADD", "z5{t}", "1", "a", "2", "b"}, {"ZADD", "z6{t}", "2", "b", "3", "c"}, {"ZUNIONSTORE", "zd{t}", "2", "z5{t}", "z6{t}"},
            {"ZINTERSTORE", "zd{t}", "2", "z5{t}", "nokey{t}"}, {"ZDIFFSTORE", "zd{t}", "2", "z5{t}", "z6{t}"},
            {"ZRANGESTORE", "zd{t}", "z5{t}", "0", "-1"}, {"ZRANGESTORE", "zd{t}", "nokey{t}", "0", "-1"},
            {"ZSCORE", "nokey{t}", "a"}, {"ZCARD", "nokey{t}"}, {"ZRANGE", "nokey{t}", "0", "-1"}, {"ZRANK", "nokey{t}", "a"},
            {"ZRANDMEMBER", "nokey{t}"}, {"ZSCAN", "nokey{t}", "0"}, {"ZMSCORE", "nokey{t}", "a"}, {"ZCOUNT", "nokey{t}", "0", "1"},
            {"ZLEXCOUNT", "nokey{t}", "-", "+"}, {"ZUNION", "2", "z5{t}", "nokey{t}"}, {"ZINTERCARD", "2", "z5{t}", "nokey{t}"},
            {"ZDIFF", "1", "nokey{t}"},
            // geo (sorted sets) and HyperLogLog (strings)
            {"GEOADD", "g1{t}", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"},
            {"GEOADD", "g1{t}", "13.361389", "38.115556", "Palermo"}, {"GEOADD", "g1{t}", "CH", "13.5", "38.1", "Palermo"},
            {"GEOADD", "g1{t}", "XX", "1", "1", "nope"}, {"GEOPOS", "nokey{t}", "a"}, {"GEODIST", "nokey{t}", "a", "b"},
            {"GEOSEARCHSTORE", "gd{t}", "g1{t}", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
            {"GEOSEARCHSTORE", "gd{t}", "g1{t}", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "STOREDIST"},
            {"GEOSEARCHSTORE", "gd{t}", "g1{t}", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km"},
            {"GEORADIUS", "g1{t}", "15", "37", "200", "km", "STORE", "gd{t}"},
            {"GEORADIUSBYMEMBER", "g1{t}", "Palermo", "300", "km", "STOREDIST", "gd{t}"},
            {"GEORADIUS", "nokey{t}", "15", "37", "200", "km", "STORE", "gd{t}"},
            {"GEOSEARCH", "nokey{t}", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km"},
            {"PFADD", "hl1{t}", "a", "b"}, {"PFADD", "hl1{t}", "a"}, {"PFADD", "hl1{t}"}, {"PFADD", "hl2{t}"},
            {"PFCOUNT", "hl1{t}"}, {"PFCOUNT", "hl1{t}", "hl2{t}", "nokey{t}"}, {"PFMERGE", "hl3{t}", "hl1{t}", "hl2{t}"},
            {"PFMERGE", "hl3{t}"}, {"PFMERGE", "hl4{t}", "nokey{t}"}, {"PFADD", "s1{t}", "a"},
            // streams (t_stream.c's events): explicit IDs so that both servers store the same entries
            {"XADD", "x1{t}", "1-1", "f", "v"}, {"XADD", "x1{t}", "1-2", "f", "v"}, {"XADD", "x1{t}", "MAXLEN", "1", "1-3", "f", "v"},
            {"XADD", "x1{t}", "MAXLEN", "5", "1-4", "f", "v"}, {"XADD", "nokey{t}", "NOMKSTREAM", "1-1", "f", "v"},
            {"XADD", "x1{t}", "1-1", "f", "v"}, {"XLEN", "nokey{t}"}, {"XRANGE", "nokey{t}", "-", "+"},
            {"XDEL", "x1{t}", "1-3"}, {"XDEL", "x1{t}", "9-9"}, {"XTRIM", "x1{t}", "MAXLEN", "1"}, {"XTRIM", "x1{t}", "MAXLEN", "1"},
            {"XSETID", "x1{t}", "5-5"}, {"XGROUP", "CREATE", "x1{t}", "g1", "0"}, {"XGROUP", "CREATE", "x2{t}", "g1", "$", "MKSTREAM"},
            {"XGROUP", "SETID", "x1{t}", "g1", "0"}, {"XGROUP", "CREATECONSUMER", "x1{t}", "g1", "c1"},
            {"XGROUP", "CREATECONSUMER", "x1{t}", "g1", "c1"}, {"XADD", "x1{t}", "6-1", "f", "v"},
            {"?XREADGROUP", "GROUP", "g1", "c2", "COUNT", "1", "STREAMS", "x1{t}", ">"},
            {"?XREADGROUP", "GROUP", "g1", "c3", "STREAMS", "x1{t}", "0"},
            {"?XCLAIM", "x1{t}", "g1", "c4", "0", "6-1"}, {"?XAUTOCLAIM", "x1{t}", "g1", "c5", "0", "0"},
            {"XGROUP", "DELCONSUMER", "x1{t}", "g1", "c1"}, {"XGROUP", "DESTROY", "x1{t}", "g1"}, {"XGROUP", "DESTROY", "x1{t}", "g1"},
            {"XACK", "x1{t}", "g1", "6-1"}, {"DEL", "x1{t}", "x2{t}"},
            // keys
            {"SET", "k1{t}", "v"}, {"SET", "k2{t}", "v"}, {"DEL", "k1{t}", "nokey{t}", "k2{t}"}, {"SET", "k3{t}", "v"}, {"UNLINK", "k3{t}"},
            {"EXISTS", "nokey{t}", "m1{t}"}, {"TOUCH", "nokey{t}", "m1{t}"}, {"TYPE", "nokey{t}"}, {"TYPE", "m1{t}"},
            {"EXPIRE", "m1{t}", "100"}, {"EXPIRE", "m1{t}", "100", "NX"}, {"PEXPIRE", "m1{t}", "100000", "XX"},
            {"EXPIREAT", "m1{t}", "4102444800"}, {"PEXPIREAT", "m1{t}", "4102444800000", "GT"}, {"EXPIRE", "nokey{t}", "100"},
            {"?TTL", "m1{t}"}, {"?PTTL", "m1{t}"}, {"TTL", "nokey{t}"}, {"EXPIRETIME", "nokey{t}"}, {"PEXPIRETIME", "m1{t}"},
            {"PERSIST", "m1{t}"}, {"PERSIST", "m1{t}"}, {"PERSIST", "nokey{t}"}, {"EXPIRE", "m2{t}", "-1"}, {"PEXPIREAT", "m3{t}", "1"},
            {"SET", "rn1{t}", "v"}, {"RENAME", "rn1{t}", "rn2{t}"}, {"SET", "rn3{t}", "v"}, {"RENAME", "rn2{t}", "rn3{t}"},
            {"RENAME", "rn3{t}", "rn3{t}"}, {"RENAME", "nokey{t}", "x{t}"}, {"RENAMENX", "rn3{t}", "m4{t}"}, {"RENAMENX", "rn3{t}", "rn4{t}"},
            {"COPY", "rn4{t}", "cp1{t}"}, {"COPY", "rn4{t}", "cp1{t}"}, {"COPY", "nokey{t}", "cp1{t}"}, {"COPY", "rn4{t}", "cp1{t}", "REPLACE"},
            {"RPUSH", "so{t}", "3", "1", "2"}, {"SORT", "so{t}", "STORE", "sod{t}"}, {"SORT", "nokey{t}", "STORE", "sod{t}"},
            {"SORT", "so{t}", "BY", "w_*{t}"}, {"SORT", "so{t}", "BY", "nosort", "GET", "g_*{t}"}, {"SORT_RO", "nokey{t}"},
            {"DUMP", "nokey{t}"}, {"OBJECT", "ENCODING", "nokey{t}"}, {"MEMORY", "USAGE", "nokey{t}"},
            // a transaction: its commands' events, in order
            {"MULTI"}, {"SET", "tx1{t}", "1"}, {"LPUSH", "tx2{t}", "a"}, {"DEL", "tx1{t}"}, {"EXEC"},
            {"FLUSHALL"},
    };

    /** Keys on the demo's two shards: the events of each shard's keys, in order, compared shard by shard. */
    private static String[][] acrossShards() {
        String a = demo.keyOn(0, "xa");
        String b = demo.keyOn(1, "xb");
        String c = demo.keyOn(0, "xc");
        String d = demo.keyOn(1, "xd");
        return new String[][] {
                {"MSET", a, "1", b, "2"}, {"MSETNX", c, "1", d, "2"}, {"MSETNX", c, "1", "nx" + d, "2"}, {"MGET", a, "nokey" + b, b},
                {"DEL", a, b, "nokey"}, {"EXISTS", c, d, "nokey"}, {"TOUCH", c, "nokey"},
                {"RENAME", c, b}, {"RENAME", b, a}, {"SET", c, "v"}, {"RENAMENX", c, a}, {"RENAMENX", c, b},
                {"COPY", b, d}, {"COPY", b, d, "REPLACE"}, {"COPY", "nokey", d},
                {"SADD", a, "x", "y"}, {"SADD", c, "y", "z"}, {"SINTERSTORE", b, a, c}, {"SUNIONSTORE", b, a, "nokey"},
                {"SDIFFSTORE", b, "nokey", a}, {"SMOVE", a, d, "x"}, {"SMOVE", a, d, "y"},
                {"RPUSH", b, "1", "2"}, {"LMOVE", b, a, "LEFT", "RIGHT"}, {"RPOPLPUSH", b, a}, {"BLMOVE", a, c, "LEFT", "LEFT", "1"},
                {"SORT", a, "STORE", b}, {"LMPOP", "2", "nokey", a, "LEFT"},
                {"ZADD", b, "1", "m", "2", "n"}, {"ZADD", d, "2", "n"}, {"ZUNIONSTORE", c, "2", b, d}, {"ZINTERSTORE", c, "2", b, "nokey"},
                {"ZRANGESTORE", a, b, "0", "0"}, {"ZMPOP", "2", "nokey", b, "MAX", "COUNT", "5"},
                {"GEOADD", a, "15", "37", "p", "13", "38", "q"}, {"GEOSEARCHSTORE", b, a, "FROMMEMBER", "p", "BYBOX", "400", "400", "km", "ASC"},
                {"GEORADIUS", a, "0", "0", "1", "km", "STORE", b}, {"PFADD", c, "x"}, {"PFADD", d, "y"}, {"PFMERGE", b, c, d}, {"PFMERGE", a, c},
                {"PFMERGE", b, c, "nokey"}, {"PFCOUNT", c, d},
                {"SET", a, "\u00ff"}, {"SET", b, "\u000f"}, {"BITOP", "AND", c, a, b}, {"BITOP", "OR", c, "nokey", "nokey2"}, {"LCS", a, b},
                {"FLUSHALL"},
        };
    }

    // ------------------------------------------------------------------ tests

    @Test
    void everyEventOfEveryCommandIsRedisesInBothProtocols() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            compare(proto, ALL, ONE_SHARD, false);
        }
    }

    @Test
    void classesMaskEvents() throws Exception {
        for (String flags : new String[] {"K$lg", "Eshzx", "KEgn", "Em", "g", "KE"}) {
            compare("2", flags, ONE_SHARD, false);
        }
    }

    @Test
    void eventsAcrossShardsKeepEachShardsOrder() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            compare(proto, ALL, acrossShards(), true);
        }
    }

    /**
     * BLMOVE and BRPOPLPUSH move through the blocking path, which pops on the source's shard before the
     * push (Redis pushes first): compared key by key, each key's events in Redis's order; a rotation of
     * one list (its pop and push on one key) has Redis's events in the pop-first order (README, Known
     * differences).
     */
    @Test
    void blockingMovesKeepEachKeysOrder() throws Exception {
        String[][] script = {
                {"RPUSH", "l4{t}", "a", "b"}, {"BLMOVE", "l4{t}", "l5{t}", "LEFT", "RIGHT", "1"}, {"BRPOPLPUSH", "l4{t}", "l5{t}", "1"},
                {"BLMOVE", "nol{t}", "l5{t}", "LEFT", "RIGHT", "0.01"},
                {"SET", "str{t}", "x"}, {"RPUSH", "l6{t}", "a"}, {"BLMOVE", "l6{t}", "str{t}", "LEFT", "RIGHT", "1"},
        };
        for (String proto : new String[] {"2", "3"}) {
            try (Session s = new Session(proto, ALL)) {
                s.both("FLUSHALL");
                for (String[] command : script) {
                    s.both(command);
                }
                s.end(Compare.PER_KEY);
                s.both("BLMOVE", "l5{t}", "l5{t}", "LEFT", "RIGHT", "1");
                s.both("BRPOPLPUSH", "l5{t}", "l5{t}", "1");
                s.end(Compare.SAME_EVENTS);
            }
        }
    }

    @Test
    void expiredEventsLazyAndActive() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            try (Session s = new Session(proto, ALL)) {
                s.both("FLUSHALL");
                // lazy: found expired by a read, a write and a type check
                s.both("SET", "e1{t}", "v", "PX", "1");
                s.both("SET", "e2{t}", "v", "PX", "1");
                s.both("SET", "e3{t}", "v", "PX", "1");
                Thread.sleep(30);
                s.both("GET", "e1{t}");
                s.both("SET", "e2{t}", "again");
                s.both("TYPE", "e3{t}");
                s.both("DEL", "e2{t}");
                // either server's expiry cycle may find a key before the command does: each key's events in order
                s.end(Compare.PER_KEY);
                // active: nobody reads it, the expiry cycle deletes it
                s.both("SET", "e4{t}", "v", "PX", "30");
                s.waitUntilEmpty();
                s.end(Compare.WHOLE);
            }
        }
    }

    @Test
    void evictedEvents() throws Exception {
        try (Session s = new Session("2", ALL)) {
            s.both("FLUSHALL");
            s.both("CONFIG", "SET", "maxmemory-policy", "allkeys-lru");
            s.both("SET", "ev{t}", "v");
            s.both("CONFIG", "SET", "maxmemory", "1");
            s.waitUntilEmpty();
            s.both("CONFIG", "SET", "maxmemory", "0");
            s.both("CONFIG", "SET", "maxmemory-policy", "noeviction");
            s.end(Compare.WHOLE);
        }
    }

    @Test
    void servedBlockedClientsEmitWhatRedisEmitsWhenItServes() throws Exception {
        for (String proto : new String[] {"2", "3"}) {
            try (Session s = new Session(proto, ALL)) {
                for (String[] blocking : new String[][] {
                        {"BLPOP", "bl{t}", "0"}, {"BRPOP", "bl{t}", "0"}, {"BLMPOP", "0", "1", "bl{t}", "LEFT", "COUNT", "5"},
                        {"BZPOPMIN", "bz{t}", "0"}, {"BZMPOP", "0", "1", "bz{t}", "MAX", "COUNT", "5"}}) {
                    boolean list = blocking[0].startsWith("BL") || blocking[0].startsWith("BR");
                    s.blockThenServe(blocking, list ? new String[] {"RPUSH", "bl{t}", "a", "b"} : new String[] {"ZADD", "bz{t}", "1", "a", "2", "b"});
                    s.both("DEL", "bl{t}", "bz{t}");
                }
                s.end(Compare.WHOLE);
            }
        }
    }

    @Test
    void configSetAndGetAreRedises() throws Exception {
        redis.inBothProtocols(demo.respPort(), (r, d, proto) -> {
            for (String flags : new String[] {"KA", "EA", "AKE", "gKE", "$lshzxeKE", "AKEmn", "n", "mK", "KEA$", "AAAA", "dK", "tE",
                    "KEg$lshzxetmdn", "KEgn", "Km", "Z", "K E", "KEa", "", "A"}) {
                for (String[] command : new String[][] {{"CONFIG", "SET", "notify-keyspace-events", flags},
                        {"CONFIG", "GET", "notify-keyspace-events"}, {"CONFIG", "GET", "notify-*"}}) {
                    assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
                }
            }
            for (String[] command : new String[][] {{"CONFIG", "SET", "notify-keyspace-events"},
                    {"CONFIG", "SET", "notify-keyspace-events", "KEA", "notify-keyspace-events", "g"},
                    {"CONFIG", "SET", "NOTIFY-KEYSPACE-EVENTS", "KEg"}, {"CONFIG", "GET", "NOTIFY-KEYSPACE-EVENTS"},
                    {"CONFIG", "SET", "notify-keyspace-events", ""}}) {
                assertThat(d.cmd(command)).as("RESP%s %s", proto, String.join(" ", command)).isEqualTo(r.cmd(command));
            }
        });
    }

    /**
     * Redis queues a keyspace event to its subscribers before the reply of the write that caused it and
     * writes both in the same event-loop iteration. Here a subscriber on the writer's shard or on the
     * key's has it written to its socket before the reply leaves, so a client that has the reply finds
     * the message there (docs/design/demo-service.md, "Keyspace notifications"), with one exception the io_uring transport
     * makes: its socket writes are submitted at the shard's next I/O step, so a subscriber on the key's
     * shard, when the writer is on another one, may get it after the reply, a loop turn later. With
     * epoll, whose writes are made at once, it holds there too.
     */
    @Test
    void theKeysAndTheWritersShardsHaveTheEventBeforeTheWriterHasItsReply() throws Exception {
        orderAgainst(demo, true);
        try (TestServices epoll = TestServices.start(2, DemoSettings.forTests(), io.percore.config.EngineConfig.Transport.EPOLL)) {
            orderAgainst(epoll, false);
        }
    }

    private static void orderAgainst(TestServices server, boolean ioUringLag) throws Exception {
        try (Session s = new Session("2", "K$", server)) {
            int writerShard = shardOf(s.demoWriter);
            for (int i = 0; i < 400; i++) {
                int keyShard = i % 2;
                String key = server.keyOn(keyShard, "order" + i + "-");
                boolean ioUring = server.engine.shard(0).transport().name().equals("io_uring");
                assertThat(s.demoWriter.cmd("SET", key, "v")).isEqualTo("OK");
                for (int shard = 0; shard < 2; shard++) {
                    RespTestClient sub = s.demoSubscribers.get(shard);
                    boolean guaranteed = shard == writerShard || (shard == keyShard && !(ioUringLag && ioUring));
                    if (guaranteed) {
                        assertThat(sub.available()).as("a subscriber on shard %d, key on %d, writer on %d", shard, keyShard, writerShard)
                                .isPositive();
                    }
                    assertThat(String.valueOf(sub.read())).isEqualTo("[pmessage, __key*, __keyspace@0__:" + key + ", set]");
                }
                // redis-server queues the message before the reply but writes its pending clients newest first
                // (clients_pending_write), so there the reply may even leave first: nothing to assert
                assertThat(s.redisWriter.cmd("SET", key, "v")).isEqualTo("OK");
                s.redisSubscriber.read();
            }
            s.both("FLUSHALL");
        }
    }

    /** The HTTP {@code /kv} API's writes are SET and DEL to subscribers (redis-server has no such API: its RESP twins stand in). */
    @Test
    void httpWritesNotifyAsSetAndDel() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + demo.httpPort() + "/kv/";
        try (Session s = new Session("2", ALL)) {
            String key = demo.keyOn(0, "http");
            String other = demo.keyOn(1, "http");
            for (String k : new String[] {key, other}) {
                assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + k))
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("v")).build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                        .statusCode()).isEqualTo(204);
                assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + k)).DELETE().build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(204);
                assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + k)).GET().build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(404);
                s.redisWriter.cmd("SET", k, "v");
                s.redisWriter.cmd("DEL", k);
                s.redisWriter.cmd("GET", k);
                // a command without events on the key's shard: its answer reaches the writer's shard after the events did
                s.both("OBJECT", "ENCODING", k);
            }
            s.end(Compare.PER_KEY);
        }
    }

    private static int shardOf(RespTestClient client) throws IOException {
        Matcher m = SHARD.matcher(String.valueOf(client.cmd("CLIENT", "INFO")));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    // ------------------------------------------------------------------ the comparison

    /** How two servers' sequences must agree: whole, or the events of each shard's keys, or of each key. */
    private enum Compare { WHOLE, PER_SHARD, PER_KEY, SAME_EVENTS }

    private static void compare(String proto, String flags, String[][] script, boolean perShard) throws Exception {
        try (Session s = new Session(proto, flags)) {
            s.both("FLUSHALL");
            for (String[] command : script) {
                s.both(command);
            }
            s.end(perShard ? Compare.PER_SHARD : Compare.WHOLE);
        }
    }

    /** A writer and subscribers on both servers: redis-server's one subscriber, one on each of the demo's shards. */
    private static final class Session implements AutoCloseable {
        final String proto;
        final String flags;
        final RespTestClient redisWriter;
        final RespTestClient demoWriter;
        final RespTestClient redisSubscriber;
        final List<RespTestClient> demoSubscribers = new ArrayList<>();
        final List<RespTestClient> spare = new ArrayList<>();
        int ends;

        Session(String proto, String flags) throws IOException {
            this(proto, flags, demo);
        }

        Session(String proto, String flags, TestServices server) throws IOException {
            this.proto = proto;
            this.flags = flags;
            redisWriter = client(redis.port());
            demoWriter = client(server.respPort());
            assertThat(redisWriter.cmd("CONFIG", "SET", "notify-keyspace-events", flags)).isEqualTo("OK");
            assertThat(demoWriter.cmd("CONFIG", "SET", "notify-keyspace-events", flags)).isEqualTo("OK");
            assertThat(demoWriter.cmd("CONFIG", "GET", "notify-keyspace-events")).isEqualTo(redisWriter.cmd("CONFIG", "GET", "notify-keyspace-events"));
            redisSubscriber = subscriber(redis.port());
            RespTestClient[] byShard = new RespTestClient[2];
            while (byShard[0] == null || byShard[1] == null) {
                RespTestClient c = client(server.respPort());
                int shard = shardOf(c);
                if (byShard[shard] != null) {
                    spare.add(c);
                    continue;
                }
                subscribe(c);
                byShard[shard] = c;
            }
            demoSubscribers.addAll(List.of(byShard));
        }

        private RespTestClient client(int port) throws IOException {
            RespTestClient c = new RespTestClient(port).binary();
            c.cmd("HELLO", proto);
            return c;
        }

        private RespTestClient subscriber(int port) throws IOException {
            RespTestClient c = client(port);
            subscribe(c);
            return c;
        }

        /** The pattern of every keyspace channel, two channels (a keyevent and a keyspace one) and the marker channel. */
        private void subscribe(RespTestClient c) throws IOException {
            c.send(RespTestClient.encode("PSUBSCRIBE", "__key*"));
            c.read();
            c.send(RespTestClient.encode("SUBSCRIBE", "__keyevent@0__:del", "__keyspace@0__:s1{t}", "end"));
            for (int i = 0; i < 3; i++) {
                c.read();
            }
        }

        /** Sends {@code command} to both writers; the replies must be equal (see ONE_SHARD's prefixes). */
        void both(String... command) throws IOException {
            String first = command[0];
            boolean ignored = first.startsWith("?");
            boolean sorted = first.startsWith("~");
            String[] sent = command.clone();
            if (ignored || sorted) {
                sent[0] = first.substring(1);
            }
            Object expected = redisWriter.cmd(sent);
            Object actual = demoWriter.cmd(sent);
            if (sorted) {
                expected = RealRedis.sorted(expected);
                actual = RealRedis.sorted(actual);
            }
            if (!ignored) {
                assertThat(actual).as("RESP%s %s: %s", proto, flags, String.join(" ", sent)).isEqualTo(expected);
            }
        }

        /** A third client blocks on both servers, the writer serves it; its reply compared. */
        void blockThenServe(String[] blocking, String[] serving) throws Exception {
            try (RespTestClient rb = client(redis.port()); RespTestClient db = client(demo.respPort())) {
                rb.send(RespTestClient.encode(StandardCharsets.ISO_8859_1, blocking));
                db.send(RespTestClient.encode(StandardCharsets.ISO_8859_1, blocking));
                waitForBlocked(redisWriter);
                waitForBlocked(demoWriter);
                both(serving);
                assertThat(db.read()).as(String.join(" ", blocking)).isEqualTo(rb.read());
            }
        }

        private void waitForBlocked(RespTestClient writer) throws Exception {
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!String.valueOf(writer.cmd("INFO", "clients")).contains("blocked_clients:1")) {
                assertThat(System.nanoTime()).as("a client blocks").isLessThan(deadline);
                Thread.sleep(5);
            }
        }

        /** Waits until both servers hold no key (expired or evicted without anyone reading them). */
        void waitUntilEmpty() throws Exception {
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (!Long.valueOf(0).equals(redisWriter.cmd("DBSIZE")) || !Long.valueOf(0).equals(demoWriter.cmd("DBSIZE"))) {
                assertThat(System.nanoTime()).as("the keys go").isLessThan(deadline);
                Thread.sleep(10);
            }
        }

        /**
         * Ends what the subscribers collect with a marker published by the writer (after every event its
         * commands caused: on the demo the events cross shards in the same FIFO rings as the marker), and
         * compares: redis-server's sequence with each demo subscriber's, whole or shard by shard.
         */
        void end(Compare how) throws IOException {
            String marker = "end" + (++ends);
            redisWriter.cmd("PUBLISH", "end", marker);
            demoWriter.cmd("PUBLISH", "end", marker);
            List<String> expected = collect(redisSubscriber, marker);
            for (RespTestClient sub : demoSubscribers) {
                List<String> actual = collect(sub, marker);
                if (how == Compare.SAME_EVENTS) {
                    assertThat(actual).as("RESP%s %s, %s", proto, flags, how).containsExactlyInAnyOrderElementsOf(expected);
                } else if (how != Compare.WHOLE) {
                    Function<byte[], Object> part = how == Compare.PER_SHARD ? key -> demo.service.keyspace().shardOf(key)
                            : key -> new String(key, StandardCharsets.ISO_8859_1);
                    assertThat(grouped(actual, part)).as("RESP%s %s, %s", proto, flags, how).isEqualTo(grouped(expected, part));
                } else {
                    assertThat(actual).as("RESP%s %s", proto, flags).containsExactlyElementsOf(expected);
                }
            }
        }

        private List<String> collect(RespTestClient sub, String marker) throws IOException {
            List<String> got = new ArrayList<>();
            while (true) {
                Object m = sub.read();
                List<?> items = m instanceof RespTestClient.Push3 p ? p.items() : (List<?>) m;
                List<String> parts = items.stream().map(String::valueOf).toList();
                if (parts.get(0).equals("message") && parts.get(1).equals("end")) {
                    assertThat(parts.get(2)).isEqualTo(marker);
                    return got;
                }
                got.add(String.join(" ", parts));
            }
        }

        private static Map<Object, List<String>> grouped(List<String> messages, Function<byte[], Object> part) {
            Function<String, byte[]> keyOf = message -> {
                String[] p = message.split(" ");
                String channel = p[0].equals("pmessage") ? p[2] : p[1];
                String payload = p[p.length - 1];
                String key = channel.startsWith("__keyspace@0__:") ? channel.substring("__keyspace@0__:".length()) : payload;
                return key.getBytes(StandardCharsets.ISO_8859_1);
            };
            Map<Object, List<String>> out = new java.util.HashMap<>();
            for (String m : messages) {
                out.computeIfAbsent(part.apply(keyOf.apply(m)), s -> new ArrayList<>()).add(m);
            }
            return out;
        }

        @Override
        public void close() throws IOException {
            for (RespTestClient c : spare) {
                c.close();
            }
            for (RespTestClient c : demoSubscribers) {
                c.close();
            }
            redisSubscriber.close();
            redisWriter.cmd("CONFIG", "SET", "notify-keyspace-events", "");
            demoWriter.cmd("CONFIG", "SET", "notify-keyspace-events", "");
            redisWriter.close();
            demoWriter.close();
        }
    }
}
