package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.StreamValue;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.resp.EncodedReply;
import io.percore.demo.resp.RespEncoder;
import io.percore.demo.resp.RespError;
import io.percore.demo.support.CpuClock;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 30, bounds: a group of a million pending entries answers XPENDING's summary and a page of
 * it, XCLAIM and XAUTOCLAIM with bounded work per call (XAUTOCLAIM examines at most 10,000 entries
 * whatever its COUNT and hands back a cursor, where Redis's would walk the million); no reply grows
 * past its bound (an eighth of the heap, lowered here): XRANGE of everything is refused, XREAD and
 * XREADGROUP return fewer entries than a huge COUNT and read on from there, XINFO STREAM FULL COUNT 0
 * over 300,000 pending entries is refused; an approximate trim
 * removes at most its limit. CPU time, not the wall clock, bounds the work.
 */
class StreamBoundsTest {

    private static final int MILLION = 1_000_000;
    private long savedMax;

    @BeforeEach
    void lowerTheReplyBound() {
        savedMax = RespEncoder.maxBytes();
        RespEncoder.maxBytes(4 << 20);
    }

    @AfterEach
    void restoreTheReplyBound() {
        RespEncoder.maxBytes(savedMax);
    }

    private static byte[][] argv(String... args) {
        return Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.ISO_8859_1)).toArray(byte[][]::new);
    }

    /** XREADGROUP GROUP group consumer COUNT count STREAMS key > on the store, as its shard runs it. */
    private static RedisMessage readGroup(ValueStore store, String key, String group, String consumer, long count, long now) {
        byte[] k = key.getBytes(StandardCharsets.US_ASCII);
        StreamValue s = store.writeStream(k, now);
        return StreamDelivery.deliverNew(store, k, s, s.group(group.getBytes(StandardCharsets.US_ASCII)),
                consumer.getBytes(StandardCharsets.US_ASCII), count, false, now).entries();
    }

    /** A store with a stream of a million entries (1-0 .. 1000000-0) read by one group into two consumers' pending entries. */
    private static ValueStore millionPending(long now) {
        ValueStore store = new ValueStore();
        for (int i = 1; i <= MILLION; i++) {
            StreamCommands.xadd(store, argv("XADD", "s", i + "-0", "f", "v"), now);
        }
        StreamGroupCommands.xgroupCreate(store, argv("XGROUP", "CREATE", "s", "g", "0"), now);
        RespEncoder.maxBytes(1L << 40);
        for (String consumer : new String[] {"a", "b"}) {
            RedisMessage read = readGroup(store, "s", "g", consumer, MILLION / 2, now);
            assertThat(read).isNotNull();
        }
        RespEncoder.maxBytes(4 << 20);
        return store;
    }

    @Test
    void aMillionPendingEntriesAnswerEachCallWithBoundedWork() {
        long now = System.currentTimeMillis();
        ValueStore store = millionPending(now);
        StreamValue s = store.readStream("s".getBytes(StandardCharsets.US_ASCII), now);
        assertThat(s.group("g".getBytes(StandardCharsets.US_ASCII)).pendingCount()).isEqualTo(MILLION);

        long start = CpuClock.threadMillis();
        for (int i = 0; i < 1000; i++) {
            ArrayRedisMessage summary = (ArrayRedisMessage) StreamGroupCommands.xpending(store, argv("XPENDING", "s", "g"), now);
            assertThat(summary.children().get(1)).isNotNull();
            StreamGroupCommands.xpending(store, argv("XPENDING", "s", "g", "(" + (i * 997) + "-0", "+", "10"), now);
            StreamGroupCommands.xclaim(store, argv("XCLAIM", "s", "g", "c", "0", (1 + i * 991) + "-0", "JUSTID"), now);
        }
        long pages = CpuClock.threadMillis() - start;
        assertThat(pages).as("1,000 summaries, pages and claims of a million-entry PEL").isLessThan(3_000);

        // XAUTOCLAIM with an idle time nobody has: Redis would walk every entry; here each call stops at 10,000
        start = CpuClock.threadMillis();
        ArrayRedisMessage reply = (ArrayRedisMessage) StreamGroupCommands.xautoclaim(store,
                argv("XAUTOCLAIM", "s", "g", "z", "86400000", "0", "COUNT", "100000000000"), now);
        long oneCall = CpuClock.threadMillis() - start;
        String cursor = String.valueOf(((io.percore.demo.resp.BulkReply) reply.children().get(0)).value().length);
        assertThat(new String(((io.percore.demo.resp.BulkReply) reply.children().get(0)).value(), StandardCharsets.US_ASCII))
                .as("a cursor to go on from").isEqualTo((StreamGroupCommands.AUTOCLAIM_MAX_ATTEMPTS + 1) + "-0");
        assertThat(cursor).isNotEmpty();
        assertThat(oneCall).as("one XAUTOCLAIM examines at most 10,000 entries").isLessThan(1_000);
        int calls = 1;
        String from = (StreamGroupCommands.AUTOCLAIM_MAX_ATTEMPTS + 1) + "-0";
        while (!from.equals("0-0")) {
            reply = (ArrayRedisMessage) StreamGroupCommands.xautoclaim(store, argv("XAUTOCLAIM", "s", "g", "z", "86400000", from,
                    "COUNT", "100000000000"), now);
            from = new String(((io.percore.demo.resp.BulkReply) reply.children().get(0)).value(), StandardCharsets.US_ASCII);
            calls++;
        }
        assertThat(calls).as("the cursor walks the whole PEL").isEqualTo(MILLION / (int) StreamGroupCommands.AUTOCLAIM_MAX_ATTEMPTS);
        // XPENDING IDLE scans its range as Redis does: linear, a million entries in well under a second of CPU
        start = CpuClock.threadMillis();
        EncodedReply idle = (EncodedReply) StreamGroupCommands.xpending(store, argv("XPENDING", "s", "g", "IDLE", "86400000", "-", "+", "10"), now);
        assertThat(idle.length()).isEqualTo(4); // "*0\r\n"
        System.out.printf("XAUTOCLAIM of 10,000: %d ms CPU; XPENDING IDLE over a million: %d ms CPU%n", oneCall,
                CpuClock.threadMillis() - start);
    }

    @Test
    void noReplyGrowsPastItsBound() {
        long now = System.currentTimeMillis();
        ValueStore store = new ValueStore();
        for (int i = 1; i <= 300_000; i++) {
            StreamCommands.xadd(store, argv("XADD", "s", i + "-0", "field", "value-" + i), now);
        }
        assertThatThrownBy(() -> StreamCommands.xrange(store, argv("XRANGE", "s", "-", "+"), now))
                .isInstanceOf(RespError.class).hasMessageContaining("ask for fewer entries with COUNT");
        EncodedReply page = (EncodedReply) StreamCommands.xrange(store, argv("XRANGE", "s", "-", "+", "COUNT", "1000"), now);
        assertThat((long) page.length()).isLessThan(RespEncoder.maxBytes());
        // XREADGROUP with COUNT 0 (all): cut at the bound, the group's last ID where the reply ends
        StreamGroupCommands.xgroupCreate(store, argv("XGROUP", "CREATE", "s", "g", "0"), now);
        RedisMessage read = readGroup(store, "s", "g", "c", 0, now);
        long delivered = store.readStream("s".getBytes(StandardCharsets.US_ASCII), now).group("g".getBytes(StandardCharsets.US_ASCII)).pendingCount();
        assertThat(delivered).as("fewer than all 300,000, more than none").isBetween(1L, 299_999L);
        assertThat(((EncodedReply) read).length()).isBetween((int) RespEncoder.maxBytes(), (int) RespEncoder.maxBytes() + 1000);
        assertThat(store.readStream("s".getBytes(StandardCharsets.US_ASCII), now).group("g".getBytes(StandardCharsets.US_ASCII)).lastId().ms())
                .isEqualTo(delivered);
        // an approximate trim removes at most its limit (100 nodes' entries: 10,000)
        RedisMessage trimmed = StreamCommands.xtrim(store, argv("XTRIM", "s", "MAXLEN", "~", "0"), now);
        assertThat(((io.netty.handler.codec.redis.IntegerRedisMessage) trimmed).value()).isEqualTo(10_000);
        // XINFO STREAM FULL COUNT 0 lists every entry and every pending entry: refused past the bound, as
        // XRANGE; for the pending entries too, once the stream is emptied (300,000 of them: about 12 MB as listed)
        assertThatThrownBy(() -> StreamInfoCommands.stream(store, argv("XINFO", "STREAM", "s", "FULL", "COUNT", "0"), now))
                .isInstanceOf(RespError.class).hasMessageContaining("ask for fewer entries with COUNT");
        StreamGroupCommands.xgroupCreate(store, argv("XGROUP", "CREATE", "s", "g2", "0"), now);
        RespEncoder.maxBytes(1L << 40);
        readGroup(store, "s", "g2", "c", 0, now);
        RespEncoder.maxBytes(4 << 20);
        StreamCommands.xtrim(store, argv("XTRIM", "s", "MAXLEN", "0"), now);
        assertThatThrownBy(() -> StreamInfoCommands.stream(store, argv("XINFO", "STREAM", "s", "FULL", "COUNT", "0"), now))
                .isInstanceOf(RespError.class).hasMessageContaining("ask for fewer entries with COUNT");
        assertThat(StreamInfoCommands.stream(store, argv("XINFO", "STREAM", "s", "FULL", "COUNT", "1000"), now)).isNotNull();
    }
}
