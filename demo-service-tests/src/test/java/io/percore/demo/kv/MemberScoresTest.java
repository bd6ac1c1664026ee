package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link MemberScores} against a HashMap: puts, overwrites, removals (backward shift), growth and shrinking. */
class MemberScoresTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void agreesWithAHashMapThroughGrowthAndShrinking() {
        SplittableRandom r = new SplittableRandom(11);
        MemberScores map = new MemberScores();
        long emptyBytes = map.bytes();
        Map<String, Double> model = new HashMap<>();
        for (int phase = 0; phase < 6; phase++) {
            int members = phase % 2 == 0 ? 50_000 : 40;
            // grow (even phases: many members) then shrink by removing most of them
            for (int step = 0; step < 200_000; step++) {
                String m = "member:" + r.nextInt(members);
                int op = r.nextInt(10);
                if (op < 6) {
                    double s = r.nextInt(1000) - 500.5;
                    map.put(b(m), s);
                    model.put(m, s);
                } else if (op < 9) {
                    assertThat(map.remove(b(m))).isEqualTo(model.getOrDefault(m, Double.NaN));
                    model.remove(m);
                } else {
                    assertThat(map.get(b(m))).isEqualTo(model.getOrDefault(m, Double.NaN));
                }
                assertThat(map.size()).isEqualTo(model.size());
            }
            for (Map.Entry<String, Double> e : model.entrySet()) {
                assertThat(map.get(b(e.getKey()))).isEqualTo(e.getValue());
            }
            assertThat(map.get(b("absent"))).isNaN();
        }
        for (String m : model.keySet().toArray(new String[0])) {
            map.remove(b(m));
        }
        assertThat(map.size()).isZero();
        assertThat(map.bytes()).as("shrinks back to the empty table").isEqualTo(emptyBytes);
    }

    @Test
    void aTableOfManyMembersStaysBetweenAQuarterAndThreeQuartersFull() {
        MemberScores map = new MemberScores();
        for (int i = 0; i < 100_000; i++) {
            map.put(b("m" + i), i);
        }
        long slots = (map.bytes() - new MemberScores().bytes()) / 16 + 8;
        assertThat(100_000.0 / slots).isBetween(0.375, 0.75);
        for (int i = 0; i < 99_000; i++) {
            map.remove(b("m" + i));
        }
        slots = (map.bytes() - new MemberScores().bytes()) / 16 + 8;
        assertThat(1_000.0 / slots).isGreaterThan(0.0625);
        for (int i = 99_000; i < 100_000; i++) {
            assertThat(map.get(b("m" + i))).isEqualTo(i);
        }
    }
}
