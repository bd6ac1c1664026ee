package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.percore.demo.support.CpuClock;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 30: the HyperLogLog strings on their own. A sparse HLL changed in place agrees with a dense
 * one fed the same elements, register for register and in its count, under every
 * {@code hll-sparse-max-bytes}, and never outgrows that limit; the memory budget follows every change
 * and promotion; a value longer than any valid sparse one (a client's SET) costs no more to read than
 * a valid one; Redis's own self test passes.
 */
class HyperLogLogTest {

    private static final byte[] KEY = "h".getBytes(StandardCharsets.US_ASCII);

    private static byte[] emptyDense() {
        byte[] dense = new byte[HyperLogLog.DENSE_SIZE];
        System.arraycopy("HYLL".getBytes(StandardCharsets.US_ASCII), 0, dense, 0, 4);
        dense[HyperLogLog.ENCODING_AT] = HyperLogLog.DENSE;
        return dense;
    }

    private static byte[] element(SplittableRandom random) {
        return Long.toString(random.nextLong()).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void aSparseHllChangedInPlaceAgreesWithADenseOneUnderEveryLimit() {
        SplittableRandom random = new SplittableRandom(42);
        for (long limit : new long[] {0, 18, 30, 3000, 20_000, Long.MAX_VALUE}) {
            ValueStore store = new ValueStore();
            store.encodings(EncodingLimits.DEFAULT.withHllSparseMaxBytes(limit));
            HllString sparse = HllString.create(store, KEY, 0);
            byte[] dense = emptyDense();
            int added = 0;
            for (int batch = 0; batch < 60; batch++) {
                int n = batch < 30 ? 1 + random.nextInt(20) : 1 + random.nextInt(2000);
                for (int i = 0; i < n; i++) {
                    byte[] e = element(random);
                    int packed = HyperLogLog.registerAndCount(e);
                    boolean raised = HyperLogLog.denseRaise(dense, packed >>> 8, packed & 0xff);
                    assertThat(sparse.add(e)).as("limit %d, element %d: changed the same", limit, added).isEqualTo(raised ? 1 : 0);
                    added++;
                }
                byte[] registers = sparse.dense() ? Arrays.copyOf(sparse.array(), sparse.length())
                        : HyperLogLog.sparseToDense(sparse.array(), sparse.length());
                assertThat(registers).as("limit %d after %d elements: a valid value", limit, added).isNotNull();
                assertThat(HyperLogLog.registers(registers)).as("limit %d after %d elements", limit, added)
                        .isEqualTo(HyperLogLog.registers(dense));
                assertThat(sparse.count()).isEqualTo(HyperLogLog.count(dense, dense.length));
                if (!sparse.dense()) {
                    assertThat((long) sparse.length()).as("limit %d: a sparse value stays within it", limit)
                            .isLessThanOrEqualTo(Math.max(limit, HyperLogLog.EMPTY_SPARSE_SIZE));
                }
                assertThat(store.memory().usedBytes()).as("the budget is the key's own size").isEqualTo(store.memoryUsage(KEY, 0));
            }
            assertThat(sparse.dense()).as("limit %d: %d elements make it dense", limit, added).isEqualTo(limit < 20_000);
        }
    }

    @Test
    void theBudgetCountsThePromotionToDenseAndRefusesItWhenTooSmall() {
        ValueStore store = new ValueStore();
        HllString h = HllString.create(store, KEY, 0);
        long sparse = store.memory().usedBytes();
        assertThat(h.toDense()).isEqualTo(1);
        assertThat(store.memory().usedBytes() - sparse).as("the 12 KB of registers").isGreaterThan(12_000);
        assertThat(store.memory().usedBytes()).isEqualTo(store.memoryUsage(KEY, 0));

        ValueStore small = new ValueStore();
        small.budget(new MemoryBudget(8_000, MaxmemoryPolicy.NOEVICTION, 5));
        HllString tiny = HllString.create(small, KEY, 0);
        assertThatThrownBy(tiny::toDense).isInstanceOf(OutOfBudgetException.class);
        assertThat(tiny.dense()).isFalse();
    }

    /** "HYLL", sparse, then a run of the 16,384 registers and {@code junk} more bytes of opcodes. */
    private static byte[] overlong(int junk, byte opcode) {
        byte[] b = new byte[HyperLogLog.HEADER + 2 + junk];
        int end = HyperLogLog.writeEmptySparse(b);
        Arrays.fill(b, end, b.length, opcode);
        return b;
    }

    @Test
    void aValueLongerThanAnyValidOneCostsNoMoreToReadThanAValidOne() {
        byte[][] hostile = {
            overlong(64 << 20, (byte) 0x00),   // 64 MB of one-register zero runs after a complete value
            overlong(64 << 20, (byte) 0x7f),   // ... of XZERO runs
            overlong(64 << 20, (byte) 0x80),   // ... of value runs
        };
        byte[] prefix = new byte[HyperLogLog.HEADER + (64 << 20)];
        System.arraycopy(overlong(0, (byte) 0), 0, prefix, 0, HyperLogLog.HEADER);
        prefix[HyperLogLog.ENCODING_AT] = HyperLogLog.SPARSE; // 64 MB of one-register zero runs, no complete value before them
        long before = CpuClock.threadMillis();
        for (byte[] b : new byte[][] {hostile[0], hostile[1], hostile[2], prefix}) {
            for (int round = 0; round < 10; round++) {
                assertThat(HyperLogLog.count(b, b.length)).isEqualTo(-1);
                assertThat(HyperLogLog.mergeInto(new byte[HyperLogLog.REGISTERS], b, b.length)).isFalse();
                assertThat(HyperLogLog.sparseToDense(b, b.length)).isNull();
                assertThat(HyperLogLog.decode(b, b.length)).isNull();
            }
        }
        // each of the 160 calls walks at most ~16,384 opcodes; a walk of the 64 MB would take 20-50 ms each
        assertThat(CpuClock.threadMillis() - before).as("CPU ms for 160 reads of 64 MB values").isLessThan(1000);
    }

    @Test
    void redisesSelfTestPasses() {
        HllSelfTest test = new HllSelfTest(HyperLogLog.DEFAULT_SPARSE_MAX_BYTES);
        while (!test.step(50_000_000)) {
            assertThat(test.failure()).isNull();
        }
        assertThat(test.failure()).isNull();
    }
}
