package io.percore.demo.support;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A keyspace of every type and encoding, and a keyspace as comparable text: for checking what a file carries between servers. */
public final class KeyspaceContents {

    private KeyspaceContents() {
    }

    /** Every type in each of Redis 7.0's encodings, integers of every width, a compressible string, expiries, streams with groups. */
    public static void fillEveryType(RespTestClient c) throws IOException {
        c.cmd("SET", "s:int8", "7");
        c.cmd("SET", "s:int16", "-3000");
        c.cmd("SET", "s:int32", "2000000000");
        c.cmd("SET", "s:int64", "9000000000000");
        c.cmd("SET", "s:raw", "hello world");
        c.cmd("SET", "s:lzf", "abcabcabcabcabcabcabcabcabcabcabcabcabcabcabc".repeat(10));
        c.cmd("SET", "s:ttl", "expiring", "EX", "3600");
        c.cmd("SET", "12345", "an integer key");
        c.cmd("RPUSH", "l:small", "a", "1", "b", "-2");
        List<String> many = new ArrayList<>(List.of("RPUSH", "l:large"));
        for (int i = 0; i < 2000; i++) {
            many.add("element-" + i);
        }
        c.cmd(many.toArray(String[]::new));
        c.cmd("SADD", "set:ints", "1", "-5", "300", "70000");
        c.cmd("SADD", "set:strings", "x", "y", "z");
        many = new ArrayList<>(List.of("SADD", "set:large"));
        for (int i = 0; i < 1000; i++) {
            many.add("m" + i);
        }
        c.cmd(many.toArray(String[]::new));
        c.cmd("HSET", "h:small", "f1", "v1", "f2", "2");
        many = new ArrayList<>(List.of("HSET", "h:large"));
        for (int i = 0; i < 300; i++) {
            many.add("field" + i);
            many.add("value" + i);
        }
        c.cmd(many.toArray(String[]::new));
        c.cmd("ZADD", "z:small", "1", "a", "2.5", "b", "-inf", "c");
        many = new ArrayList<>(List.of("ZADD", "z:large"));
        for (int i = 0; i < 300; i++) {
            many.add(Double.toString(i * 0.5));
            many.add("member" + i);
        }
        c.cmd(many.toArray(String[]::new));
        c.cmd("EXPIRE", "z:large", "7200");
        // a string changed in place (the service keeps it growable)
        c.cmd("APPEND", "s:appended", "grown ");
        c.cmd("APPEND", "s:appended", "in place");
        c.cmd("SETBIT", "s:bits", "100", "1");
        // streams: nodes of Redis's layout, tombstones, groups with pending entries and consumers
        c.cmd("XADD", "x:small", "1-1", "f", "v", "n", "-12");
        for (int i = 1; i <= 300; i++) {
            c.cmd("XADD", "x:large", i + "-0", i % 7 == 0 ? "other" : "f", "value-" + i, "n", Integer.toString(i * 1000));
        }
        c.cmd("XDEL", "x:large", "5-0", "150-0");
        c.cmd("XGROUP", "CREATE", "x:large", "g1", "0");
        c.cmd("XGROUP", "CREATE", "x:large", "g2", "$");
        c.cmd("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "10", "STREAMS", "x:large", ">");
        c.cmd("XREADGROUP", "GROUP", "g1", "bob", "NOACK", "COUNT", "3", "STREAMS", "x:large", ">");
        c.cmd("XCLAIM", "x:large", "g1", "carol", "0", "2-0", "3-0", "TIME", "1700000000000", "RETRYCOUNT", "4");
        c.cmd("XACK", "x:large", "g1", "4-0");
        c.cmd("XGROUP", "CREATECONSUMER", "x:large", "g2", "dave");
        c.cmd("XGROUP", "CREATE", "x:empty", "g", "$", "MKSTREAM");
    }

    /** The databases the tests of issue 68 fill: the first, one between and the last of Redis's 16. */
    public static final String[] DATABASES = {"0", "3", "15"};

    /**
     * Each of {@link #DATABASES} filled: database 0 with {@link #fillEveryType}, the others with keys of their
     * own (a name in two databases, different values; a TTL; a list, a hash), as redis-server or the service holds them.
     */
    public static void fillDatabases(RespTestClient c) throws IOException {
        c.cmd("SELECT", "0");
        fillEveryType(c);
        for (String db : new String[] {"3", "15"}) {
            c.cmd("SELECT", db);
            c.cmd("SET", "s:raw", "database " + db); // the same name as database 0's, another key
            c.cmd("SET", "only:" + db, "v" + db, "EX", "3600");
            c.cmd("RPUSH", "l:" + db, "a", "b", db);
            c.cmd("HSET", "h:" + db, "f", db);
            for (int i = 0; i < 200; i++) {
                c.cmd("SET", "many:" + db + ":" + i, Integer.toString(i));
            }
        }
        c.cmd("SELECT", "0");
    }

    /** {@link #of} of each of {@link #DATABASES}, by {@code <db>:<key>}; the client is left in database 0. */
    public static Map<String, String> ofDatabases(RespTestClient c) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String db : DATABASES) {
            c.cmd("SELECT", db);
            of(c).forEach((key, value) -> out.put(db + ":" + key, value));
        }
        c.cmd("SELECT", "0");
        return out;
    }

    /** The keyspace as text: type, value (sets and hashes sorted) and whether it expires, and roughly when. */
    public static Map<String, String> of(RespTestClient c) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Object k : (List<?>) c.cmd("KEYS", "*")) {
            String key = (String) k;
            String type = (String) c.cmd("TYPE", key);
            Object value = switch (type) {
                case "string" -> c.cmd("GET", key);
                case "list" -> c.cmd("LRANGE", key, "0", "-1");
                case "set" -> RealRedis.sorted(c.cmd("SMEMBERS", key));
                case "hash" -> new TreeMap<>(pairs((List<?>) c.cmd("HGETALL", key)));
                case "zset" -> c.cmd("ZRANGE", key, "0", "-1", "WITHSCORES");
                case "stream" -> withoutSeenTimes(c.cmd("XINFO", "STREAM", key, "FULL", "COUNT", "0"));
                default -> throw new AssertionError("type " + type);
            };
            long ttl = (Long) c.cmd("TTL", key);
            out.put(key, type + " " + value + (ttl < 0 ? "" : " expires in ~" + Math.round(ttl / 100.0) + "00 s"));
        }
        return out;
    }

    /**
     * A stream's XINFO STREAM FULL without its consumers' seen times: a file carries them, but a
     * replayed log or a replication stream sets them anew (Redis propagates none).
     */
    private static Object withoutSeenTimes(Object reply) {
        if (!(reply instanceof List<?> items)) {
            return reply;
        }
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            if ("seen-time".equals(items.get(i))) {
                i++;
                continue;
            }
            out.add(withoutSeenTimes(items.get(i)));
        }
        return out;
    }

    private static Map<Object, Object> pairs(List<?> flat) {
        Map<Object, Object> m = new TreeMap<>();
        for (int i = 0; i < flat.size(); i += 2) {
            m.put(flat.get(i), flat.get(i + 1));
        }
        return m;
    }
}
