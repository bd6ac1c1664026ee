package io.percore.demo.commands;

import io.percore.demo.support.CpuClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.DemoSettings;
import io.percore.demo.kv.MaxmemoryPolicy;
import io.percore.demo.kv.MemoryBudget;
import io.percore.demo.kv.OutOfBudgetException;
import io.percore.demo.kv.ValueStore;
import io.percore.demo.kv.ZSetValue;
import io.percore.demo.kv.ZSetValue.Entry;
import io.percore.demo.kv.ZSetValue.LexRange;
import io.percore.demo.kv.ZSetValue.Limits;
import io.percore.demo.kv.ZSetValue.ScoreRange;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import io.percore.demo.resp.BulkArrayReply;
import io.percore.demo.resp.RespDoubles;
import io.percore.demo.resp.RespError;
import io.percore.demo.resp.ScoredMembersReply;

/**
 * Issue 13: sorted sets. Replies and errors are compared with redis-server in {@link ZSetParityTest};
 * here what a client cannot see: both representations agree with a plain model under random
 * operations (ranks, ranges, pops, conversions), the memory budget follows every change exactly, a
 * set too large for the budget is refused before it is built, and rank and range operations on a
 * 200,000-member set stay logarithmic. Plus the double syntax (strtod in, %.17g out).
 */
class ZSetCommandsTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[][] argv(String... args) {
        byte[][] out = new byte[args.length][];
        for (int i = 0; i < args.length; i++) {
            out[i] = b(args[i]);
        }
        return out;
    }

    // ------------------------------------------------------------------ the structure against a model

    private static final Comparator<Entry> ORDER = (x, y) -> x.score() < y.score() ? -1 : x.score() > y.score() ? 1
            : Arrays.compareUnsigned(x.member(), y.member());

    /** A sorted set kept the obvious way: a tree of entries and a member → score map. */
    private static final class Model {
        final TreeSet<Entry> order = new TreeSet<>(ORDER);
        final Map<String, Double> scores = new HashMap<>();

        List<Entry> list() {
            return new ArrayList<>(order);
        }

        void put(String m, double s) {
            Double old = scores.put(m, s);
            if (old != null) {
                order.remove(new Entry(b(m), old));
            }
            order.add(new Entry(b(m), s));
        }

        void remove(String m) {
            Double old = scores.remove(m);
            if (old != null) {
                order.remove(new Entry(b(m), old));
            }
        }
    }

    private static List<String> names(List<Entry> entries) {
        return entries.stream().map(e -> new String(e.member(), StandardCharsets.UTF_8) + "=" + e.score()).toList();
    }

    @Test
    void bothRepresentationsAgreeWithAModel() {
        for (Limits limits : List.of(Limits.DEFAULT, new Limits(0, 0), new Limits(16, 64))) {
            SplittableRandom random = new SplittableRandom(42);
            Model model = new Model();
            ZSetValue z = null;
            long emptyBytes = -1;
            boolean sawSkipList = false;
            for (int step = 0; step < 30_000; step++) {
                String m = "m" + random.nextInt(limits.maxEntries() == 16 ? 40 : 300);
                double s = random.nextInt(20) / 4.0 - 2;
                int op = random.nextInt(20); // about 190 members at equilibrium: past the compact limit
                if (z == null) {
                    z = ZSetValue.create(limits, b(m));
                    emptyBytes = z.bytes();
                }
                double current = z.score(b(m));
                if (op < 12) {
                    if (Double.isNaN(current)) {
                        z.insert(b(m), s, limits);
                    } else {
                        z.update(b(m), current, s);
                    }
                    model.put(m, s);
                } else if (op < 14) {
                    assertThat(z.remove(b(m))).isEqualTo(model.scores.containsKey(m));
                    model.remove(m);
                } else if (op == 14 && z.size() > 0) {
                    int from = random.nextInt(z.size());
                    int to = Math.min(z.size() - 1, from + random.nextInt(2));
                    assertThat(z.removeRange(from, to)).isEqualTo(to - from + 1);
                    List<Entry> all = model.list();
                    for (int i = from; i <= to; i++) {
                        model.remove(new String(all.get(i).member(), StandardCharsets.UTF_8));
                    }
                } else if (op == 15 && z.size() > 0) {
                    boolean max = random.nextBoolean();
                    int n = 1 + random.nextInt(2);
                    List<Entry> expected = new ArrayList<>(model.list());
                    if (max) {
                        java.util.Collections.reverse(expected);
                    }
                    expected = expected.subList(0, Math.min(n, expected.size()));
                    assertThat(names(z.pop(n, max))).isEqualTo(names(expected));
                    expected.forEach(e -> model.remove(new String(e.member(), StandardCharsets.UTF_8)));
                }
                sawSkipList |= z.encoding().equals("skiplist");
                if (step % 7 == 0) {
                    check(z, model, random);
                }
            }
            assertThat(sawSkipList).isTrue();
            z.removeRange(0, z.size() - 1);
            assertThat(z.size()).isZero();
            if (limits.maxEntries() == 0) {
                assertThat(z.bytes()).as("an emptied skip list is back to its empty size").isEqualTo(emptyBytes);
            }
        }
    }

    private static void check(ZSetValue z, Model model, SplittableRandom random) {
        List<Entry> all = model.list();
        assertThat(z.size()).isEqualTo(all.size());
        if (all.isEmpty()) {
            return;
        }
        assertThat(names(z.range(0, all.size() - 1, false))).isEqualTo(names(all));
        int from = random.nextInt(all.size());
        int to = from + random.nextInt(all.size() - from);
        List<Entry> window = new ArrayList<>(all.subList(from, to + 1));
        assertThat(names(z.range(from, to, false))).isEqualTo(names(window));
        java.util.Collections.reverse(window);
        assertThat(names(z.range(from, to, true))).isEqualTo(names(window));
        for (int i = 0; i < 5; i++) {
            int r = random.nextInt(all.size());
            Entry e = all.get(r);
            assertThat(z.rank(e.member(), false)).isEqualTo(r);
            assertThat(z.rank(e.member(), true)).isEqualTo(all.size() - 1 - r);
            assertThat(z.score(e.member())).isEqualTo(e.score());
            assertThat(names(List.of(z.at(r)))).isEqualTo(names(List.of(e)));
        }
        assertThat(z.rank(b("absent"), false)).isEqualTo(-1);
        double lo = random.nextInt(20) / 4.0 - 2;
        double hi = random.nextInt(20) / 4.0 - 2;
        boolean loEx = random.nextBoolean();
        boolean hiEx = random.nextBoolean();
        ScoreRange range = new ScoreRange(lo, loEx, hi, hiEx);
        int first = -1;
        int last = -2;
        for (int i = 0; i < all.size(); i++) {
            double s = all.get(i).score();
            if ((loEx ? s > lo : s >= lo) && (hiEx ? s < hi : s <= hi)) {
                first = first < 0 ? i : first;
                last = i;
            }
        }
        if (first >= 0) {
            assertThat(z.firstRank(range)).isEqualTo(first);
            assertThat(z.lastRank(range)).isEqualTo(last);
        } else {
            assertThat(z.firstRank(range)).isGreaterThan(z.lastRank(range));
        }
    }

    @Test
    void lexRangesOfASetWithOneScore() {
        for (Limits limits : List.of(Limits.DEFAULT, new Limits(0, 0))) {
            ZSetValue z = ZSetValue.create(limits, b("a"));
            for (String m : List.of("a", "b", "c", "d", "e", "", "aa", "\u00ff")) {
                z.insert(b(m), 0, limits);
            }
            // ascending: "", a, aa, b, c, d, e, \u00ff (unsigned bytes: 0xC3 sorts last)
            assertThat(z.firstRank(new LexRange(b("b"), false, b("d"), true))).isEqualTo(3);
            assertThat(z.lastRank(new LexRange(b("b"), false, b("d"), true))).isEqualTo(4);
            assertThat(z.firstRank(new LexRange(LexRange.MIN, true, LexRange.MAX, true))).isZero();
            assertThat(z.lastRank(new LexRange(LexRange.MIN, true, LexRange.MAX, true))).isEqualTo(7);
            assertThat(z.firstRank(new LexRange(b("a"), true, LexRange.MAX, true))).isEqualTo(2);
            assertThat(z.lastRank(new LexRange(LexRange.MIN, true, b(""), false))).isZero();
            assertThat(z.firstRank(new LexRange(LexRange.MAX, true, LexRange.MAX, true)))
                    .isGreaterThan(z.lastRank(new LexRange(LexRange.MAX, true, LexRange.MAX, true)));
        }
    }

    // ------------------------------------------------------------------ representations

    @Test
    void compactSetsBecomeSkipListsPastTheLimitsAndTakeLessMemory() {
        Limits limits = Limits.DEFAULT;
        ZSetValue z = ZSetValue.create(limits, b("m0"));
        ZSetValue big = ZSetValue.create(new Limits(0, 0), b("m0"));
        for (int i = 0; i < 128; i++) {
            z.insert(b("m" + i), i, limits);
            big.insert(b("m" + i), i, limits);
        }
        assertThat(z.encoding()).isEqualTo("listpack");
        assertThat(big.encoding()).isEqualTo("skiplist");
        assertThat(z.bytes()).as("compact: no tree, no map entry per member").isLessThan(big.bytes() / 2);
        z.insert(b("m128"), 128, limits);
        assertThat(z.encoding()).as("the 129th member").isEqualTo("skiplist");
        assertThat(z.range(0, 128, false)).hasSize(129);
        z.pop(129, false);
        assertThat(z.encoding()).as("never back, as in Redis").isEqualTo("skiplist");

        ZSetValue longMember = ZSetValue.create(limits, b("short"));
        longMember.insert(b("short"), 1, limits);
        longMember.insert(b("x".repeat(65)), 2, limits);
        assertThat(longMember.encoding()).as("a member over zset-max-listpack-value").isEqualTo("skiplist");
        assertThat(ZSetValue.create(limits, b("x".repeat(65))).encoding()).isEqualTo("skiplist");
        assertThat(ZSetValue.create(new Limits(0, 64), b("x")).encoding()).isEqualTo("skiplist");

        List<Entry> hundred = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            hundred.add(new Entry(b("e" + i), i));
        }
        assertThat(ZSetValue.of(hundred, limits).encoding()).isEqualTo("listpack");
        assertThat(ZSetValue.of(hundred, new Limits(99, 64)).encoding()).isEqualTo("skiplist");
        assertThat(ZSetValue.of(hundred, new Limits(1_000_000, 64)).encoding()).isEqualTo("listpack");
        List<Entry> many = new ArrayList<>();
        for (int i = 0; i <= Limits.HARD_MAX_ENTRIES; i++) {
            many.add(new Entry(b("e" + i), i));
        }
        assertThat(ZSetValue.of(many, new Limits(1_000_000, 64)).encoding()).as("linear sets stay small whatever the config")
                .isEqualTo("skiplist");
        Limits huge = new Limits(1_000_000, 1_000_000);
        ZSetValue wide = ZSetValue.create(huge, b("k0"));
        int members = 0;
        while (wide.encoding().equals("listpack")) {
            wide.insert(b(members + "x".repeat(1000)), members, huge);
            members++;
            assertThat(members).isLessThan(100);
        }
        assertThat(members).as("1,000-byte members: about 64 KB of listpack, whatever the config").isBetween(60, 70);
        assertThat(wide.size()).isEqualTo(members);
        List<Entry> wideEntries = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            wideEntries.add(new Entry(b(i + "y".repeat(1000)), i));
        }
        assertThat(ZSetValue.of(wideEntries, huge).encoding()).isEqualTo("skiplist");
        assertThat(ZSetValue.create(huge, b("z".repeat(70_000))).encoding()).isEqualTo("skiplist");
    }

    @Test
    void aCompactSetKeepsZeroAsZeroAndASkipListKeepsMinusZero() {
        ZSetValue compact = ZSetValue.create(Limits.DEFAULT, b("a"));
        compact.insert(b("a"), -0.0, Limits.DEFAULT);
        assertThat(Double.doubleToRawLongBits(compact.score(b("a")))).isZero();
        ZSetValue list = ZSetValue.create(new Limits(0, 0), b("a"));
        list.insert(b("a"), -0.0, Limits.DEFAULT);
        assertThat(Double.doubleToRawLongBits(list.score(b("a")))).isEqualTo(Double.doubleToRawLongBits(-0.0));
    }

    // ------------------------------------------------------------------ memory budget

    @Test
    void theBudgetFollowsEveryChangeAndReturnsToZero() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        long now = System.currentTimeMillis();
        byte[] key = b("z");
        List<String[]> commands = new ArrayList<>(List.of(
                new String[] {"ZADD", "z", "1", "a", "2", "b", "3", "c"},
                new String[] {"ZADD", "z", "4", "x".repeat(1000)},
                new String[] {"ZINCRBY", "z", "5", "a"},
                new String[] {"ZADD", "z", "INCR", "1", "new"},
                new String[] {"ZREM", "z", "b", "nothere"},
                new String[] {"ZPOPMIN", "z"},
                new String[] {"ZPOPMAX", "z", "2"}));
        for (int i = 0; i < 300; i++) { // past the compact limit: the conversion is counted too
            commands.add(new String[] {"ZADD", "z", Integer.toString(i), "member-" + i});
        }
        commands.addAll(List.of(
                new String[] {"ZREMRANGEBYSCORE", "z", "10", "(20"},
                new String[] {"ZREMRANGEBYRANK", "z", "0", "9"},
                new String[] {"ZINCRBY", "z", "1000", "member-200"},
                new String[] {"ZADD", "z", "CH", "-1", "member-201", "-2", "member-202"}));
        for (String[] c : commands) {
            RedisMessage reply = execute(store, c, now);
            assertThat(reply).as(String.join(" ", c)).isNotInstanceOf(io.netty.handler.codec.redis.ErrorRedisMessage.class);
            assertThat(store.memory().usedBytes()).as("after " + c[0] + ": the budget is the key's own size").isEqualTo(store.memoryUsage(key, now));
        }
        assertThat(store.memoryUsage(key, now)).as("270 members of 32-byte arrays and their share of tree and map")
                .isGreaterThan(270 * 64L);
        ZSetCommands.zremrangebyrank(store, argv("ZREMRANGEBYRANK", "z", "0", "-1"), now);
        assertThat(store.typeOf(key, now)).as("an emptied sorted set is no key").isNull();
        assertThat(store.memory().usedBytes()).isZero();

        ZSetCommands.zadd(store, argv("ZADD", "z", "1", "a"), now);
        ZSetCommands.zrem(store, argv("ZREM", "z", "a"), now);
        assertThat(store.typeOf(key, now)).isNull();
        assertThat(store.memory().usedBytes()).isZero();
        ZSetCommands.zadd(store, argv("ZADD", "z", "1", "a"), now);
        ZSetCommands.zpopmin(store, argv("ZPOPMIN", "z", "5"), now);
        assertThat(store.size()).isZero();
        assertThat(store.memory().usedBytes()).isZero();

        // lex ranges are only defined when every score is equal (on mixed scores the answer depends on
        // the skip list's random levels, in Redis as here): a skip list of equal scores for ZREMRANGEBYLEX
        for (int i = 0; i < 300; i++) {
            ZSetCommands.zadd(store, argv("ZADD", "z", "0", "member-" + i), now);
        }
        assertThat(ZSetCommands.zremrangebylex(store, argv("ZREMRANGEBYLEX", "z", "[member-5", "(member-6"), now))
                .isEqualTo(io.percore.demo.resp.RespReplies.integer(11));
        assertThat(store.memory().usedBytes()).isEqualTo(store.memoryUsage(key, now));
        ZSetCommands.zremrangebyrank(store, argv("ZREMRANGEBYRANK", "z", "0", "-1"), now);
        assertThat(store.memory().usedBytes()).isZero();
    }

    private static RedisMessage execute(ValueStore store, String[] c, long now) {
        byte[][] a = argv(c);
        try {
            return switch (c[0]) {
                case "ZADD" -> ZSetCommands.zadd(store, a, now);
                case "ZINCRBY" -> ZSetCommands.zincrby(store, a, now);
                case "ZREM" -> ZSetCommands.zrem(store, a, now);
                case "ZPOPMIN" -> ZSetCommands.zpopmin(store, a, now);
                case "ZPOPMAX" -> ZSetCommands.zpopmax(store, a, now);
                case "ZREMRANGEBYSCORE" -> ZSetCommands.zremrangebyscore(store, a, now);
                case "ZREMRANGEBYRANK" -> ZSetCommands.zremrangebyrank(store, a, now);
                case "ZREMRANGEBYLEX" -> ZSetCommands.zremrangebylex(store, a, now);
                default -> throw new IllegalArgumentException(c[0]);
            };
        } catch (RespError e) {
            return e.reply();
        }
    }

    @Test
    void aSortedSetLargerThanTheBudgetIsRefusedBeforeItIsBuilt() {
        ValueStore store = new ValueStore(new SplittableRandom(1));
        store.budget(new MemoryBudget(10_000, MaxmemoryPolicy.NOEVICTION, 5));
        List<String> args = new ArrayList<>(List.of("ZADD", "z"));
        for (int i = 0; i < 10; i++) {
            args.add(Integer.toString(i));
            args.add(i + "x".repeat(2_000));
        }
        assertThatThrownBy(() -> ZSetCommands.zadd(store, argv(args.toArray(String[]::new)), System.currentTimeMillis()))
                .isInstanceOf(OutOfBudgetException.class);
        assertThat(store.memory().usedBytes()).isZero();
        assertThat(store.size()).isZero();
    }

    // ------------------------------------------------------------------ bounded time

    private static ValueStore largeSet(String key, int members, long now) {
        ValueStore store = new ValueStore(new SplittableRandom(7));
        for (int from = 0; from < members; from += 1000) {
            List<String> args = new ArrayList<>(List.of("ZADD", key));
            for (int i = from; i < from + 1000; i++) {
                args.add(Integer.toString(i));
                args.add("member:" + i);
            }
            ZSetCommands.zadd(store, argv(args.toArray(String[]::new)), now);
        }
        return store;
    }

    private static long integerOf(RedisMessage m) {
        return ((IntegerRedisMessage) m).value();
    }

    /**
     * 200,000 members, then 20,000 commands each near the far end of the set: ranks, ranges with
     * large offsets, counts, removals by rank. Walking to the position would be about 2 * 10^9 steps;
     * the skip list takes a few dozen per command.
     */
    @Test
    void rankAndRangeOperationsOnALargeSetStayLogarithmic() {
        long now = System.currentTimeMillis();
        ValueStore store = largeSet("big", 200_000, now);
        assertThat(integerOf(ZSetCommands.zcard(store, argv("ZCARD", "big"), now))).isEqualTo(200_000);
        long start = CpuClock.threadMillis(); // CPU, not the wall clock: a loaded machine stretches only that
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 5_000; i++) {
            int n = 150_000 + random.nextInt(40_000);
            assertThat(integerOf(ZSetCommands.zrank(store, argv("ZRANK", "big", "member:" + n), now))).isEqualTo(n);
            BulkArrayReply range = (BulkArrayReply) ZSetCommands.zrange(store, argv("ZRANGE", "big", Integer.toString(n), Integer.toString(n + 2)), now);
            assertThat(range.items().get(0)).isEqualTo(b("member:" + n));
            BulkArrayReply byScore = (BulkArrayReply) ZSetCommands.zrangebyscore(store,
                    argv("ZRANGEBYSCORE", "big", "-inf", "+inf", "LIMIT", Integer.toString(n), "2"), now);
            assertThat(byScore.items().get(0)).isEqualTo(b("member:" + n));
            BulkArrayReply reverse = (BulkArrayReply) ZSetCommands.zrevrangebyscore(store,
                    argv("ZREVRANGEBYSCORE", "big", "+inf", "-inf", "LIMIT", Integer.toString(n), "1"), now);
            assertThat(reverse.items().get(0)).isEqualTo(b("member:" + (199_999 - n)));
            assertThat(integerOf(ZSetCommands.zcount(store, argv("ZCOUNT", "big", Integer.toString(n), "+inf"), now)))
                    .isEqualTo(200_000 - n);
        }
        // removals by rank and pops from the far end, 1,000 each
        for (int i = 0; i < 1_000; i++) {
            assertThat(integerOf(ZSetCommands.zremrangebyrank(store, argv("ZREMRANGEBYRANK", "big", "150000", "150000"), now))).isEqualTo(1);
            ZSetCommands.zpopmax(store, argv("ZPOPMAX", "big"), now);
        }
        long millis = CpuClock.threadMillis() - start;
        assertThat(integerOf(ZSetCommands.zcard(store, argv("ZCARD", "big"), now))).isEqualTo(198_000);
        assertThat(millis).as("27,000 commands at the far end of a 200,000-member set").isLessThan(5_000);
    }

    @Test
    void randomMembersWithRepeatsAreBoundedAndCheap() {
        long now = System.currentTimeMillis();
        ValueStore store = largeSet("big", 200_000, now);
        assertThatThrownBy(() -> ZSetCommands.zrandmember(store, argv("ZRANDMEMBER", "big", "-1000001"), now))
                .isInstanceOf(RespError.class).hasMessage("ERR value is out of range");
        long start = CpuClock.threadMillis();
        var picks = (BulkArrayReply) ZSetCommands.zrandmember(store, argv("ZRANDMEMBER", "big", "-1000000"), now);
        var distinct = (ScoredMembersReply) ZSetCommands.zrandmember(store, argv("ZRANDMEMBER", "big", "150000", "WITHSCORES"), now);
        assertThat(picks.items()).hasSize(1_000_000);
        assertThat(distinct.entries()).hasSize(150_000);
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (Entry e : distinct.entries()) {
            seen.add(new String(e.member(), StandardCharsets.UTF_8));
        }
        assertThat(seen).as("distinct picks are distinct").hasSize(150_000);
        assertThat(CpuClock.threadMillis() - start).isLessThan(5_000);
    }

    /** ZUNIONSTORE, ZINTERSTORE and ZDIFFSTORE of two 100,000-member sets on different shards, over the wire. */
    @Test
    void storesOfLargeSetsAcrossShardsAreFast() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests()); RespTestClient c = new RespTestClient(demo.respPort())) {
            String a = demo.keyOn(0, "bigz:a");
            String bKey = demo.keyOn(1, "bigz:b");
            String dst = demo.keyOn(1, "bigz:dst");
            for (int from = 0; from < 100_000; from += 2_000) {
                List<String> first = new ArrayList<>(List.of("ZADD", a));
                List<String> second = new ArrayList<>(List.of("ZADD", bKey));
                for (int i = from; i < from + 2_000; i++) {
                    first.add(Integer.toString(i));
                    first.add("m" + i);
                    second.add(Integer.toString(i));
                    second.add("m" + (i + 50_000));
                }
                c.cmd(first.toArray(String[]::new));
                c.cmd(second.toArray(String[]::new));
            }
            long start = CpuClock.shardMillis(c);
            assertThat(c.cmd("ZUNIONSTORE", dst, "2", a, bKey)).isEqualTo(150_000L);
            assertThat(c.cmd("ZSCORE", dst, "m60000")).isEqualTo("70000");
            assertThat(c.cmd("ZINTERSTORE", dst, "2", a, bKey, "AGGREGATE", "MAX")).isEqualTo(50_000L);
            assertThat(c.cmd("ZDIFFSTORE", dst, "2", a, bKey)).isEqualTo(50_000L);
            assertThat(c.cmd("ZINTERCARD", "2", a, bKey, "LIMIT", "10")).isEqualTo(10L);
            assertThat(CpuClock.shardMillis(c) - start).as("the shards' CPU ms").isLessThan(10_000);
        }
    }

    // ------------------------------------------------------------------ double syntax

    @Test
    void doublesAreWrittenAsPrintfWrites17SignificantDigits() {
        Object[][] cases = { // from C's printf("%.17g")
                {0.1, "0.10000000000000001"}, {1e17, "1e+17"}, {1e16, "10000000000000000"}, {123456789.123, "123456789.123"},
                {1.5e-5, "1.5e-05"}, {-2.5e-300, "-2.5e-300"}, {5e-324, "4.9406564584124654e-324"},
                {1.7976931348623157e308, "1.7976931348623157e+308"}, {0.0001, "0.0001"}, {1e-5, "1.0000000000000001e-05"},
                {3.0, "3"}, {-3.5, "-3.5"}, {1.0 / 3, "0.33333333333333331"}, {9007199254740994.0, "9007199254740994"},
                {1e21, "1e+21"}, {123456789012345678.0, "1.2345678901234568e+17"}, {0.30000000000000004, "0.30000000000000004"},
                {1e-7, "9.9999999999999995e-08"}, {100.0, "100"}, {12345678901234567.0, "12345678901234568"},
                {0.0, "0"}, {-0.0, "-0"}, {Double.POSITIVE_INFINITY, "inf"}, {Double.NEGATIVE_INFINITY, "-inf"}};
        for (Object[] c : cases) {
            assertThat(new String(RespDoubles.format((Double) c[0]), StandardCharsets.US_ASCII)).as("%s", c[0]).isEqualTo(c[1]);
        }
        SplittableRandom random = new SplittableRandom(5);
        for (int i = 0; i < 100_000; i++) {
            double d = Double.longBitsToDouble(random.nextLong());
            if (!Double.isNaN(d)) {
                assertThat(RespDoubles.parse(RespDoubles.format(d))).as("17 digits read back exactly: %s", d).isEqualTo(d);
            }
        }
        // a listpack keeps integral scores as integers, which is how ZSCAN shows them
        assertThat(new String(RespDoubles.formatCompact(1e17), StandardCharsets.US_ASCII)).isEqualTo("100000000000000000");
        assertThat(new String(RespDoubles.formatCompact(-0.0), StandardCharsets.US_ASCII)).isEqualTo("0");
        assertThat(new String(RespDoubles.formatCompact(4611686018427387904.0), StandardCharsets.US_ASCII)).isEqualTo("4611686018427387904");
        assertThat(new String(RespDoubles.formatCompact(9.3e18), StandardCharsets.US_ASCII)).isEqualTo("9.3e+18");
    }

    @Test
    void doublesAreReadAsStrtodReadsThem() {
        Object[][] accepted = {{"1", 1.0}, {"-1.5", -1.5}, {"+2", 2.0}, {".5", 0.5}, {"5.", 5.0}, {"1e3", 1000.0}, {"1E-2", 0.01},
                {"0x10", 16.0}, {"0X1p-2", 0.25}, {"0x.8", 0.5}, {"inf", Double.POSITIVE_INFINITY}, {"-Infinity", Double.NEGATIVE_INFINITY},
                {"+INF", Double.POSITIVE_INFINITY}, {"1e-310", 1e-310}, {"00012", 12.0}};
        for (Object[] c : accepted) {
            assertThat(RespDoubles.parse(b((String) c[0]))).as((String) c[0]).isEqualTo(c[1]);
        }
        for (String bad : List.of("", " 1", "1 ", "abc", "nan", "NaN(123)", "1e400", "-1e400", "1e-400", "1e", "1e+", "0x", "--1",
                "1.2.3", "infinit", "1f", "1d", "0x1p")) {
            assertThat(RespDoubles.parse(b(bad))).as("'%s'", bad).isNaN();
        }
        // a range bound is plain strtod: blanks first, an empty text is 0, an overflow is infinity
        assertThat(RespDoubles.parseBound(b(" 1"), 0)).isEqualTo(1.0);
        assertThat(RespDoubles.parseBound(b(""), 0)).isEqualTo(0.0);
        assertThat(RespDoubles.parseBound(b("("), 1)).isEqualTo(0.0);
        assertThat(RespDoubles.parseBound(b("1e400"), 0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(RespDoubles.parseBound(b("nan"), 0)).isNaN();
        assertThat(RespDoubles.parseBound(b("1 "), 0)).isNaN();
        assertThat(RespDoubles.parseBound(b(" "), 0)).isNaN();
    }
}
