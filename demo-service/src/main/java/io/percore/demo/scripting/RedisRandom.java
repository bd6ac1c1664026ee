package io.percore.demo.scripting;

/**
 * Redis's {@code redisLrand48}/{@code redisSrand48} (its {@code rand.c}: the 48-bit linear
 * congruential generator of POSIX's {@code lrand48}), which Redis gives scripts as
 * {@code math.random}, so a script seeding it with {@code math.randomseed} draws the same numbers
 * as on redis-server. One per shard; its state lives on across scripts, as Redis's does.
 */
final class RedisRandom {

    private static final long MULTIPLIER = 0x5DEECE66DL;
    private static final long INCREMENT = 0xBL;
    private static final long MASK = (1L << 48) - 1;
    /** Redis's {@code REDIS_LRAND48_MAX}. */
    private static final long MAX = Integer.MAX_VALUE;

    private long state = 0x1234ABCD330EL;

    void seed(int seed) {
        state = ((seed & 0xFFFFFFFFL) << 16 | 0x330EL) & MASK;
    }

    /** The next value, 0 to 2^31 - 1. */
    int next() {
        state = (state * MULTIPLIER + INCREMENT) & MASK;
        return (int) (state >>> 17);
    }

    /** A number in [0, 1), as Redis's {@code redis_math_random} makes it. */
    double nextDouble() {
        return (next() % MAX) / (double) MAX;
    }
}
