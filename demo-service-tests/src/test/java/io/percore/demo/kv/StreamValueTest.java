package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Streams without a server: {@link StreamValue} against a sorted map under random appends, deletes,
 * exact trims and ranges both ways, with small node limits so nodes fill, close and go; after every
 * step each node passes Redis's own integrity check ({@link StreamNode#check}), the length is the
 * model's, and {@link StreamValue#bytes()} equals a recount. Also {@link IdIndex} against a
 * {@code TreeMap}, the listpack's integer rule (lpStringToInt64) against BigInteger, element sizes at
 * every encoding's edge, copies that share nothing, and the memory a group's million pending entries
 * take and give back.
 */
class StreamValueTest {

    private static final Comparator<StreamId> ORDER = StreamId::compareTo;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The heap figure recounted from the parts (the running figure must equal it). */
    private static long recount(StreamValue s) {
        long bytes = StreamValue.BASE_BYTES + s.nodes.bytes();
        for (IdIndex<StreamNode>.Cursor c = s.nodes.first(); c.valid(); c.next()) {
            bytes += c.value().bytes();
        }
        for (StreamGroup g : s.groups()) {
            bytes += g.bytes();
        }
        return bytes;
    }

    private static void checkNodes(StreamValue s) {
        long live = 0;
        for (IdIndex<StreamNode>.Cursor c = s.nodes.first(); c.valid(); c.next()) {
            StreamNode.Checked checked = StreamNode.check(c.value().exactBytes(), c.ms(), c.seq());
            live += checked.live();
        }
        assertThat(live).as("live entries in the nodes").isEqualTo(s.length());
    }

    @Test
    void randomAppendsDeletesTrimsAndRangesMatchASortedMap() {
        long seed = System.nanoTime();
        Random r = new Random(seed);
        for (int round = 0; round < 20; round++) {
            StreamValue s = new StreamValue();
            TreeMap<StreamId, byte[][]> model = new TreeMap<>(ORDER);
            StreamValue.Limits limits = new StreamValue.Limits(r.nextInt(8), r.nextBoolean() ? 0 : 40 + r.nextInt(300));
            long ms = r.nextInt(3);
            for (int step = 0; step < 600; step++) {
                int op = r.nextInt(10);
                String where = "seed " + seed + " round " + round + " step " + step;
                if (op < 5) {
                    ms += r.nextInt(3);
                    byte[][] fv = randomFields(r);
                    StreamId requested = r.nextInt(4) == 0 ? null : new StreamId(ms, r.nextInt(5));
                    StreamId added = s.append(requested, true, fv, 0, fv.length / 2, limits, ms);
                    if (added != StreamValue.NOT_GREATER) {
                        model.put(added, fv);
                    } else {
                        assertThat(model.isEmpty() || requested == null || requested.compareTo(s.lastId()) <= 0).as(where).isTrue();
                    }
                } else if (op < 7 && !model.isEmpty()) {
                    StreamId victim = r.nextBoolean() ? pick(r, model) : new StreamId(r.nextInt((int) ms + 1), r.nextInt(5));
                    assertThat(s.delete(victim.ms(), victim.seq())).as(where).isEqualTo(model.remove(victim) != null);
                } else if (op == 7) {
                    long maxlen = r.nextInt(40);
                    s.trim(StreamValue.TrimStrategy.MAXLEN, maxlen, null, false, 0);
                    while (model.size() > maxlen) {
                        model.pollFirstEntry();
                    }
                } else if (op == 8) {
                    StreamId min = new StreamId(r.nextInt((int) ms + 1), r.nextInt(5));
                    s.trim(StreamValue.TrimStrategy.MINID, 0, min, false, 0);
                    model.headMap(min, false).clear();
                } else {
                    StreamId x = new StreamId(r.nextInt((int) ms + 2), r.nextInt(5));
                    StreamId y = new StreamId(r.nextInt((int) ms + 2), r.nextInt(5));
                    boolean rev = r.nextBoolean();
                    List<StreamId> got = new ArrayList<>();
                    StreamIterator it = s.iterator(x, y, rev);
                    while (it.next()) {
                        got.add(it.id());
                        assertThat(it.fieldsAndValues()).as(where).isDeepEqualTo(model.get(it.id()));
                    }
                    List<StreamId> want = new ArrayList<>(x.compareTo(y) <= 0 ? model.subMap(x, true, y, true).keySet() : List.of());
                    if (rev) {
                        java.util.Collections.reverse(want);
                    }
                    assertThat(got).as(where + " range " + x + " " + y + (rev ? " rev" : "")).isEqualTo(want);
                }
                assertThat(s.length()).as(where).isEqualTo(model.size());
                assertThat(s.bytes()).as(where + " bytes").isEqualTo(recount(s));
                checkNodes(s);
                if (!model.isEmpty()) {
                    assertThat(s.lastValidId()).as(where).isEqualTo(model.lastKey());
                }
            }
        }
    }

    private static StreamId pick(Random r, TreeMap<StreamId, byte[][]> model) {
        List<StreamId> keys = new ArrayList<>(model.keySet());
        return keys.get(r.nextInt(keys.size()));
    }

    /** Fields and values as XADD gets them: often the master's fields, numbers, empty and long strings. */
    private static byte[][] randomFields(Random r) {
        int n = 1 + r.nextInt(3);
        byte[][] fv = new byte[2 * n][];
        for (int i = 0; i < n; i++) {
            fv[2 * i] = r.nextInt(4) == 0 ? b("f" + r.nextInt(5)) : b("field" + i);
            fv[2 * i + 1] = switch (r.nextInt(6)) {
                case 0 -> b(Long.toString(r.nextLong()));
                case 1 -> b(Integer.toString(r.nextInt(300) - 150));
                case 2 -> new byte[0];
                case 3 -> b("x".repeat(r.nextInt(5000)));
                case 4 -> b("0" + r.nextInt(10));
                default -> b("v" + r.nextInt(100));
            };
        }
        return fv;
    }

    @Test
    void listpackIntegersFollowRedissRule() {
        Random r = new Random(1);
        List<String> texts = new ArrayList<>(List.of("0", "-0", "00", "01", "1", "-1", "127", "128", "-4096", "-4097", "4095", "4096",
                "32767", "-32768", "32768", "8388607", "-8388608", "2147483647", "-2147483648", "2147483648",
                "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
                "18446744073709551615", "+1", " 1", "1 ", "", "-", "1e3", "12345678901234567890"));
        for (int i = 0; i < 20_000; i++) {
            texts.add(Long.toString(r.nextLong() >> r.nextInt(64)));
        }
        for (String text : texts) {
            byte[] s = b(text);
            boolean expected = isInt64Canonical(text);
            assertThat(Listpacks.isCanonicalLong(s, 0, s.length)).as("'%s'", text).isEqualTo(expected);
            byte[] lp = new byte[64];
            int end = Listpacks.write(lp, 0, s);
            assertThat(end).as("size of '%s'", text).isEqualTo(Listpacks.sizeOf(s));
            assertThat(Listpacks.isInteger(lp, 0)).as("'%s' stored as an integer", text).isEqualTo(expected);
            assertThat(Listpacks.bytes(lp, 0)).as("'%s' read back", text).isEqualTo(s);
            assertThat(Listpacks.elementSize(lp, 0)).isEqualTo(end);
        }
        // strings at each length encoding's edge
        for (int len : new int[] {0, 63, 64, 4095, 4096, 70_000}) {
            byte[] s = b("s".repeat(len));
            byte[] lp = new byte[len + 16];
            int end = Listpacks.write(lp, 0, s);
            assertThat(end).isEqualTo(Listpacks.sizeOf(s));
            assertThat(Listpacks.bytes(lp, 0)).isEqualTo(s);
        }
    }

    /** lpStringToInt64 restated: decimal digits, an optional '-', no leading zero but "0", within 64 bits. */
    private static boolean isInt64Canonical(String text) {
        if (!text.matches("-?(0|[1-9][0-9]*)") || text.equals("-0") || text.length() > 20) {
            return false;
        }
        BigInteger v = new BigInteger(text);
        return v.bitLength() < 64;
    }

    @Test
    void theIndexIsASortedMap() {
        Random r = new Random(3);
        IdIndex<Long> index = new IdIndex<>();
        TreeMap<StreamId, Long> model = new TreeMap<>(ORDER);
        for (int i = 0; i < 200_000; i++) {
            long ms = r.nextInt(3) == 0 ? -1L - r.nextInt(50) : r.nextInt(2000);
            long seq = r.nextInt(40);
            StreamId id = new StreamId(ms, seq);
            if (r.nextInt(3) > 0 || i < 1000) {
                assertThat(index.put(ms, seq, (long) i)).isEqualTo(model.put(id, (long) i));
            } else {
                assertThat(index.remove(ms, seq)).isEqualTo(model.remove(id));
            }
            if (i % 997 == 0) {
                assertThat(index.size()).isEqualTo(model.size());
                StreamId probe = new StreamId(r.nextInt(2100), r.nextInt(40));
                IdIndex<Long>.Cursor f = index.floor(probe.ms(), probe.seq());
                Map.Entry<StreamId, Long> wantFloor = model.floorEntry(probe);
                assertThat(f.valid()).isEqualTo(wantFloor != null);
                if (wantFloor != null) {
                    assertThat(new StreamId(f.ms(), f.seq())).isEqualTo(wantFloor.getKey());
                }
                IdIndex<Long>.Cursor c = index.ceiling(probe.ms(), probe.seq());
                List<StreamId> walked = new ArrayList<>();
                for (int k = 0; k < 50 && c.valid(); k++, c.next()) {
                    walked.add(new StreamId(c.ms(), c.seq()));
                }
                assertThat(walked).isEqualTo(model.tailMap(probe, true).keySet().stream().limit(50).toList());
            }
        }
        List<StreamId> all = new ArrayList<>();
        for (IdIndex<Long>.Cursor c = index.last(); c.valid(); c.previous()) {
            all.add(new StreamId(c.ms(), c.seq()));
        }
        java.util.Collections.reverse(all);
        assertThat(all).isEqualTo(new ArrayList<>(model.keySet()));
        // removing through a cursor walks on
        IdIndex<Long>.Cursor c = index.first();
        while (c.valid()) {
            c.remove();
        }
        assertThat(index.size()).isZero();
        assertThat(index.bytes()).as("an emptied index gives its leaves back").isLessThan(200);
    }

    @Test
    void aMillionPendingEntriesCostWhatTheFigureSaysAndComeBackWhenAcknowledged() {
        StreamValue s = new StreamValue();
        long empty = s.bytes();
        StreamGroup g = s.createGroup(b("g"), StreamId.MIN, 0);
        StreamConsumer[] consumers = {g.createConsumer(b("a"), 0), g.createConsumer(b("b"), 0)};
        for (int i = 1; i <= 1_000_000; i++) {
            g.deliver(i, 0, consumers[i % 2], i);
        }
        long full = s.bytes();
        assertThat(full).isEqualTo(recount(s));
        long perEntry = (full - empty) / 1_000_000;
        System.out.println("bytes per pending entry: " + perEntry);
        assertThat(perEntry).as("group and consumer slots and the shared NACK").isBetween(60L, 130L);
        Random r = new Random(5);
        // every id once, in a random order: a shuffle (a million distinct draws boxed through a set cost seconds)
        int[] order = new int[1_000_000];
        for (int i = 0; i < order.length; i++) {
            order[i] = i + 1;
        }
        for (int i = order.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        int missing = 0;
        for (int i : order) {
            if (!g.removePending(i, 0)) {
                missing++;
            }
        }
        assertThat(missing).as("pending entries not found when acknowledged").isZero();
        assertThat(g.pendingCount()).isZero();
        assertThat(s.bytes()).isEqualTo(recount(s));
        assertThat(s.bytes() - empty).as("what the emptied group keeps").isLessThan(2_000);
    }

    @Test
    void aCopySharesNothing() {
        StreamValue s = new StreamValue();
        StreamValue.Limits limits = new StreamValue.Limits(3, 0);
        for (int i = 1; i <= 10; i++) {
            s.append(new StreamId(i, 0), true, new byte[][] {b("f"), b("v" + i)}, 0, 1, limits, 0);
        }
        StreamGroup g = s.createGroup(b("g"), StreamId.MIN, 0);
        StreamConsumer a = g.createConsumer(b("a"), 5);
        g.deliver(1, 0, a, 7);
        StreamValue copy = s.copy();
        assertThat(copy.bytes()).isEqualTo(recount(copy));
        copy.append(new StreamId(11, 0), true, new byte[][] {b("f"), b("v")}, 0, 1, limits, 0);
        copy.delete(2, 0);
        copy.group(b("g")).removePending(1, 0);
        copy.group(b("g")).createConsumer(b("z"), 0);
        assertThat(s.length()).isEqualTo(10);
        assertThat(s.contains(2, 0)).isTrue();
        assertThat(s.group(b("g")).pendingCount()).isEqualTo(1);
        assertThat(s.group(b("g")).consumerCount()).isEqualTo(1);
        assertThat(s.bytes()).isEqualTo(recount(s));
        StreamNack nack = copy.group(b("g")).pendingEntry(1, 0);
        assertThat(nack).isNull();
        StreamGroup.PendingCursor first = s.group(b("g")).firstPending();
        assertThat(new long[] {first.ms(), first.seq(), first.nack().deliveryTime(), first.nack().deliveryCount()}).containsExactly(1, 0, 7, 1);
    }

    @Test
    void nodesFromOutsideAreCheckedAsRedisChecksThem() {
        StreamValue s = new StreamValue();
        s.append(new StreamId(5, 0), true, new byte[][] {b("f"), b("v")}, 0, 1, StreamValue.Limits.DEFAULT, 0);
        byte[] good = s.nodeBytes().get(0).listpack();
        StreamNode.check(good, 5, 0);
        byte[] torn = Arrays.copyOf(good, good.length - 1);
        assertThatThrownBy(() -> StreamNode.check(torn, 5, 0)).isInstanceOf(IllegalArgumentException.class);
        // every byte changed in turn: accepted or refused, never an exception of another kind or a read outside
        for (int i = 0; i < good.length; i++) {
            for (int v : new int[] {0, 1, 0x7F, 0x80, 0xC0, 0xE0, 0xF0, 0xF4, 0xFF}) {
                byte[] bad = good.clone();
                bad[i] = (byte) v;
                try {
                    StreamNode.check(bad, 5, 0);
                } catch (IllegalArgumentException refused) {
                    // fine
                }
            }
        }
    }
}
