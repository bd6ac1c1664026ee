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
 * {@link ZTree} against a plain model (a TreeSet ordered as Redis orders a sorted set, plus a map),
 * with random inserts, removals, score moves and rank-range removals, at the smallest capacities
 * (so splits, merges, redistributions and root changes happen every few operations, several levels
 * deep) and at the default ones. After every batch the tree's own invariants are checked
 * ({@link ZTree#check}: counts, exact separators, minimum fill, leaf links, no stale references)
 * and every read is compared with the model.
 */
class ZTreeTest {

    private record E(String member, double score) {
    }

    private static final Comparator<E> ORDER = (x, y) -> x.score < y.score ? -1 : x.score > y.score ? 1
            : Arrays.compareUnsigned(b(x.member), b(y.member));

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final class Model {
        final TreeSet<E> order = new TreeSet<>(ORDER);
        final Map<String, Double> scores = new HashMap<>();

        void put(String m, double s) {
            Double old = scores.put(m, s);
            if (old != null) {
                order.remove(new E(m, old));
            }
            order.add(new E(m, s));
        }

        void remove(String m) {
            Double old = scores.remove(m);
            if (old != null) {
                order.remove(new E(m, old));
            }
        }
    }

    private static List<E> all(ZTree t) {
        List<E> out = new ArrayList<>();
        t.visit(0, t.size() - 1, false, (m, s) -> out.add(new E(new String(m, StandardCharsets.UTF_8), s)));
        return out;
    }

    private static void run(int leafCapacity, int branchCapacity, int members, int steps, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ZTree t = new ZTree(leafCapacity, branchCapacity);
        long emptyBytes = t.bytes();
        Model model = new Model();
        for (int step = 0; step < steps; step++) {
            String m = "m" + r.nextInt(members);
            double s = r.nextInt(40) / 4.0 - 5; // many ties: the member decides
            if (r.nextInt(50) == 0) {
                s = r.nextBoolean() ? -0.0 : 0.0;
            }
            int op = r.nextInt(100);
            double current = t.score(b(m));
            assertThat(current).isEqualTo(model.scores.getOrDefault(m, Double.NaN));
            if (op < 55) {
                if (Double.isNaN(current)) {
                    t.insert(b(m), s);
                } else if (s != current) {
                    t.update(b(m), current, s);
                } else {
                    continue;
                }
                model.put(m, s);
            } else if (op < 85) {
                assertThat(t.remove(b(m))).isEqualTo(model.scores.containsKey(m));
                model.remove(m);
            } else if (op < 88 && t.size() > 0) {
                int from = r.nextInt(t.size());
                int to = Math.min(t.size() - 1, from + r.nextInt(op == 85 ? 3 * leafCapacity : 4));
                List<E> expected = new ArrayList<>(model.order);
                t.removeRange(from, to);
                for (int i = from; i <= to; i++) {
                    model.remove(expected.get(i).member);
                }
            } else if (op < 89 && t.size() > 0 && r.nextInt(20) == 0) {
                t.removeRange(0, t.size() - 1); // all at once
                model.order.clear();
                model.scores.clear();
            }
            if (step % 97 == 0) {
                t.check();
                compare(t, model, r);
            }
        }
        t.check();
        compare(t, model, r);
        t.removeRange(0, t.size() - 1);
        t.check();
        assertThat(t.size()).isZero();
        assertThat(t.bytes()).as("emptied: back to the empty tree's figure").isEqualTo(emptyBytes);
    }

    private static void compare(ZTree t, Model model, SplittableRandom r) {
        List<E> expected = new ArrayList<>(model.order);
        assertThat(t.size()).isEqualTo(expected.size());
        assertThat(all(t)).isEqualTo(expected);
        if (expected.isEmpty()) {
            return;
        }
        List<E> reversed = new ArrayList<>();
        t.visit(0, t.size() - 1, true, (m, s) -> reversed.add(new E(new String(m, StandardCharsets.UTF_8), s)));
        java.util.Collections.reverse(reversed);
        assertThat(reversed).isEqualTo(expected);
        for (int k = 0; k < 10; k++) {
            int i = r.nextInt(expected.size());
            assertThat(t.rank(b(expected.get(i).member))).isEqualTo(i);
            int j = Math.min(expected.size() - 1, i + r.nextInt(5));
            List<E> window = new ArrayList<>();
            t.visit(i, j, false, (m, s) -> window.add(new E(new String(m, StandardCharsets.UTF_8), s)));
            assertThat(window).isEqualTo(expected.subList(i, j + 1));
            double bound = r.nextInt(40) / 4.0 - 5;
            long below = expected.stream().filter(e -> e.score < bound).count();
            long atMost = expected.stream().filter(e -> e.score <= bound).count();
            assertThat(t.countWhile((m, s) -> s < bound)).isEqualTo(below);
            assertThat(t.countWhile((m, s) -> s <= bound)).isEqualTo(atMost);
            E pivot = expected.get(i);
            assertThat(t.countWhile((m, s) -> ORDER.compare(new E(new String(m, StandardCharsets.UTF_8), s), pivot) < 0)).isEqualTo(i);
        }
        assertThat(t.rank(b("absent"))).isEqualTo(-1);
    }

    @Test
    void smallestCapacitiesAgreeWithTheModel() {
        run(4, 4, 300, 60_000, 1);
    }

    @Test
    void smallCapacitiesWithManyMembersAgreeWithTheModel() {
        run(4, 5, 3_000, 60_000, 2);
        run(8, 4, 1_000, 40_000, 3);
    }

    @Test
    void defaultCapacitiesAgreeWithTheModel() {
        run(ZTree.LEAF_CAPACITY, ZTree.BRANCH_CAPACITY, 20_000, 100_000, 4);
    }

    @Test
    void ascendingAndDescendingLoadsKeepTheTreeValidAndLeavesFull() {
        ZTree up = new ZTree();
        ZTree down = new ZTree();
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            up.insert(b("a" + i), i);
            down.insert(b("d" + i), -i);
        }
        up.check();
        down.check();
        assertThat(up.rank(b("a77777"))).isEqualTo(77_777);
        assertThat(down.rank(b("d77777"))).isEqualTo(n - 1 - 77_777);
        // appends at the end fill leaves, so an ascending load costs no more than a random one
        assertThat(up.bytes()).isLessThan(down.bytes());
        for (int i = 0; i < n; i += 2) {
            assertThat(up.remove(b("a" + i))).isTrue();
        }
        up.check();
        assertThat(up.size()).isEqualTo(n / 2);
        up.removeRange(10, n / 2 - 11);
        up.check();
        assertThat(up.size()).isEqualTo(20);
    }

    @Test
    void aRemovedMemberIsNotKeptAliveByASeparator() {
        // the first member of every leaf is a separator somewhere above; remove each leaf's first
        ZTree t = new ZTree(4, 4);
        for (int i = 0; i < 1_000; i++) {
            t.insert(b(String.format("k%05d", i)), i);
        }
        for (int i = 0; i < 1_000; i += 3) {
            t.remove(b(String.format("k%05d", i)));
            if (i % 30 == 0) {
                t.check(); // check() fails on a separator that is not its subtree's first entry (by identity)
            }
        }
        t.check();
    }
}
