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

    /** Every type in each of Redis 7.0's encodings, integers of every width, a compressible string, expiries. */
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
                default -> throw new AssertionError("type " + type);
            };
            long ttl = (Long) c.cmd("TTL", key);
            out.put(key, type + " " + value + (ttl < 0 ? "" : " expires in ~" + Math.round(ttl / 100.0) + "00 s"));
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
