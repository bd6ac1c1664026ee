package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Which idle step each mode gets: the pinned ones never yield (run-cluster.sh's context switches). */
class IdleStrategyTest {

    @Test
    void pinnedWithoutIdlePollSleepsStraightAway() {
        assertThat(IdleStrategy.forMode(true, 0, true)).isSameAs(SleepingIdle.INSTANCE);
        assertThat(IdleStrategy.forMode(true, 0, false)).isSameAs(SleepingIdle.INSTANCE);
        assertThat(SleepingIdle.INSTANCE.beforeSleep(null, System.nanoTime())).isZero();
    }

    @Test
    void pinnedWithIdlePollSpinsAndOverprovisionedYields() {
        assertThat(IdleStrategy.forMode(true, 1_000_000, true)).isInstanceOf(SpinningIdle.class);
        assertThat(IdleStrategy.forMode(false, 0, true)).isInstanceOf(YieldingIdle.class);
        assertThat(IdleStrategy.forMode(false, 1_000_000, false)).isInstanceOf(YieldingIdle.class);
    }
}
