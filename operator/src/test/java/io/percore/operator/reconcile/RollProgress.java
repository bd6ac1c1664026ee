package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

/**
 * Waits for a roll pod by pod. A loaded machine slows every step of a roll (each pod starts, syncs, is
 * switched over) and a stuck roll stops taking them, so each step gets its bound from the step before,
 * not the whole roll one bound from its start: under load the roll may take long, it may not stall.
 */
final class RollProgress {

    /** How long one pod of a roll may take, from the previous one, on a loaded 2-core machine. */
    static final Duration STEP = Duration.ofSeconds(180);

    private RollProgress() {
    }

    /** Waits until {@code done} (filled by another thread, thread-safe) holds {@code order}, each next pod within {@link #STEP}. */
    static void awaitInOrder(List<String> done, List<String> order) {
        for (int i = 1; i <= order.size(); i++) {
            int n = i;
            await().atMost(STEP).until(() -> done.size() >= n);
            assertThat(List.copyOf(done)).as("the roll's order so far").startsWith(order.subList(0, n).toArray(String[]::new));
        }
    }
}
