package io.percore.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.config.BaseConfigurationService;
import io.javaoperatorsdk.operator.processing.retry.RetryExecution;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The retry the SDK reads from the reconciler's annotations: a reconcile that keeps failing is tried again for as long
 * as it fails, never more than 30 s apart. The SDK's default stops after five retries, and then only an event or the
 * 5-minute resync runs the reconcile again: a failover waiting on it would wait that long.
 */
class ReconcileRetryTest {

    @Test
    void aFailingReconcileIsRetriedForeverAtMostThirtySecondsApart() {
        var configuration = new BaseConfigurationService().getConfigurationFor(new PercoreServiceReconciler(null, false));
        RetryExecution retry = configuration.getRetry().initExecution();
        List<Long> delays = new ArrayList<>();
        for (int failure = 1; failure <= 100; failure++) {
            Optional<Long> next = retry.nextDelay();
            assertThat(next).as("a delay after failure " + failure).isPresent();
            delays.add(next.get());
        }
        assertThat(delays.get(0)).isEqualTo(2_000);
        assertThat(delays).isSorted().allSatisfy(d -> assertThat(d).isBetween(2_000L, 30_000L));
        assertThat(delays.get(99)).isEqualTo(30_000);
    }
}
