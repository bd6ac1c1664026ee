package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.DemoSettings;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.io.ByteArrayOutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import io.percore.demo.resp.BulkReply;
import io.percore.demo.resp.RespReplies;

/**
 * Issue 13: strings changed in place (APPEND, SETRANGE, SETBIT, BITFIELD). A reply that took the
 * string's array before a later change (a pipelined GET then SETBIT in one read) still sends the old
 * bytes; a run of small changes on a large value costs the changes, not the value each time; the
 * memory budget counts the real arrays.
 */
class StringsInPlaceTest {

    private static final BitCommands BITS = new BitCommands();

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = args[i].getBytes(StandardCharsets.ISO_8859_1);
        }
        return out;
    }

    private static String text(RedisMessage reply) {
        return new String(((BulkReply) reply).value(), StandardCharsets.ISO_8859_1);
    }

    /** Every reply that wrapped the array keeps its bytes through every kind of in-place change that follows. */
    @Test
    void aReplyTakenBeforeAChangeKeepsTheOldBytes() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        // a plain string (SET's argument itself), then changed in place
        StringCommands.set(store, argv("SET", "k", "abcdef"), now);
        RedisMessage first = StringCommands.get(store, argv("GET", "k"), now);
        BITS.setbit(store, argv("SETBIT", "k", "3", "1"), now); // 'a' 0x61 -> 'q' 0x71
        assertThat(text(first)).isEqualTo("abcdef");
        // now a GrowableString with spare room: the replies share its array
        StringCommands.append(store, argv("APPEND", "k", "gh"), now);
        RedisMessage second = StringCommands.get(store, argv("GET", "k"), now);
        BITS.setbit(store, argv("SETBIT", "k", "11", "1"), now); // 'b' 0x62 -> 'r' 0x72
        RedisMessage third = StringCommands.get(store, argv("GET", "k"), now);
        StringCommands.append(store, argv("APPEND", "k", "i"), now);
        RedisMessage fourth = StringCommands.getset(store, argv("GETSET", "k2", "x"), now);
        RedisMessage fifth = StringCommands.get(store, argv("GET", "k"), now);
        StringCommands.setrange(store, argv("SETRANGE", "k", "0", "ZZ"), now);
        RedisMessage sixth = StringCommands.getex(store, argv("GETEX", "k"), now);
        BITS.bitfield(store, argv("BITFIELD", "k", "SET", "u8", "#8", "33"), now);
        RedisMessage seventh = StringCommands.set(store, argv("SET", "k", "new", "GET"), now);
        assertThat(text(second)).isEqualTo("qbcdefgh");
        assertThat(text(third)).isEqualTo("qrcdefgh");
        assertThat(fourth).isSameAs(RespReplies.NIL);
        assertThat(text(fifth)).isEqualTo("qrcdefghi");
        assertThat(text(sixth)).isEqualTo("ZZcdefghi");
        assertThat(text(seventh)).isEqualTo("ZZcdefgh!");
    }

    /**
     * Over a socket, in one write: a GET whose reply waits behind another shard's reply (so it
     * still holds the array when the next command changes the string), then SETBIT, APPEND,
     * SETRANGE and BITFIELD. The key is on each shard in turn, so the wait happens whichever shard
     * the connection landed on; 200 rounds.
     */
    @Test
    void pipelinedGetThenChangeInOneWrite() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests());
             RespTestClient c = new RespTestClient(demo.respPort()).binary()) {
            for (int round = 0; round < 200; round++) {
                int shard = round % 2;
                String k = demo.keyOn(shard, "inplace:" + round + ":");
                String other = demo.keyOn(1 - shard, "inplace:other:" + round + ":");
                ByteArrayOutputStream burst = new ByteArrayOutputStream();
                for (String[] command : new String[][] {
                        {"APPEND", k, "abc"}, {"APPEND", k, "def"}, {"GET", other}, {"GET", k}, {"SETBIT", k, "3", "1"}, {"GET", k},
                        {"APPEND", k, "x"}, {"MGET", other, k}, {"SETRANGE", k, "1", "Q"}, {"GET", k},
                        {"BITFIELD", k, "SET", "u8", "#2", "33"}, {"GET", k}, {"DEL", k}}) {
                    burst.writeBytes(RespTestClient.encode(StandardCharsets.ISO_8859_1, command));
                }
                c.send(burst.toByteArray());
                List<Object> replies = new ArrayList<>();
                for (int i = 0; i < 13; i++) {
                    replies.add(c.read());
                }
                assertThat(replies).as("round " + round).containsExactly(3L, 6L, null, "abcdef", 0L, "qbcdef", 7L,
                        java.util.Arrays.asList(null, "qbcdefx"), 7L, "qQcdefx", List.of(99L), "qQ!defx", 1L);
            }
        }
    }

    /**
     * A client doing random SETBITs on an 8 MB bitmap must not make the shard copy 8 MB each time
     * (100,000 of them would copy 800 GB): the shard's CPU time stays well under a second. Same for
     * APPEND and SETRANGE on a large value, and a GET now and then costs one copy each, not more.
     */
    @Test
    void smallChangesOnALargeValueCostTheChange() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        long bits = 8L * 8 * 1024 * 1024;
        BITS.setbit(store, argv("SETBIT", "bitmap", Long.toString(bits - 1), "1"), now);
        StringCommands.setrange(store, argv("SETRANGE", "value", Integer.toString(8 * 1024 * 1024 - 1), "x"), now);
        SplittableRandom random = new SplittableRandom(5);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpu = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < 100_000; i++) {
            BITS.setbit(store, argv("SETBIT", "bitmap", Long.toString(random.nextLong(bits)), "1"), now);
        }
        long setbitNanos = threads.getCurrentThreadCpuTime() - cpu;
        cpu = threads.getCurrentThreadCpuTime();
        for (int i = 0; i < 100_000; i++) {
            StringCommands.append(store, argv("APPEND", "value", "0123456789"), now);
            StringCommands.setrange(store, argv("SETRANGE", "value", Integer.toString(random.nextInt(8 * 1024 * 1024)), "abcdefgh"), now);
            if (i % 10_000 == 0) {
                StringCommands.get(store, argv("GET", "value"), now); // shares the array: the next change copies once
            }
        }
        long appendNanos = threads.getCurrentThreadCpuTime() - cpu;
        System.out.printf("CPU: 100,000 SETBITs on 8 MB %d ms; 100,000 APPEND+SETRANGE on 8 MB with 10 GETs %d ms%n",
                setbitNanos / 1_000_000, appendNanos / 1_000_000);
        assertThat(setbitNanos / 1_000_000).as("ms of CPU for 100,000 SETBITs on 8 MB").isLessThan(1_000);
        assertThat(appendNanos / 1_000_000).as("ms of CPU for 100,000 APPENDs and SETRANGEs on 8 MB and 10 GETs").isLessThan(2_000);
        assertThat(((io.netty.handler.codec.redis.IntegerRedisMessage) StringCommands.strlen(store, argv("STRLEN", "value"), now)).value())
                .isEqualTo(8 * 1024 * 1024 + 1_000_000);
    }

    /** The budget counts the arrays as they are, spare room included, and returns to zero. */
    @Test
    void theBudgetCountsTheRealArrays() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        byte[] key = "k".getBytes(StandardCharsets.US_ASCII);
        StringCommands.set(store, argv("SET", "k", "x".repeat(1000)), now);
        long plain = store.memory().usedBytes();
        assertThat(store.memoryUsage(key, now)).isEqualTo(plain);
        StringCommands.append(store, argv("APPEND", "k", "y"), now);
        // 1001 bytes with doubling: a 2002-byte array in a 24-byte object
        assertThat(store.memory().usedBytes()).isEqualTo(plain - ((16 + 1000 + 7) & ~7) + 24 + ((16 + 2002 + 7) & ~7));
        assertThat(store.memoryUsage(key, now)).isEqualTo(store.memory().usedBytes());
        BITS.setbit(store, argv("SETBIT", "k", Long.toString(8L * 5000), "1"), now);
        assertThat(store.memory().usedBytes()).isEqualTo(plain - ((16 + 1000 + 7) & ~7) + 24 + ((16 + 10_002 + 7) & ~7));
        StringCommands.set(store, argv("SET", "k", "x".repeat(1000)), now);
        assertThat(store.memory().usedBytes()).as("SET replaces it with a plain string").isEqualTo(plain);
        BITS.bitfield(store, argv("BITFIELD", "k2", "SET", "u8", "#99", "1"), now);
        store.delete(key, now);
        store.delete("k2".getBytes(StandardCharsets.US_ASCII), now);
        assertThat(store.memory().usedBytes()).isZero();
    }
}
