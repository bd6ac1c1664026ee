package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The keys the backup tests write and compare: {@code k:0 .. k:n-1}, a twelfth each of hashes, lists, sets, sorted
 * sets and streams (one in three with a consumer group), the rest strings (one of 100 KB, which redis-server stores
 * LZF-compressed), every seventh with a TTL; compared key by key between two servers, type, value and TTL.
 */
final class Dataset {

    private Dataset() {
    }

    static void seed(int port, String password, int n) throws IOException {
        try (RespPipe p = new RespPipe(port, password)) {
            for (int i = 0; i < n; i++) {
                String k = "k:" + i;
                switch (i % 12) {
                    case 7 -> p.queue("HSET", k, "a", "1", "b", "two-" + i, "c", "x".repeat(i % 40));
                    case 8 -> p.queue("RPUSH", k, "l1", "l2-" + i, "3", "l4", "l5");
                    case 9 -> p.queue("SADD", k, "m1", "m2", Integer.toString(i), "m4-" + i);
                    case 10 -> p.queue("ZADD", k, "1", "z1", "2.5", "z2-" + i, "-3", "z3", Integer.toString(i), "z4");
                    case 11 -> {
                        p.queue("XADD", k, "1-1", "f", "v" + i);
                        p.queue("XADD", k, "2-1", "f", "w", "g", "h");
                        if (i % 3 == 0) {
                            p.queue("XGROUP", "CREATE", k, "grp", "0");
                        }
                    }
                    default -> p.queue("SET", k, i == 0 ? "L".repeat(100_000) : "value-" + i + "-" + "s".repeat(i % 90));
                }
                if (i % 7 == 0) {
                    p.queue("PEXPIRE", k, Long.toString(3_600_000L + i));
                }
                if (i % 5000 == 4999) {
                    assertNoErrors(p.sync());
                }
            }
            assertNoErrors(p.sync());
        }
    }

    /**
     * The offset, at or after {@code from}, of a byte of a string value's text ({@code value-<i>-...}) in a snapshot of
     * this data set: flipped, the file keeps its shape (no length or opcode changes) and only its checksums tell, so a
     * check of it must call it corrupt, never truncated (a flip at a fixed offset lands on a length byte now and then).
     */
    static int valueTextAt(byte[] rdb, int from) {
        byte[] text = "value-".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i <= rdb.length - text.length; i++) {
            for (int j = 0; j < text.length; j++) {
                if (rdb[i + j] != text[j]) {
                    continue outer;
                }
            }
            return i + 2;
        }
        throw new AssertionError("no string value's text after byte " + from + " of " + rdb.length);
    }

    private static void assertNoErrors(List<Object> replies) {
        assertThat(replies).noneMatch(r -> r instanceof RespPipe.RespError);
    }

    /** Every key of the data set on {@code restored} as on {@code source}: type, value, and TTL within a minute. */
    static void assertSame(int sourcePort, int restoredPort, String password, int n) throws IOException {
        try (RespPipe a = new RespPipe(sourcePort, password); RespPipe b = new RespPipe(restoredPort, password)) {
            for (int from = 0; from < n; from += 2000) {
                int to = Math.min(n, from + 2000);
                List<Object> source = read(a, from, to);
                List<Object> restored = read(b, from, to);
                for (int i = 0; i < source.size(); i += 3) {
                    String key = "k:" + (from + i / 3);
                    assertThat(restored.get(i)).as("type of %s", key).isEqualTo(source.get(i));
                    assertThat(normal(restored.get(i + 1), (String) restored.get(i))).as("value of %s", key)
                            .isEqualTo(normal(source.get(i + 1), (String) source.get(i)));
                    long ttlA = (Long) source.get(i + 2);
                    long ttlB = (Long) restored.get(i + 2);
                    if (ttlA < 0) {
                        assertThat(ttlB).as("TTL of %s", key).isEqualTo(ttlA);
                    } else {
                        assertThat(ttlB).as("TTL of %s", key).isBetween(ttlA - 60_000, ttlA + 60_000);
                    }
                }
            }
        }
    }

    private static List<Object> read(RespPipe p, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            String k = "k:" + i;
            p.queue("TYPE", k);
            switch (i % 12) {
                case 7 -> p.queue("HGETALL", k);
                case 8 -> p.queue("LRANGE", k, "0", "-1");
                case 9 -> p.queue("SMEMBERS", k);
                case 10 -> p.queue("ZRANGE", k, "0", "-1", "WITHSCORES");
                case 11 -> p.queue("XRANGE", k, "-", "+");
                default -> p.queue("GET", k);
            }
            p.queue("PTTL", k);
        }
        return p.sync();
    }

    @SuppressWarnings("unchecked")
    private static Object normal(Object value, String type) {
        if ("hash".equals(type)) {
            Map<Object, Object> m = new TreeMap<>();
            List<Object> l = (List<Object>) value;
            for (int i = 0; i + 1 < l.size(); i += 2) {
                m.put(l.get(i), l.get(i + 1));
            }
            return m;
        }
        if ("set".equals(type)) {
            return new TreeSet<>((List<String>) value);
        }
        return value instanceof List<?> l ? new ArrayList<>(l) : value;
    }
}
