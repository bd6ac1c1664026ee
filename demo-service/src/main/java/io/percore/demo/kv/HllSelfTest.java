package io.percore.demo.kv;

import java.util.SplittableRandom;

/**
 * Redis's PFSELFTEST, resumable in slices: (1) 1,000 rounds of setting every dense register to a
 * random value and reading them all back; (2) ten million distinct elements added to a dense HLL
 * and to a sparse one (in a scratch store, promoted to dense on the way as in a keyspace), checking
 * at 1, 10, ..., 10,000,000 that the sparse one is still sparse while it should be, that both count
 * the same, and that the error is within six standard errors. Each {@link #step} does a bounded
 * slice of that, so the shard running it keeps serving in between.
 */
public final class HllSelfTest {

    private static final int ROUNDS = 1000;
    private static final int ELEMENTS = 10_000_000;
    private static final double RELATIVE_ERROR = 1.04 / Math.sqrt(HyperLogLog.REGISTERS);

    private final SplittableRandom random = new SplittableRandom();
    private final long sparseMaxBytes;
    private final byte[] dense = new byte[HyperLogLog.DENSE_SIZE];
    private final int[] expected = new int[HyperLogLog.REGISTERS];
    private final ValueStore scratch = new ValueStore();
    private final byte[] sparseKey = {'s'};
    private final byte[] element = new byte[8];
    private final long seed = random.nextLong();
    private HllString sparse;
    private int round;
    private int j = 1;
    private long checkpoint = 1;
    private String failure;

    /** @param sparseMaxBytes the shard's {@code hll-sparse-max-bytes} (the sparse HLL follows it, as Redis's does) */
    public HllSelfTest(long sparseMaxBytes) {
        this.sparseMaxBytes = sparseMaxBytes;
        scratch.encodings(EncodingLimits.DEFAULT.withHllSparseMaxBytes(sparseMaxBytes));
    }

    /** Runs on for about {@code sliceNanos}; true when finished ({@link #failure()} says how). */
    public boolean step(long sliceNanos) {
        long deadline = System.nanoTime() + sliceNanos;
        while (failure == null && round < ROUNDS) {
            registersRound();
            if (System.nanoTime() >= deadline) {
                return false;
            }
        }
        if (failure != null) {
            return true;
        }
        if (sparse == null) {
            java.util.Arrays.fill(dense, HyperLogLog.HEADER, dense.length, (byte) 0);
            sparse = HllString.create(scratch, sparseKey, 0);
        }
        while (failure == null && j <= ELEMENTS) {
            addOne();
            if ((j & 1023) == 0 && System.nanoTime() >= deadline) {
                return false;
            }
        }
        return true;
    }

    /** Null when every check passed, else Redis's TESTFAILED text. */
    public String failure() {
        return failure;
    }

    private void registersRound() {
        for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
            int r = random.nextInt(HyperLogLog.REGISTER_MAX + 1);
            expected[i] = r;
            HyperLogLog.denseSet(dense, i, r);
        }
        for (int i = 0; i < HyperLogLog.REGISTERS; i++) {
            int value = HyperLogLog.denseGet(dense, i);
            if (value != expected[i]) {
                failure = "TESTFAILED Register " + i + " should be " + expected[i] + " but is " + value;
                return;
            }
        }
        round++;
    }

    private void addOne() {
        long ele = j ^ seed;
        for (int b = 0; b < 8; b++) {
            element[b] = (byte) (ele >>> (8 * b)); // the integer's bytes as they lie in memory on x86
        }
        int packed = HyperLogLog.registerAndCount(element);
        HyperLogLog.denseRaise(dense, packed >>> 8, packed & 0xff);
        sparse.add(element);
        if (j == checkpoint) {
            check();
            checkpoint *= 10;
        }
        j++;
    }

    private void check() {
        if (j < sparseMaxBytes / 2 && sparse.dense()) {
            failure = "TESTFAILED sparse encoding not used";
            return;
        }
        long denseCount = HyperLogLog.count(dense, dense.length);
        if (denseCount != sparse.count()) {
            failure = "TESTFAILED dense/sparse disagree";
            return;
        }
        long maxError = j == 10 ? 1 : (long) Math.ceil(RELATIVE_ERROR * 6 * checkpoint);
        long error = Math.abs(checkpoint - denseCount);
        if (error > maxError) {
            failure = "TESTFAILED Too big error. card:" + checkpoint + " abserr:" + error;
        }
    }
}
