package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.DemoSettings;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 29: the large aggregate replies written straight from the stored arrays (LRANGE, LPOP and
 * RPOP with a count, HGETALL, HKEYS, HVALS, SMEMBERS, ZRANGE with and without WITHSCORES, ZPOPMIN with
 * a count, MGET) compared byte for byte with redis-server 7.0.15's, in RESP2 and RESP3, for 0, 1, 100
 * and 10,000 elements, binary elements (CR, LF, every byte value) and a 100 KB one; from a connection
 * on the key's shard and from one on the other shard (the reply made on one shard, written on
 * another), inside MULTI/EXEC and through a script's {@code redis.call}. Hashes and sets have no order
 * Redis keeps (a hash table's), so their replies are compared as their header and the multiset of
 * their elements (a map's as pairs); every other reply as its bytes.
 */
class LargeReplyParityTest {

    private static final int[] SIZES = {0, 1, 100, 10_000};

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

    /** Element {@code i} of {@code n}: mostly short text, every seventh binary, the one element of a one-element value 100 KB. */
    private static String element(int i, int n) {
        if (n == 1) {
            char[] big = new char[100_000];
            for (int j = 0; j < big.length; j++) {
                big[j] = (char) ((j * 31 + 7) & 0xFF);
            }
            return new String(big);
        }
        if (i % 7 == 3) {
            StringBuilder b = new StringBuilder("bin\r\n");
            for (int j = 0; j < 20; j++) {
                b.append((char) ((i + j * 13) & 0xFF));
            }
            return b.append(i).toString();
        }
        return "e" + i;
    }

    /** A score Redis formats with all 17 digits, a negative one, an integral one; -inf for one member. */
    private static String score(int i) {
        return switch (i % 5) {
            case 0 -> Integer.toString(i);
            case 1 -> Double.toString(i * 0.1);
            case 2 -> Double.toString(-i / 3.0);
            case 3 -> i == 3 ? "-inf" : Double.toString(i * 1.5e10);
            default -> Double.toString(1.0 / (i + 1));
        };
    }

    private record Keys(String list, String popped, String hash, String set, String zset, String zpopped, String string) {
        static Keys on(int shard, int n) {
            String p = "lr" + n + ":";
            return new Keys(demo.keyOn(shard, p + "l:"), demo.keyOn(shard, p + "lp:"), demo.keyOn(shard, p + "h:"),
                    demo.keyOn(shard, p + "s:"), demo.keyOn(shard, p + "z:"), demo.keyOn(shard, p + "zp:"), demo.keyOn(shard, p + "str:"));
        }
    }

    /** The same values in both servers, in batches of variadic commands. */
    private static void fill(RespTestClient c, Keys k, int n) throws IOException {
        c.cmd("DEL", k.list(), k.popped(), k.hash(), k.set(), k.zset(), k.zpopped(), k.string());
        batches(c, n, 1, "RPUSH", k.list(), i -> new String[] {element(i, n)});
        batches(c, n, 1, "RPUSH", k.popped(), i -> new String[] {element(i, n)});
        batches(c, n, 2, "HSET", k.hash(), i -> new String[] {"f" + element(i, n), element(n - 1 - i, n)});
        batches(c, n, 1, "SADD", k.set(), i -> new String[] {element(i, n)});
        batches(c, n, 2, "ZADD", k.zset(), i -> new String[] {score(i), element(i, n)});
        batches(c, n, 2, "ZADD", k.zpopped(), i -> new String[] {score(i), element(i, n)});
        batches(c, Math.min(n, 1000), 2, "MSET", null, i -> new String[] {"lr:mget:" + i, element(i, n)});
        c.cmd("SET", k.string(), "a string");
    }

    private static void batches(RespTestClient c, int n, int width, String command, String key, IntFunction<String[]> item)
            throws IOException {
        for (int from = 0; from < n; from += 500) {
            List<String> args = new ArrayList<>();
            args.add(command);
            if (key != null) {
                args.add(key);
            }
            for (int i = from; i < Math.min(n, from + 500); i++) {
                args.addAll(Arrays.asList(item.apply(i)));
            }
            assertThat(args).hasSize((key == null ? 1 : 2) + width * (Math.min(n, from + 500) - from));
            assertThat(c.cmd(args.toArray(String[]::new))).isNotInstanceOf(RespTestClient.Err.class);
        }
    }

    /** MGET of every value set, one missing key and one of another type, in that order. */
    private static String[] mget(Keys k, int n) {
        List<String> args = new ArrayList<>(List.of("MGET"));
        for (int i = 0; i < Math.min(n, 1000); i++) {
            args.add("lr:mget:" + i);
            if (i == 2) {
                args.add("lr:mget:none");
                args.add(k.list());
            }
        }
        if (n == 0) {
            args.add("lr:mget:none");
        }
        return args.toArray(String[]::new);
    }

    private static String raw(RespTestClient c, String... command) throws IOException {
        c.send(RespTestClient.encode(StandardCharsets.ISO_8859_1, command));
        return c.readRawReply();
    }

    /** {@code unorderedWidth}: 0 to compare the bytes, 1 to compare the elements as a multiset, 2 as a multiset of pairs. */
    private static void same(RespTestClient r, RespTestClient d, String what, int unorderedWidth, String... command) throws IOException {
        String theirs = raw(r, command);
        String ours = raw(d, command);
        String as = what + ": " + String.join(" ", Arrays.stream(command).map(a -> a.length() > 40 ? a.substring(0, 40) + "..." : a).toList());
        if (unorderedWidth > 0) {
            assertThat(unorderedForm(ours, unorderedWidth)).as(as).isEqualTo(unorderedForm(theirs, unorderedWidth));
        } else {
            if (theirs.length() > 10_000) { // a short message before AssertJ's of two large texts
                assertThat(ours.length()).as(as + " (length)").isEqualTo(theirs.length());
            }
            assertThat(ours).as(as).isEqualTo(theirs);
        }
    }

    /** One case: the same values filled in both servers, keys placed, clients speaking one protocol. */
    @FunctionalInterface
    private interface Case {
        void check(RespTestClient r, RespTestClient d, Keys k, int n, String what) throws IOException;
    }

    /** {@code check} for every size, with the keys on the connection's shard and on the other, in RESP2 and RESP3. */
    private static void everyCase(Case check) throws IOException {
        for (int n : SIZES) {
            for (int shard = 0; shard < 2; shard++) {
                Keys k = Keys.on(shard, n);
                for (String proto : new String[] {"2", "3"}) {
                    try (RespTestClient r = new RespTestClient(redis.port()).binary(); RespTestClient d = demo.clientOn(0).binary()) {
                        r.cmd("HELLO", proto);
                        d.cmd("HELLO", proto);
                        fill(r, k, n);
                        fill(d, k, n);
                        check.check(r, d, k, n, "RESP" + proto + ", " + n + " elements, keys on shard " + shard + " of a connection on shard 0");
                    }
                }
            }
        }
    }

    @Test
    void largeRepliesAreRedisesByteForByte() throws IOException {
        everyCase((r, d, k, n, what) -> {
            same(r, d, what, 0, "LRANGE", k.list(), "0", "-1");
            same(r, d, what, 0, "LRANGE", k.list(), "0", "99");
            same(r, d, what, 0, "LRANGE", k.list(), "-3", "-1");
            same(r, d, what, 2, "HGETALL", k.hash());
            same(r, d, what, 1, "HKEYS", k.hash());
            same(r, d, what, 1, "HVALS", k.hash());
            same(r, d, what, 1, "SMEMBERS", k.set());
            same(r, d, what, 0, "ZRANGE", k.zset(), "0", "-1");
            same(r, d, what, 0, "ZRANGE", k.zset(), "0", "-1", "WITHSCORES");
            same(r, d, what, 0, "ZRANGE", k.zset(), "+inf", "-inf", "BYSCORE", "REV", "LIMIT", "1", "50", "WITHSCORES");
            same(r, d, what, 0, "ZRANGEBYSCORE", k.zset(), "-inf", "+inf", "WITHSCORES");
            same(r, d, what, 0, mget(k, n));
            same(r, d, what, 0, "LPOP", k.popped(), "3");
            same(r, d, what, 0, "RPOP", k.popped(), "20000");
            same(r, d, what, 0, "LPOP", k.popped(), "5");
            same(r, d, what, 0, "ZPOPMIN", k.zpopped(), "7");
            same(r, d, what, 0, "ZPOPMAX", k.zpopped(), "20000");
            same(r, d, what, 0, "HGETALL", k.string());
            same(r, d, what, 0, "LRANGE", k.string(), "0", "-1");
        });
    }

    /** EXEC's array holds the replies as they are written alone; a script's redis.call converts them to Lua as before. */
    @Test
    void insideMultiAndScriptsAsRedis() throws IOException {
        everyCase((r, d, k, n, what) -> {
            for (RespTestClient c : List.of(r, d)) {
                assertThat(c.cmd("MULTI")).isEqualTo("OK");
                for (String[] queued : new String[][] {{"LRANGE", k.list(), "0", "-1"}, {"ZRANGE", k.zset(), "0", "-1", "WITHSCORES"},
                        {"LPOP", k.popped(), "4"}, {"ZPOPMIN", k.zpopped(), "2"}, {"HKEYS", k.string()}}) {
                    assertThat(c.cmd(queued)).isEqualTo("QUEUED");
                }
            }
            same(r, d, what + ", EXEC", 0, "EXEC");
            for (String resp : new String[] {"2", "3"}) {
                String setResp = "redis.setresp(" + resp + ") ";
                same(r, d, what + ", script in RESP" + resp, 0, "EVAL",
                        setResp + "return redis.call('LRANGE', KEYS[1], 0, -1)", "1", k.list());
                same(r, d, what + ", script in RESP" + resp, 0, "EVAL",
                        setResp + "return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')", "1", k.zset());
                same(r, d, what + ", script in RESP" + resp, 0, "EVAL",
                        setResp + "local m = redis.call('HGETALL', KEYS[1]) local n = 0 "
                                + "if m.map then for f, v in pairs(m.map) do n = n + #f + #v end else for _, x in ipairs(m) do n = n + #x end end "
                                + "return {n, type(m.map)}", "1", k.hash());
                same(r, d, what + ", script in RESP" + resp, 0, "EVAL",
                        setResp + "local s = redis.call('SMEMBERS', KEYS[1]) local n = 0 "
                                + "if s.set then for m in pairs(s.set) do n = n + #m end else for _, m in ipairs(s) do n = n + #m end end "
                                + "return {n, type(s.set)}", "1", k.set());
                same(r, d, what + ", script in RESP" + resp, 0, "EVAL",
                        setResp + "local v = redis.call('MGET', unpack(KEYS)) local out = {} "
                                + "for i = 1, #KEYS do out[i] = type(v[i]) == 'string' and #v[i] or tostring(v[i]) end return out",
                        "3", "lr:mget:0", "lr:mget:none", "lr:mget:1");
            }
        });
    }

    /** A reply's header line and its elements, {@code width} at a time (a map's key and value), sorted: what must be equal of an unordered aggregate. */
    static List<String> unorderedForm(String raw, int width) {
        List<String> parts = elements(raw);
        List<String> elements = parts.subList(1, parts.size());
        List<String> items = new ArrayList<>();
        for (int i = 0; i < elements.size(); i += width) {
            items.add(String.join("", elements.subList(i, Math.min(elements.size(), i + width))));
        }
        items.sort(null);
        items.add(0, parts.get(0));
        return items;
    }

    /** An aggregate's header line, then each of its elements' bytes; a non-aggregate reply alone. */
    static List<String> elements(String raw) {
        List<String> out = new ArrayList<>();
        int lineEnd = raw.indexOf("\r\n");
        out.add(raw.substring(0, lineEnd));
        char type = raw.charAt(0);
        if (type != '*' && type != '~' && type != '%') {
            return out;
        }
        int count = Integer.parseInt(raw.substring(1, lineEnd)) * (type == '%' ? 2 : 1);
        int at = lineEnd + 2;
        for (int i = 0; i < count; i++) {
            int end = skip(raw, at);
            out.add(raw.substring(at, end));
            at = end;
        }
        assertThat(at).as("the elements end where the reply does").isEqualTo(raw.length());
        return out;
    }

    private static int skip(String raw, int at) {
        int lineEnd = raw.indexOf("\r\n", at);
        char type = raw.charAt(at);
        int next = lineEnd + 2;
        return switch (type) {
            case '$', '=' -> {
                int len = Integer.parseInt(raw.substring(at + 1, lineEnd));
                yield len < 0 ? next : next + len + 2;
            }
            case '*', '~', '%', '>' -> {
                int count = Integer.parseInt(raw.substring(at + 1, lineEnd)) * (type == '%' ? 2 : 1);
                int end = next;
                for (int i = 0; i < count; i++) {
                    end = skip(raw, end);
                }
                yield end;
            }
            default -> next;
        };
    }
}
