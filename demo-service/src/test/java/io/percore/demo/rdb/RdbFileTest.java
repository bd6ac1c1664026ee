package io.percore.demo.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.support.RealRedis;
import io.percore.demo.support.RespTestClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RDB files against the real counterparts: redis-server 7.0 saves a keyspace of every type and
 * encoding (small and large, integers, compressed strings, expiries); {@link RdbFileReader} reads it;
 * {@link RdbFileWriter} writes what it read as two shards' parts joined into one file;
 * {@code redis-check-rdb} accepts that file, and a second redis-server loads it and holds exactly
 * the first one's keys, types, values and expiries. A damaged file stops the load naming the file,
 * the offset and the reason.
 */
class RdbFileTest {

    private static final RdbReader.Limits LIMITS = new RdbReader.Limits(512L << 20, bytes -> { }, ZSetValue.Limits.DEFAULT,
            HashValue.Limits.DEFAULT, SetValue.Limits.DEFAULT);

    @TempDir
    Path dir;

    record Loaded(byte[] key, RdbReader.Restored value, long expireAtMs) {
    }

    @Test
    void aFileRedisSavedIsReadAndWhatIsWrittenFromItRedisLoadsTheSame() throws Exception {
        Path saved = dir.resolve("redis.rdb");
        Map<String, String> original;
        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--dbfilename", "redis.rdb", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            fill(c);
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            original = contents(c);
        }
        List<Loaded> loaded = new ArrayList<>();
        RdbFileReader.Summary summary = RdbFileReader.read(saved, LIMITS, (k, v, at) -> loaded.add(new Loaded(k, v, at)));
        assertThat(summary.keys()).isEqualTo(original.size());
        assertThat(summary.expires()).isEqualTo(2);
        assertThat(summary.version()).isEqualTo(10);

        // two shards' parts, the keys dealt between them, joined into one file
        Path written = dir.resolve("ours.rdb");
        List<RdbFileWriter.Part> parts = List.of(new RdbFileWriter.Part(dir.resolve("part-0")), new RdbFileWriter.Part(dir.resolve("part-1")));
        for (int i = 0; i < loaded.size(); i++) {
            Loaded l = loaded.get(i);
            parts.get(i % 2).entry(l.key(), l.value().type(), l.value().value(), l.expireAtMs());
        }
        for (RdbFileWriter.Part p : parts) {
            p.close();
        }
        long size = RdbFileWriter.join(written, parts, System.currentTimeMillis() / 1000, 1234);
        assertThat(size).isEqualTo(Files.size(written));
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).as("no temporary file left").noneMatch(n -> n.startsWith("temp-"));

        Process check = new ProcessBuilder("redis-check-rdb", written.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("RDB looks OK").contains(original.size() + " keys read").contains("2 expires");

        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--dbfilename", "ours.rdb", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            assertThat(contents(c)).isEqualTo(original);
        }
        // and what was written reads back the same
        List<Loaded> again = new ArrayList<>();
        RdbFileReader.read(written, LIMITS, (k, v, at) -> again.add(new Loaded(k, v, at)));
        assertThat(again).hasSize(loaded.size());
    }

    @Test
    void anEmptyKeyspaceIsAFileRedisLoads() throws Exception {
        Path written = dir.resolve("empty.rdb");
        RdbFileWriter.Part part = new RdbFileWriter.Part(dir.resolve("part-0"));
        part.close();
        RdbFileWriter.join(written, List.of(part), 0, 0);
        Process check = new ProcessBuilder("redis-check-rdb", written.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(RdbFileReader.read(written, LIMITS, (k, v, at) -> { }).keys()).isZero();
    }

    @Test
    void aDamagedFileStopsTheLoadWithFileOffsetAndReason() throws Exception {
        Path file = dir.resolve("d.rdb");
        RdbFileWriter.Part part = new RdbFileWriter.Part(dir.resolve("part-0"));
        part.entry("k".getBytes(StandardCharsets.US_ASCII), io.percore.demo.kv.ValueType.STRING, "value-of-k".getBytes(StandardCharsets.US_ASCII), -1);
        part.close();
        RdbFileWriter.join(file, List.of(part), 0, 0);
        byte[] good = Files.readAllBytes(file);

        byte[] flipped = good.clone();
        flipped[good.length - 12] ^= 0x20; // inside the value: only the checksum can tell
        assertThatThrownBy(() -> RdbFileReader.read("d.rdb", flipped, LIMITS, (k, v, at) -> { }))
                .isInstanceOf(BadPayloadException.class).hasMessageContaining("d.rdb at offset").hasMessageContaining("checksum");

        byte[] torn = java.util.Arrays.copyOf(good, good.length - 15);
        assertThatThrownBy(() -> RdbFileReader.read("d.rdb", torn, LIMITS, (k, v, at) -> { }))
                .isInstanceOf(BadPayloadException.class).hasMessageContaining("d.rdb at offset").hasMessageContaining("past the payload's end");

        byte[] notRdb = "HELLO0010".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> RdbFileReader.read("x", notRdb, LIMITS, (k, v, at) -> { })).hasMessageContaining("no REDIS magic");

        byte[] newer = good.clone();
        newer[8] = '1'; // REDIS0011
        assertThatThrownBy(() -> RdbFileReader.read("x", newer, LIMITS, (k, v, at) -> { })).hasMessageContaining("RDB version 11");
    }

    /** Every type in each of Redis 7.0's encodings, integers of every width, a compressible string, expiries. */
    private static void fill(RespTestClient c) throws IOException {
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
    }

    /** The keyspace as text: type, value (sets and hashes sorted) and whether it expires, and roughly when. */
    private static Map<String, String> contents(RespTestClient c) throws IOException {
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
