package io.percore.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Methods only a shard's own thread may call assert it; the build runs tests with {@code -ea}. */
class OwnerThreadTest {

    @Test
    void testsRunWithAssertionsEnabled() {
        boolean enabled = false;
        assert enabled = true;
        assertThat(enabled).as("surefire runs with -ea").isTrue();
    }

    @Test
    void ownerOnlyMethodsTripOnAnotherThread() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            Shard shard = engine.shard(0);
            assertTrips(() -> shard.executeLocal(() -> { }));
            assertTrips(() -> shard.sendTo(1, (Runnable) () -> { }));
            assertTrips(() -> shard.calls().recycle(new CrossShardCall()));
            assertTrips(shard::hasLocalWork);
            assertTrips(shard::timerFired);
            assertTrips(() -> shard.taskFailed(new RuntimeException("x"), "task"));
            // From another shard's thread as well, not only from threads outside the engine.
            String seen = TestEngines.await(engine.submitTo(1, () -> {
                try {
                    shard.executeLocal(() -> { });
                    return "no assertion";
                } catch (AssertionError e) {
                    return e.getMessage();
                }
            }));
            assertThat(seen).contains("percore-shard-0").contains("percore-shard-1");
        }
    }

    @Test
    void ownerOnlyMethodsRunOnTheOwner() throws Exception {
        try (Engine engine = TestEngines.start(2)) {
            boolean hadWork = TestEngines.await(engine.submitTo(0, () -> {
                Shard.current().executeLocal(() -> { });
                return Shard.current().hasLocalWork();
            }));
            assertThat(hadWork).isTrue();
        }
    }

    private static void assertTrips(Executable call) {
        assertThatThrownBy(call::execute).isInstanceOf(AssertionError.class)
                .hasMessageContaining("percore-shard-0").hasMessageContaining(Thread.currentThread().getName());
    }
}
