package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

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

/**
 * {@link ZListpack} against a plain model, with scores of both widths side by side (a {@code float} exactly: 4 bytes;
 * any other double: 8) and members long enough for a two-byte length, so every walk over the array crosses entries of
 * each form.
 */
class ZListpackTest {

    private record E(String member, double score) {
    }

    private static final Comparator<E> ORDER = (x, y) -> x.score < y.score ? -1 : x.score > y.score ? 1
            : Arrays.compareUnsigned(b(x.member), b(y.member));

    /** Scores of every kind: float-exact ones, ones only a double holds, the infinities, both zeros. */
    private static final double[] SCORES = {1.5, -2.25, 0.0, -0.0, 3, 16_777_216, 16_777_217, 0.1, -1e300, 1e-300,
            Math.PI, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Float.MAX_VALUE, Double.MAX_VALUE, 1e10, 7.0000001};

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aScoreAFloatHoldsExactlyTakesFourBytesAndAnyOtherEight() {
        ZListpack halves = new ZListpack();
        halves.insert(b("a"), 1.5);
        assertThat(halves.payload()).as("length, member, float").isEqualTo(1 + 1 + 4);
        ZListpack tenth = new ZListpack();
        tenth.insert(b("a"), 0.1);
        assertThat(tenth.payload()).as("length, member, double").isEqualTo(1 + 1 + 8);
        assertThat(tenth.score(b("a"))).isEqualTo(0.1);
        ZListpack big = new ZListpack();
        big.insert(b("a"), 16_777_217);
        assertThat(big.score(b("a"))).as("2^24 + 1 is no float: kept whole").isEqualTo(16_777_217.0);
    }

    @Test
    void randomChangesAgreeWithTheModel() {
        SplittableRandom r = new SplittableRandom(79);
        ZListpack lp = new ZListpack();
        TreeSet<E> order = new TreeSet<>(ORDER);
        Map<String, Double> scores = new HashMap<>();
        for (int step = 0; step < 20_000; step++) {
            String m = "m".repeat(r.nextInt(4) == 0 ? 70 : 1) + r.nextInt(60);
            double s = r.nextBoolean() ? SCORES[r.nextInt(SCORES.length)] : r.nextInt(-1000, 1000) / 8.0 + r.nextDouble() * r.nextInt(2);
            double stored = s == 0 ? 0.0 : s;
            Double old = scores.get(m);
            assertThat(Double.valueOf(lp.score(b(m)))).isEqualTo(old == null ? Double.valueOf(Double.NaN) : old);
            if (r.nextInt(10) < 6) {
                if (old == null) {
                    lp.insert(b(m), s);
                } else {
                    lp.update(b(m), old, s);
                    order.remove(new E(m, old));
                }
                scores.put(m, stored);
                order.add(new E(m, stored));
            } else if (r.nextInt(10) < 9) {
                assertThat(lp.remove(b(m))).isEqualTo(old != null);
                if (old != null) {
                    scores.remove(m);
                    order.remove(new E(m, old));
                }
            } else if (lp.size() > 0) {
                int from = r.nextInt(lp.size());
                int to = Math.min(lp.size() - 1, from + r.nextInt(4));
                List<E> expected = new ArrayList<>(order);
                lp.removeRange(from, to);
                for (int i = from; i <= to; i++) {
                    order.remove(expected.get(i));
                    scores.remove(expected.get(i).member);
                }
            }
            if (step % 50 == 0) {
                compare(lp, order);
            }
        }
        compare(lp, order);
    }

    private static void compare(ZListpack lp, TreeSet<E> order) {
        List<E> expected = new ArrayList<>(order);
        assertThat(lp.size()).isEqualTo(expected.size());
        List<E> walked = new ArrayList<>();
        if (!expected.isEmpty()) {
            lp.visit(0, lp.size() - 1, false, (m, s) -> walked.add(new E(new String(m, StandardCharsets.UTF_8), s)));
        }
        assertThat(walked).isEqualTo(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertThat(lp.rank(b(expected.get(i).member))).isEqualTo(i);
            assertThat(Double.doubleToRawLongBits(lp.score(b(expected.get(i).member))))
                    .as("the score as given, bit for bit (a zero as +0)").isEqualTo(Double.doubleToRawLongBits(expected.get(i).score));
        }
        long payload = 0;
        for (E e : expected) {
            int length = b(e.member).length * 2 + 1;
            payload += HashListpack.lengthBytes(length) + b(e.member).length + ((double) (float) e.score == e.score ? 4 : 8);
        }
        assertThat(lp.payload()).isEqualTo(payload);
        assertThat(lp.bytes()).isEqualTo(ZListpack.BASE + ((16 + payload + 7) & ~7L));
    }
}
