package io.percore.engine.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuSetTest {

    @Test
    void parsesRangesAndSingles() {
        CpuSet set = CpuSet.parse("0-3,8,10-11");
        assertThat(set.toArray()).containsExactly(0, 1, 2, 3, 8, 10, 11);
        assertThat(set.size()).isEqualTo(7);
        assertThat(set.contains(8)).isTrue();
        assertThat(set.contains(9)).isFalse();
        assertThat(set.first()).isZero();
        assertThat(set).hasToString("0-3,8,10-11");
    }

    @Test
    void toleratesWhitespaceNewlinesAndOverlaps() {
        assertThat(CpuSet.parse(" 0 - 2 ,\t5\n")).isEqualTo(CpuSet.of(0, 1, 2, 5));
        assertThat(CpuSet.parse("4-7,5,6-9")).hasToString("4-9");
        assertThat(CpuSet.parse("3,1,2")).hasToString("1-3");
    }

    @Test
    void emptyAndBlankAreTheEmptySet() {
        assertThat(CpuSet.parse("").isEmpty()).isTrue();
        assertThat(CpuSet.parse(" \n").isEmpty()).isTrue();
        assertThat(CpuSet.of()).hasToString("");
        assertThat(CpuSet.empty().size()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "0-3,,5     | empty entry between commas",
            "a-3        | 'a' is not a CPU number",
            "3-1        | range '3-1' ends before it starts",
            "1-         | missing CPU number",
            "-1         | missing CPU number",
            "0x3        | '0x3' is not a CPU number",
            "1-2-3      | '2-3' is not a CPU number",
            "99999999   | above the maximum CPU id",
            "0-70000    | above the maximum CPU id",
    })
    void rejectsMalformedListsNamingTheText(String list, String why) {
        assertThatThrownBy(() -> CpuSet.parse(list))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid CPU list '" + list.strip() + "'")
                .hasMessageContaining(why);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, CpuSet.MAX_CPU_ID + 1})
    void ofRejectsIdsOutOfRange(int id) {
        assertThatThrownBy(() -> CpuSet.of(id)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(String.valueOf(id));
    }

    @Test
    void setOperations() {
        CpuSet a = CpuSet.parse("0-7");
        CpuSet b = CpuSet.parse("4-11");
        assertThat(a.intersect(b)).hasToString("4-7");
        assertThat(a.minus(b)).hasToString("0-3");
        assertThat(a.union(b)).hasToString("0-11");
        assertThat(a.containsAll(CpuSet.of(1, 7))).isTrue();
        assertThat(a.containsAll(CpuSet.of(1, 8))).isFalse();
        assertThat(CpuSet.of(2, 2, 0).stream().toArray()).containsExactly(0, 2);
    }

    @Test
    void bitSetConversionAndDefensiveCopies() {
        CpuSet set = CpuSet.parse("1,3,64");
        BitSet bits = set.toBitSet();
        assertThat(bits.stream().toArray()).containsExactly(1, 3, 64);
        bits.set(5);
        int[] array = set.toArray();
        array[0] = 42;
        assertThat(set).hasToString("1,3,64");
        assertThat(CpuSet.fromBitSet(bits)).hasToString("1,3,5,64");
    }

    @Test
    void randomListsRoundTripThroughToStringAndParse() {
        Random random = new Random(20240607);
        for (int round = 0; round < 2_000; round++) {
            BitSet bits = new BitSet();
            int max = 1 + random.nextInt(300);
            double density = random.nextDouble();
            for (int cpu = 0; cpu < max; cpu++) {
                if (random.nextDouble() < density) {
                    bits.set(cpu);
                }
            }
            CpuSet set = CpuSet.fromBitSet(bits);
            String text = set.toString();
            assertThat(CpuSet.parse(text)).isEqualTo(set);
            assertThat(CpuSet.parse(text).toBitSet()).isEqualTo(bits);
            assertThat(set.size()).isEqualTo(bits.cardinality());
            assertThat(text.split(",").length).isLessThanOrEqualTo(Math.max(1, set.size()));
            assertCompact(set, text);
        }
    }

    /** Each range in the text ends at a CPU whose successor is not in the set. */
    private static void assertCompact(CpuSet set, String text) {
        if (text.isEmpty()) {
            return;
        }
        for (String part : text.split(",")) {
            String[] bounds = part.split("-");
            int end = Integer.parseInt(bounds[bounds.length - 1]);
            int start = Integer.parseInt(bounds[0]);
            assertThat(set.contains(end + 1)).as("%s in %s", part, text).isFalse();
            assertThat(set.contains(start - 1)).as("%s in %s", part, text).isFalse();
            if (bounds.length == 2) {
                assertThat(end).isGreaterThan(start);
            }
        }
    }
}
