package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.percore.demo.kv.HashValue.Limits;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link HashValue}'s two representations: random operations against a LinkedHashMap (order
 * included, through the listpack, the conversion and the table), the conversions at Redis's
 * thresholds and at the hard bounds, and the memory figure.
 */
class HashValueTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static List<String> strings(List<byte[]> items) {
        return items.stream().map(HashValueTest::s).toList();
    }

    private static void sameAs(HashValue h, Map<String, String> model) {
        assertThat(h.size()).isEqualTo(model.size());
        List<String> entries = new ArrayList<>();
        model.forEach((k, v) -> {
            entries.add(k);
            entries.add(v);
        });
        assertThat(strings(h.entries())).isEqualTo(entries);
        assertThat(strings(h.keys())).isEqualTo(new ArrayList<>(model.keySet()));
        assertThat(strings(h.values())).isEqualTo(new ArrayList<>(model.values()));
        model.forEach((k, v) -> {
            assertThat(s(h.get(b(k)))).isEqualTo(v);
            assertThat(h.contains(b(k))).isTrue();
        });
        assertThat(h.get(b("absent"))).isNull();
        assertThat(h.contains(b("absent"))).isFalse();
    }

    /** Field or value texts of all lengths around the thresholds and the one-byte length limit (127/128). */
    private static String text(SplittableRandom r, int maxLength) {
        int n = r.nextInt(150) == 0 ? r.nextInt(maxLength + 1) : r.nextInt(12);
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append((char) r.nextInt(256)); // any byte, zero and 0x80.. included
        }
        return out.toString();
    }

    @Test
    void randomOperationsAgreeWithALinkedHashMapThroughTheConversion() {
        for (Limits limits : List.of(Limits.DEFAULT, new Limits(16, 200), new Limits(1_000_000, 1_000_000), new Limits(0, 0))) {
            int listpackSteps = 0;
            for (long seed = 1; seed <= 20; seed++) {
                SplittableRandom r = new SplittableRandom(seed);
                HashValue h = new HashValue();
                LinkedHashMap<String, String> model = new LinkedHashMap<>();
                for (int step = 0; step < 600; step++) {
                    String field = r.nextInt(3) == 0 ? text(r, 200) : "f" + r.nextInt(150);
                    int op = r.nextInt(10);
                    if (op < 7) {
                        String value = text(r, 300);
                        boolean added = h.put(b(field), b(value), limits);
                        assertThat(added).isEqualTo(!model.containsKey(field));
                        model.put(field, value); // a LinkedHashMap keeps an overwritten field in place, as a listpack does
                    } else {
                        assertThat(h.remove(b(field))).isEqualTo(model.remove(field) != null);
                    }
                    if (h.encoding().equals("listpack")) {
                        listpackSteps++;
                        assertThat((long) h.size()).isLessThanOrEqualTo(Math.min(limits.maxEntries(), Limits.HARD_MAX_ENTRIES));
                        for (byte[] item : h.entries()) {
                            assertThat((long) item.length).isLessThanOrEqualTo(limits.maxValue());
                        }
                    }
                    if (step % 13 == 0) {
                        sameAs(h, model);
                    }
                }
                sameAs(h, model);
            }
            assertThat(listpackSteps).as("%s: steps on a listpack", limits).isGreaterThan(limits.maxEntries() == 0 ? -1 : 200);
        }
    }

    @Test
    void aListpackBecomesATableAtRedissThresholdsAndNeverBack() {
        HashValue h = new HashValue();
        assertThat(h.encoding()).isEqualTo("listpack");
        for (int i = 0; i < 128; i++) {
            h.put(b("f" + i), b("v"), Limits.DEFAULT);
        }
        assertThat(h.encoding()).as("128 fields").isEqualTo("listpack");
        h.put(b("f0"), b("x".repeat(64)), Limits.DEFAULT);
        assertThat(h.encoding()).as("a 64-byte value").isEqualTo("listpack");
        h.put(b("f128"), b("v"), Limits.DEFAULT);
        assertThat(h.encoding()).as("the 129th field").isEqualTo("hashtable");
        assertThat(s(h.keys().get(0))).as("order kept through the conversion").isEqualTo("f0");
        assertThat(s(h.keys().get(128))).isEqualTo("f128");
        for (int i = 0; i <= 128; i++) {
            h.remove(b("f" + i));
        }
        h.put(b("a"), b("1"), Limits.DEFAULT);
        assertThat(h.encoding()).as("never back, as in Redis").isEqualTo("hashtable");

        HashValue longValue = new HashValue();
        longValue.put(b("a"), b("1"), Limits.DEFAULT);
        longValue.put(b("a"), b("x".repeat(65)), Limits.DEFAULT);
        assertThat(longValue.encoding()).as("a value replaced by one over hash-max-listpack-value").isEqualTo("hashtable");
        assertThat(s(longValue.get(b("a")))).isEqualTo("x".repeat(65));

        HashValue longField = new HashValue();
        longField.put(b("y".repeat(65)), b("1"), Limits.DEFAULT);
        assertThat(longField.encoding()).as("a field over hash-max-listpack-value").isEqualTo("hashtable");

        HashValue none = new HashValue();
        none.put(b("a"), b("1"), new Limits(0, 64));
        assertThat(none.encoding()).as("hash-max-listpack-entries 0").isEqualTo("hashtable");
    }

    @Test
    void aHugeConfigurationStillBoundsTheListpack() {
        Limits huge = new Limits(Long.MAX_VALUE, Long.MAX_VALUE);
        HashValue many = new HashValue();
        for (int i = 0; i < Limits.HARD_MAX_ENTRIES; i++) {
            many.put(b("f" + i), b("v"), huge);
        }
        assertThat(many.encoding()).isEqualTo("listpack");
        many.put(b("one more"), b("v"), huge);
        assertThat(many.encoding()).as("past HARD_MAX_ENTRIES fields").isEqualTo("hashtable");

        HashValue big = new HashValue();
        int i = 0;
        while (big.encoding().equals("listpack")) {
            big.put(b("f" + i++), b("x".repeat(1000)), huge);
            assertThat(i).isLessThan(100);
        }
        assertThat(i).as("1,000-byte values: about 64 KB of listpack").isBetween(60, 70);
        assertThat(big.size()).isEqualTo(i);
    }

    @Test
    void theMemoryFigure() {
        HashValue compact = new HashValue();
        HashValue table = new HashValue();
        long empty = compact.bytes();
        for (int i = 0; i < 10; i++) {
            compact.put(b("field:" + i), b("0123456789"), Limits.DEFAULT);
            table.put(b("field:" + i), b("0123456789"), new Limits(0, 0));
        }
        // 10 x (1 + 7 + 1 + 10) bytes in one array, against a node, a wrapper and two arrays per field
        assertThat(compact.bytes()).isEqualTo(empty + ((16 + 190 + 7) & ~7) - 16);
        assertThat(compact.bytes()).isLessThan(table.bytes() / 4);
        // a long value's length takes two bytes
        HashValue two = new HashValue();
        two.put(b("f"), b("x".repeat(200)), new Limits(128, 1000));
        assertThat(two.bytes()).isEqualTo(empty - 16 + ((16 + 1 + 1 + 2 + 200 + 7) & ~7));
        assertThat(s(two.get(b("f")))).isEqualTo("x".repeat(200));
        for (int i = 0; i < 10; i++) {
            compact.remove(b("field:" + i));
        }
        assertThat(compact.bytes()).as("emptied").isEqualTo(empty);
    }
}
