package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * A small hash, set or sorted set packed in its key's record between commands: packed, read and unpacked to be changed
 * without a field, member, score, width, TTL or access rank lost, and the budget exact through each form.
 */
class PackedValuesTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static int insert(KeyTable table, String key, ValueType type, Object value) {
        byte[] k = b(key);
        return table.insert(k, KeyTable.hash(k), type, value);
    }

    @Test
    void aSmallHashIsItsKeysRecordBetweenCommandsAndAnObjectWhileOneChangesIt() {
        KeyTable table = new KeyTable();
        HashValue hash = new HashValue();
        int id = insert(table, "hash:1", ValueType.HASH, hash);
        hash.put(b("f"), b("v"), HashValue.Limits.DEFAULT); // a command goes on changing what it stored
        assertThat(table.value(id)).as("unpacked until the command is over").isSameAs(hash);
        long unpacked = table.dataBytes(id);

        long delta = table.settle();
        assertThat(table.dataBytes(id)).as("one array: the key's length, the key, the listpack")
                .isEqualTo(HeapSizes.arrayBytes(1 + "hash:1".length() + hash.listpackOrNull().length));
        assertThat(delta).isEqualTo(table.dataBytes(id) - unpacked).isNegative();
        HashValue read = (HashValue) table.value(id);
        assertThat(read).isNotSameAs(hash);
        assertThat(read.entries()).containsExactly(b("f"), b("v"));
        read.put(b("g"), b("w"), HashValue.Limits.DEFAULT);
        assertThat(((HashValue) table.value(id)).size()).as("a value read is not the key's").isEqualTo(1);
        assertThat(table.key(id)).isEqualTo(b("hash:1"));
        assertThat(table.find(b("hash:1"), KeyTable.hash(b("hash:1")))).isEqualTo(id);

        HashValue changed = (HashValue) table.toChange(id);
        changed.put(b("g"), b("w"), HashValue.Limits.DEFAULT);
        assertThat(table.value(id)).as("unpacked to be changed: the key's own object again").isSameAs(changed);
        table.settle();
        assertThat(((HashValue) table.value(id)).entries()).containsExactly(b("f"), b("v"), b("g"), b("w"));
        assertThat(table.type(id)).isSameAs(ValueType.HASH);
    }

    @Test
    void aPackedKeyKeepsItsTtlAndAccessRankAndTakesAnyNewValue() {
        KeyTable table = new KeyTable();
        SetValue set = new SetValue();
        set.add(b("7"), SetValue.Limits.DEFAULT);
        int id = insert(table, "s", ValueType.SET, set);
        table.expiry(id, new KeyTable.Expiry(900));
        table.access(id, 12345);
        table.settle();
        assertThat(table.expireAt(id)).isEqualTo(900);
        assertThat(table.access(id)).isEqualTo(12345);
        table.toChange(id);
        assertThat(table.expireAt(id)).isEqualTo(900);
        assertThat(table.access(id)).isEqualTo(12345);
        table.settle();

        table.value(id, ValueType.STRING, b("small"));
        assertThat(table.type(id)).as("a small string in place of a packed set").isSameAs(ValueType.STRING);
        assertThat((byte[]) table.value(id)).isEqualTo(b("small"));
        assertThat(table.expireAt(id)).isEqualTo(900);

        table.value(id, ValueType.ZSET, zset(1.5, "m"));
        table.settle();
        table.value(id, ValueType.STRING, new byte[KeyTable.EMBED_MAX + 1]);
        assertThat(table.type(id)).isSameAs(ValueType.STRING);
        assertThat((byte[]) table.value(id)).hasSize(KeyTable.EMBED_MAX + 1);
        assertThat(table.key(id)).isEqualTo(b("s"));
        assertThat(table.expireAt(id)).isEqualTo(900);
    }

    @Test
    void onlyAPackedFormUnderAShortKeyOfALiveRowIsPacked() {
        KeyTable table = new KeyTable();
        HashValue big = new HashValue();
        big.put(b("f"), b("x".repeat(100)), HashValue.Limits.DEFAULT); // past the listpack's 64 bytes: a table
        int tableForm = insert(table, "big", ValueType.HASH, big);
        byte[] longKey = new byte[256];
        SetValue small = new SetValue();
        small.add(b("1"), SetValue.Limits.DEFAULT);
        int longKeyed = table.insert(longKey, KeyTable.hash(longKey), ValueType.SET, small);
        SetValue gone = new SetValue();
        gone.add(b("2"), SetValue.Limits.DEFAULT);
        ListValue list = new ListValue();
        int listKey = insert(table, "list", ValueType.LIST, list);
        int removed = insert(table, "gone", ValueType.SET, gone);
        table.remove(removed);

        assertThat(table.settle()).isZero();
        assertThat(table.value(tableForm)).isSameAs(big);
        assertThat(table.value(longKeyed)).as("a key longer than a record's length byte").isSameAs(small);
        assertThat(table.value(listKey)).isSameAs(list);
        int reused = insert(table, "again", ValueType.STRING, b("v"));
        assertThat(reused).as("the removed key's id, taken again").isEqualTo(removed);
        assertThat(table.settle()).isZero();
        assertThat((byte[]) table.value(reused)).isEqualTo(b("v"));
    }

    @Test
    void everyIntsetWidthAndEveryScoreWidthComesBackAsItWent() {
        SplittableRandom random = new SplittableRandom(79);
        KeyTable table = new KeyTable();
        for (int round = 0; round < 300; round++) {
            SetValue set = new SetValue();
            long bound = round % 3 == 0 ? Short.MAX_VALUE : round % 3 == 1 ? Integer.MAX_VALUE : Long.MAX_VALUE;
            for (int i = random.nextInt(40); i >= 0; i--) {
                set.add(b(Long.toString(random.nextLong(-bound, bound))), SetValue.Limits.DEFAULT);
            }
            ZSetValue z = ZSetValue.create(ZSetValue.Limits.DEFAULT, b("m"));
            for (int i = random.nextInt(40); i >= 0; i--) {
                double score = random.nextBoolean() ? random.nextInt(1 << 20) / 4.0 : random.nextDouble() * 1e6;
                z.insert(b("m" + random.nextInt(100)), score, ZSetValue.Limits.DEFAULT);
            }
            int s = insert(table, "set" + round, ValueType.SET, set);
            int zs = insert(table, "zset" + round, ValueType.ZSET, z);
            table.settle();
            SetValue setBack = (SetValue) table.value(s);
            assertThat(setBack.intsetWidth()).isEqualTo(set.intsetWidth());
            assertThat(setBack.members()).containsExactlyElementsOf(set.members());
            assertThat(table.dataBytes(s)).isEqualTo(HeapSizes.arrayBytes(1 + ("set" + round).length() + 1
                    + set.size() * set.intsetWidth()));
            ZSetValue zBack = (ZSetValue) table.value(zs);
            List<ZSetValue.Entry> want = z.range(0, z.size() - 1, false);
            List<ZSetValue.Entry> got = zBack.range(0, zBack.size() - 1, false);
            assertThat(got).hasSameSizeAs(want);
            for (int i = 0; i < want.size(); i++) {
                assertThat(got.get(i).member()).isEqualTo(want.get(i).member());
                assertThat(Double.doubleToRawLongBits(got.get(i).score())).isEqualTo(Double.doubleToRawLongBits(want.get(i).score()));
            }
        }
    }

    /** The budget through commands that unpack, change and pack keys again: exact at each step, and zero once they are gone. */
    @Test
    void theBudgetFollowsEachKeyThroughBothFormsAndReturnsToZero() {
        ValueStore store = new ValueStore(new SplittableRandom(3));
        SplittableRandom random = new SplittableRandom(79);
        long now = System.currentTimeMillis();
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            keys.add(b("k" + i));
        }
        for (int step = 0; step < 5_000; step++) {
            byte[] key = keys.get(random.nextInt(keys.size()));
            ValueType type = store.typeOf(key, now);
            if (type == null) {
                SetValue s = new SetValue();
                s.add(b(Integer.toString(random.nextInt(100))), SetValue.Limits.DEFAULT);
                store.set(key, ValueType.SET, s, ValueStore.NO_EXPIRY);
            } else if (random.nextInt(8) == 0) {
                store.delete(key, now);
            } else {
                SetValue s = store.writeSet(key, now);
                long before = s.bytes();
                String member = random.nextInt(20) == 0 ? "not-an-integer" : Integer.toString(random.nextInt(100));
                if (random.nextInt(3) == 0) {
                    s.remove(b(member));
                } else {
                    s.add(b(member), SetValue.Limits.DEFAULT);
                }
                store.resized(key, s.bytes() - before);
                if (s.size() == 0) {
                    store.delete(key, now);
                }
            }
            if (random.nextBoolean()) {
                store.settle(); // a command's end; some steps run two commands between ends
            }
            long sum = 0;
            for (byte[] k : keys) {
                sum += Math.max(0, store.memoryUsage(k, now));
            }
            assertThat(store.usedBytes()).as("step %d", step).isEqualTo(sum);
        }
        for (byte[] k : keys) {
            store.delete(k, now);
        }
        store.settle();
        assertThat(store.usedBytes()).isZero();
    }

    private static ZSetValue zset(double score, String member) {
        ZSetValue z = ZSetValue.create(ZSetValue.Limits.DEFAULT, b(member));
        z.insert(b(member), score, ZSetValue.Limits.DEFAULT);
        return z;
    }
}
