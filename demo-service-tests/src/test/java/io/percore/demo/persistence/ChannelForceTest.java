package io.percore.demo.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class ChannelForceTest {

    private final List<Long> reported = new CopyOnWriteArrayList<>();

    @Test
    void aForceAsLongAsTheThresholdIsReportedWithItsMilliseconds() throws IOException {
        ChannelForce.reportingSlow(channel -> sleep(30), Duration.ofMillis(20), reported::add).force(null);
        assertThat(reported).singleElement().satisfies(ms -> assertThat(ms).isGreaterThanOrEqualTo(30));
    }

    @Test
    void aQuickForceIsNot() throws IOException {
        ChannelForce.reportingSlow(channel -> { }, Duration.ofSeconds(10), reported::add).force(null);
        assertThat(reported).isEmpty();
    }

    @Test
    void aSlowForceThatFailedIsReportedAndStillFails() {
        ChannelForce failing = channel -> {
            sleep(30);
            throw new IOException("the disk is gone");
        };
        assertThatThrownBy(() -> ChannelForce.reportingSlow(failing, Duration.ofMillis(20), reported::add).force(null))
                .isInstanceOf(IOException.class).hasMessage("the disk is gone");
        assertThat(reported).hasSize(1);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
