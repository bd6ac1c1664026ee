package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.operator.replication.ServiceProcess;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RdbCheck} on files redis-server 7.0 writes with every value encoding it has (strings as integers and LZF,
 * quicklists, intsets, listpacks, hash tables, skiplists, streams with groups, consumers and pending entries, function
 * libraries, TTLs, two databases), and on every kind of damage: each sampled byte flipped, each sampled truncation,
 * bytes after the end, a newer version, a hostile length.
 */
class RdbCheckTest {

    @TempDir
    static Path dir;
    static byte[] rdb;
    static long keys;
    static byte[] unchecksummed;

    @BeforeAll
    static void writeFiles() throws Exception {
        try (ServiceProcess redis = ServiceProcess.startRedis(null, dir); RespPipe p = new RespPipe(redis.port, null)) {
            p.queue("SET", "int", "12345").queue("SET", "big-int", "9223372036854775807").queue("SET", "lzf", "abc".repeat(2000))
                    .queue("SET", "plain", "hello").queue("PEXPIRE", "plain", "999999999")
                    .queue("RPUSH", "list", "a", "b", "1", "2").queue("SADD", "intset", "1", "2", "300", "70000")
                    .queue("HSET", "small-hash", "f", "v", "g", "1").queue("ZADD", "small-zset", "1", "a", "2.5", "b");
            for (int i = 0; i < 300; i++) {
                p.queue("SADD", "set", "member-" + i).queue("HSET", "hash", "field-" + i, "value-" + i)
                        .queue("ZADD", "zset", Integer.toString(i), "m-" + i).queue("RPUSH", "long-list", "element-" + i);
            }
            p.queue("RPUSH", "plain-node", "x".repeat(20_000)); // a quicklist node of its own (PLAIN container)
            for (int i = 0; i < 50; i++) {
                p.queue("XADD", "stream", "*", "f", "v" + i);
            }
            p.queue("XGROUP", "CREATE", "stream", "g1", "0").queue("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "5", "STREAMS", "stream", ">")
                    .queue("XGROUP", "CREATE", "stream", "g2", "$").queue("XDEL", "stream", "0-1")
                    .queue("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")
                    .queue("SELECT", "1").queue("SET", "db1-key", "v").queue("SELECT", "0");
            assertThat(p.sync()).noneMatch(r -> r instanceof RespPipe.RespError);
            keys = (Long) p.call("DBSIZE") + 1;
            p.call("SAVE");
            rdb = Files.readAllBytes(dir.resolve("dump.rdb"));
            // what rdbchecksum no writes (an immutable setting): a zero trailer
            unchecksummed = rdb.clone();
            Arrays.fill(unchecksummed, rdb.length - 8, rdb.length, (byte) 0);
        }
    }

    @Test
    void aCompleteFileIsCountedHashedAndCopiedWhole() throws Exception {
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        RdbCheck.Summary s = RdbCheck.check(new ByteArrayInputStream(rdb), copy, Long.MAX_VALUE);
        assertThat(copy.toByteArray()).isEqualTo(rdb);
        assertThat(s.bytes()).isEqualTo(rdb.length);
        assertThat(s.keys()).isEqualTo(keys);
        assertThat(s.keysWithExpiry()).isEqualTo(1);
        assertThat(s.functions()).isEqualTo(1);
        assertThat(s.version()).isEqualTo(10);
        assertThat(s.checksummed()).isTrue();
        assertThat(s.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(rdb)));
        assertThat(s.aux()).containsEntry("redis-ver", "7.0.15").containsKey("ctime");
        // read in pieces of every size: the parse does not depend on where reads end
        RdbCheck.Summary trickled = RdbCheck.check(new Trickle(rdb, 7), OutputStream.nullOutputStream(), Long.MAX_VALUE);
        assertThat(trickled).isEqualTo(s);
    }

    @Test
    void everyFlippedByteIsRefused() {
        Random random = new Random(70);
        for (int n = 0; n < 600; n++) {
            int at = n < 20 ? rdb.length - 1 - n : random.nextInt(rdb.length);
            byte[] bad = rdb.clone();
            bad[at] ^= (byte) (1 << random.nextInt(8));
            assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(bad), OutputStream.nullOutputStream(), Long.MAX_VALUE))
                    .as("byte %d of %d flipped", at, rdb.length).isInstanceOf(RdbCheck.RdbException.class);
        }
    }

    @Test
    void everyTruncationIsRefusedAsTruncated() {
        Random random = new Random(71);
        for (int n = 0; n < 600; n++) {
            int length = n < 20 ? rdb.length - 1 - n : random.nextInt(rdb.length);
            byte[] cut = Arrays.copyOf(rdb, length);
            assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(cut), OutputStream.nullOutputStream(), Long.MAX_VALUE))
                    .as("%d of %d bytes", length, rdb.length).isInstanceOfSatisfying(RdbCheck.RdbException.class,
                            e -> assertThat(e.kind()).isEqualTo(RdbCheck.RdbException.Kind.TRUNCATED));
        }
        assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(Arrays.copyOf(rdb, rdb.length - 3)), OutputStream.nullOutputStream(),
                Long.MAX_VALUE)).hasMessageContaining("truncated").hasMessageContaining("inside the checksum");
    }

    @Test
    void bytesAfterTheEndANewerVersionAndTooManyBytesAreRefused() {
        byte[] longer = Arrays.copyOf(rdb, rdb.length + 1);
        assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(longer), OutputStream.nullOutputStream(), Long.MAX_VALUE))
                .hasMessageContaining("bytes follow its end at byte " + rdb.length);
        byte[] v11 = rdb.clone();
        v11[7] = '1';
        v11[8] = '1';
        assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(v11), OutputStream.nullOutputStream(), Long.MAX_VALUE))
                .hasMessageContaining("RDB version 11");
        assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.US_ASCII)),
                OutputStream.nullOutputStream(), Long.MAX_VALUE)).hasMessageContaining("does not start with REDIS");
        assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(rdb), OutputStream.nullOutputStream(), rdb.length - 1))
                .isInstanceOfSatisfying(RdbCheck.RdbException.class, e -> assertThat(e.kind()).isEqualTo(RdbCheck.RdbException.Kind.TOO_LARGE));
    }

    /** A key claiming 2^62 bytes is skipped, not allocated: the stream ends first, and says where. */
    @Test
    void aHostileLengthIsSkippedNotAllocated() {
        byte[] hostile = new byte[9 + 1 + 9];
        System.arraycopy("REDIS0010".getBytes(StandardCharsets.US_ASCII), 0, hostile, 0, 9);
        hostile[9] = 0; // a string key follows
        hostile[10] = (byte) 0x81; // a 64-bit length
        hostile[11] = 0x40; // 2^62
        assertThatThrownBy(() -> RdbCheck.check(new ByteArrayInputStream(hostile), OutputStream.nullOutputStream(), Long.MAX_VALUE))
                .isInstanceOfSatisfying(RdbCheck.RdbException.class, e -> {
                    assertThat(e.kind()).isEqualTo(RdbCheck.RdbException.Kind.TRUNCATED);
                    assertThat(e.getMessage()).contains("inside the key at byte 9");
                });
    }

    /**
     * {@code rdbchecksum no} writes a zero trailer, which redis-server loads without a check and so does this one:
     * then only the manifest's SHA-256 catches a flipped byte inside a value.
     */
    @Test
    void aFileWithoutChecksumIsAcceptedAndSaysSo() throws IOException {
        RdbCheck.Summary s = RdbCheck.check(new ByteArrayInputStream(unchecksummed), OutputStream.nullOutputStream(), Long.MAX_VALUE);
        assertThat(s.checksummed()).isFalse();
        assertThat(s.keys()).isEqualTo(keys);
    }

    /** A stream that hands out at most {@code step} bytes per read, a different count each time. */
    static final class Trickle extends InputStream {
        private final byte[] data;
        private final int step;
        private int pos;
        private int turn;

        Trickle(byte[] data, int step) {
            this.data = data;
            this.step = step;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + (turn++ % step)), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
