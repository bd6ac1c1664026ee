package io.percore.demo.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.kv.HashValue;
import io.percore.demo.kv.SetValue;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.support.KeyspaceContents;
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
 * {@link RdbFileWriter} writes what it read as two shards' {@link RdbEntries} interleaved in one file;
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
            KeyspaceContents.fillEveryType(c);
            assertThat(c.cmd("SAVE")).isEqualTo("OK");
            original = KeyspaceContents.of(c);
        }
        List<Loaded> loaded = new ArrayList<>();
        RdbFileReader.Summary summary = RdbFileReader.read(saved, LIMITS, (k, v, at) -> loaded.add(new Loaded(k, v, at)));
        assertThat(summary.keys()).isEqualTo(original.size());
        assertThat(summary.expires()).isEqualTo(2);
        assertThat(summary.version()).isEqualTo(10);

        // two shards' entries, the keys dealt between them, their chunks interleaved in one file
        Path written = dir.resolve("ours.rdb");
        List<RdbEntries> shards = List.of(new RdbEntries(), new RdbEntries());
        long size;
        try (RdbFileWriter file = RdbFileWriter.create(written, System.currentTimeMillis() / 1000, 1234, loaded.size(), 2)) {
            for (int i = 0; i < loaded.size(); i++) {
                Loaded l = loaded.get(i);
                RdbEntries shard = shards.get(i % 2);
                shard.entry(l.key(), l.value().type(), l.value().value(), l.expireAtMs());
                if (i % 5 == 4) {
                    byte[] chunk = shard.take();
                    file.write(chunk, 0, chunk.length);
                }
            }
            for (RdbEntries shard : shards) {
                byte[] chunk = shard.take();
                file.write(chunk, 0, chunk.length);
            }
            size = file.finish();
        }
        assertThat(size).isEqualTo(Files.size(written));
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).as("no temporary file left").noneMatch(n -> n.startsWith("temp-"));

        Process check = new ProcessBuilder("redis-check-rdb", written.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(report).contains("RDB looks OK").contains(original.size() + " keys read").contains("2 expires");

        try (RealRedis redis = RealRedis.start("--dir", dir.toString(), "--dbfilename", "ours.rdb", "--databases", "1");
             RespTestClient c = new RespTestClient(redis.port())) {
            assertThat(KeyspaceContents.of(c)).isEqualTo(original);
        }
        // and what was written reads back the same
        List<Loaded> again = new ArrayList<>();
        RdbFileReader.read(written, LIMITS, (k, v, at) -> again.add(new Loaded(k, v, at)));
        assertThat(again).hasSize(loaded.size());
    }

    @Test
    void anEmptyKeyspaceIsAFileRedisLoads() throws Exception {
        Path written = dir.resolve("empty.rdb");
        try (RdbFileWriter file = RdbFileWriter.create(written, 0, 0, 0, 0)) {
            file.finish();
        }
        Process check = new ProcessBuilder("redis-check-rdb", written.toString()).redirectErrorStream(true).start();
        String report = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor()).as(report).isZero();
        assertThat(RdbFileReader.read(written, LIMITS, (k, v, at) -> { }).keys()).isZero();
    }

    @Test
    void aDamagedFileStopsTheLoadWithFileOffsetAndReason() throws Exception {
        Path file = dir.resolve("d.rdb");
        write(file, "value-of-k");
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

    @Test
    void aSaveThatDoesNotFinishLeavesTheLastGoodFile() throws Exception {
        Path file = dir.resolve("dump.rdb");
        write(file, "first");
        byte[] good = Files.readAllBytes(file);
        try (RdbFileWriter half = RdbFileWriter.create(file, 0, 0, 1, 0)) {
            RdbEntries entries = new RdbEntries();
            entries.entry("k".getBytes(StandardCharsets.US_ASCII), io.percore.demo.kv.ValueType.STRING,
                    "second".getBytes(StandardCharsets.US_ASCII), -1);
            byte[] chunk = entries.take();
            half.write(chunk, 0, chunk.length);
            // failed here: never finished
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(good);
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).containsExactly("dump.rdb");
    }

    private static void write(Path file, String value) throws IOException {
        try (RdbFileWriter out = RdbFileWriter.create(file, 0, 0, 1, 0)) {
            RdbEntries entries = new RdbEntries();
            entries.entry("k".getBytes(StandardCharsets.US_ASCII), io.percore.demo.kv.ValueType.STRING,
                    value.getBytes(StandardCharsets.US_ASCII), -1);
            byte[] chunk = entries.take();
            out.write(chunk, 0, chunk.length);
            out.finish();
        }
    }
}
