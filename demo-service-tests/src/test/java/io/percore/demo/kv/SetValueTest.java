package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.kv.SetValue.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link SetValue}'s two representations: random operations against a HashSet (an intset lists its
 * members ascending, as Redis), the conversions (a member that is not an integer, one member too
 * many, the hard bound), the intset's widths, Redis's notion of an integer member, and the memory
 * figure.
 */
class SetValueTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<String> strings(List<byte[]> items) {
        return items.stream().map(x -> new String(x, StandardCharsets.ISO_8859_1)).toList();
    }

    /** Integers of every width, near the width boundaries and at the ends of long, and a few non-integers. */
    private static String member(SplittableRandom r, boolean integersOnly) {
        int kind = r.nextInt(integersOnly ? 6 : 7);
        return switch (kind) {
            case 0 -> Long.toString(r.nextInt(200) - 100);
            case 1 -> Long.toString(Short.MAX_VALUE + r.nextInt(5) - 2);
            case 2 -> Long.toString(Short.MIN_VALUE + r.nextInt(5) - 2);
            case 3 -> Long.toString((long) Integer.MAX_VALUE + r.nextInt(5) - 2);
            case 4 -> Long.toString(r.nextBoolean() ? Long.MAX_VALUE - r.nextInt(3) : Long.MIN_VALUE + r.nextInt(3));
            case 5 -> Long.toString(r.nextLong() >> r.nextInt(64));
            default -> List.of("a", "01", "-0", "+1", " 1", "1 ", "9223372036854775808", "-9223372036854775809", "1.5", "")
                    .get(r.nextInt(10));
        };
    }

    @Test
    void randomOperationsAgreeWithAHashSetThroughTheConversion() {
        for (Limits limits : List.of(Limits.DEFAULT, new Limits(20), new Limits(0))) {
            int intsetSteps = 0;
            for (long seed = 1; seed <= 10; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                SetValue s = new SetValue();
                long empty = s.bytes();
                Set<String> model = new HashSet<>();
                boolean integersOnly = seed % 2 == 0;
                for (int step = 0; step < 2_000; step++) {
                    String m = member(r, integersOnly);
                    if (r.nextInt(10) < 6) {
                        assertThat(s.add(b(m), limits)).as("add %s", m).isEqualTo(model.add(m));
                    } else {
                        assertThat(s.remove(b(m))).as("remove %s", m).isEqualTo(model.remove(m));
                    }
                    assertThat(s.contains(b(m))).isEqualTo(model.contains(m));
                    assertThat(s.size()).isEqualTo(model.size());
                    if (s.encoding().equals("intset")) {
                        intsetSteps++;
                        assertThat((long) s.size()).isLessThanOrEqualTo(limits.maxIntsetEntries());
                    }
                    if (step % 17 == 0) {
                        List<String> members = strings(s.members());
                        assertThat(new HashSet<>(members)).isEqualTo(model);
                        assertThat(members).hasSize(model.size());
                        if (s.encoding().equals("intset")) {
                            List<Long> values = members.stream().map(Long::parseLong).toList();
                            assertThat(values).as("ascending, as Redis lists an intset").isSortedAccordingTo(Long::compare);
                        }
                        if (!model.isEmpty()) {
                            assertThat(model).contains(new String(s.random(r), StandardCharsets.ISO_8859_1));
                            List<String> picks = strings(s.randomDistinct(Math.max(1, model.size() / 2), r));
                            assertThat(new HashSet<>(picks)).hasSize(picks.size());
                            assertThat(model).containsAll(picks);
                        }
                    }
                }
                if (s.encoding().equals("intset")) {
                    for (String m : new ArrayList<>(model)) {
                        s.remove(b(m));
                    }
                    assertThat(s.bytes()).as("an emptied intset").isEqualTo(empty);
                }
            }
            assertThat(intsetSteps).as("%s: steps on an intset", limits).isGreaterThan(limits.maxIntsetEntries() == 0 ? -1 : 100);
        }
    }

    /**
     * The table's open addressing under growth, removal (entries moved back into a freed slot, the
     * last member moved into the hole) and shrinking: tens of thousands of members against a HashSet,
     * every position checked, the memory figure back to the empty table's once all are gone.
     */
    @Test
    void aLargeTableGrowsShrinksAndAgreesWithAHashSet() {
        SplittableRandom r = new SplittableRandom(24);
        SetTable t = new SetTable(0);
        long empty = t.bytes();
        Set<String> model = new HashSet<>();
        for (int phase = 0; phase < 4; phase++) {
            int range = phase % 2 == 0 ? 40_000 : 3_000;
            boolean growing = phase % 2 == 0;
            for (int step = 0; step < 60_000; step++) {
                String m = "m" + r.nextInt(range);
                if (r.nextInt(10) < (growing ? 7 : 2)) {
                    assertThat(t.add(b(m))).as("add %s", m).isEqualTo(model.add(m));
                } else {
                    assertThat(t.remove(b(m))).as("remove %s", m).isEqualTo(model.remove(m));
                }
                assertThat(t.contains(b(m))).isEqualTo(model.contains(m));
            }
            assertThat(t.size()).isEqualTo(model.size());
            Set<String> positions = new HashSet<>();
            for (int i = 0; i < t.size(); i++) {
                positions.add(new String(t.get(i), StandardCharsets.ISO_8859_1));
            }
            assertThat(positions).isEqualTo(model);
            for (String m : model) {
                assertThat(t.contains(b(m))).as("contains %s", m).isTrue();
            }
            assertThat(t.contains(b("absent"))).isFalse();
        }
        for (String m : new ArrayList<>(model)) {
            assertThat(t.remove(b(m))).isTrue();
        }
        assertThat(t.size()).isZero();
        assertThat(t.bytes()).as("an emptied table").isEqualTo(empty);
        SetTable copy = t.copy();
        assertThat(copy.add(b("x"))).isTrue();
        assertThat(t.contains(b("x"))).as("a copy is a table of its own").isFalse();
    }

    @Test
    void anIntsetBecomesATableAtRedissThresholdsAndNeverBack() {
        SetValue s = new SetValue();
        for (int i = 0; i < 512; i++) {
            s.add(b(Integer.toString(i * 7 - 1000)), Limits.DEFAULT);
        }
        assertThat(s.encoding()).as("512 integers").isEqualTo("intset");
        s.add(b("100000"), Limits.DEFAULT);
        assertThat(s.encoding()).as("the 513th").isEqualTo("hashtable");
        assertThat(s.size()).isEqualTo(513);
        assertThat(s.contains(b("-1000"))).isTrue();
        for (int i = 0; i < 512; i++) {
            s.remove(b(Integer.toString(i * 7 - 1000)));
        }
        assertThat(s.encoding()).as("never back, as in Redis").isEqualTo("hashtable");

        SetValue mixed = new SetValue();
        mixed.add(b("1"), Limits.DEFAULT);
        mixed.add(b("2"), Limits.DEFAULT);
        assertThat(mixed.add(b("01"), Limits.DEFAULT)).as("01 is not the integer 1").isTrue();
        assertThat(mixed.encoding()).isEqualTo("hashtable");
        assertThat(strings(mixed.members())).containsExactlyInAnyOrder("1", "2", "01");

        SetValue none = new SetValue();
        none.add(b("1"), new Limits(0));
        assertThat(none.encoding()).as("set-max-intset-entries 0").isEqualTo("hashtable");

        SetValue huge = new SetValue();
        for (int i = 0; i < Limits.HARD_MAX_ENTRIES; i++) {
            huge.add(b(Integer.toString(i)), new Limits(Long.MAX_VALUE));
        }
        assertThat(huge.encoding()).isEqualTo("intset");
        huge.add(b("-1"), new Limits(Long.MAX_VALUE));
        assertThat(huge.encoding()).as("past HARD_MAX_ENTRIES whatever the configuration").isEqualTo("hashtable");
    }

    @Test
    void membersTakeTheNarrowestWidthThatHoldsThemAll() {
        SetValue s = new SetValue();
        long empty = s.bytes();
        for (int i = 0; i < 10; i++) {
            s.add(b(Integer.toString(i)), Limits.DEFAULT);
        }
        assertThat(s.bytes()).as("10 x 2 bytes").isEqualTo(empty + ((16 + 20 + 7) & ~7) - 16);
        s.add(b("70000"), Limits.DEFAULT);
        assertThat(s.bytes()).as("11 x 4 bytes").isEqualTo(empty + ((16 + 44 + 7) & ~7) - 16);
        s.add(b("-9223372036854775808"), Limits.DEFAULT);
        assertThat(s.bytes()).as("12 x 8 bytes").isEqualTo(empty + ((16 + 96 + 7) & ~7) - 16);
        assertThat(strings(s.members())).startsWith("-9223372036854775808", "0", "1").endsWith("9", "70000");

        SetValue table = new SetValue();
        for (int i = 0; i < 10; i++) {
            table.add(b(Integer.toString(i)), new Limits(0));
        }
        assertThat(s.bytes()).isLessThan(table.bytes() / 3);
    }

    @Test
    void anIntegerMemberIsWhatRedisReadsAsOne() {
        SplittableRandom r = new SplittableRandom(9);
        byte[] alphabet = b("0123456789-+ 0");
        for (int i = 0; i < 300_000; i++) {
            byte[] t = new byte[1 + r.nextInt(21)];
            for (int j = 0; j < t.length; j++) {
                t[j] = alphabet[r.nextInt(alphabet.length)];
            }
            String s = new String(t, StandardCharsets.ISO_8859_1);
            boolean canonical;
            try {
                canonical = Long.toString(Long.parseLong(s)).equals(s);
            } catch (NumberFormatException e) {
                canonical = false;
            }
            assertThat(IntSet.isInteger(t)).as("'%s'", s).isEqualTo(canonical);
            if (canonical) {
                assertThat(IntSet.parse(t)).isEqualTo(Long.parseLong(s));
            }
        }
        for (String s : new String[] {"0", "-1", "9223372036854775807", "-9223372036854775808"}) {
            assertThat(IntSet.isInteger(b(s))).as(s).isTrue();
            assertThat(IntSet.parse(b(s))).isEqualTo(Long.parseLong(s));
        }
        for (String s : new String[] {"-0", "00", "+1", "9223372036854775808", "-9223372036854775809", "", "-", "1a"}) {
            assertThat(IntSet.isInteger(b(s))).as(s).isFalse();
        }
        TreeSet<Long> sorted = new TreeSet<>();
        SetValue s = new SetValue();
        for (int i = 0; i < 400; i++) {
            long v = r.nextLong() >> r.nextInt(64);
            sorted.add(v);
            s.add(IntSet.format(v), Limits.DEFAULT);
        }
        assertThat(s.members().stream().map(x -> Long.parseLong(new String(x, StandardCharsets.US_ASCII))).toList())
                .containsExactlyElementsOf(sorted);
    }
}
