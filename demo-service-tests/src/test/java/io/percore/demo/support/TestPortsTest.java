package io.percore.demo.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class TestPortsTest {

    @Test
    void eachTestJvmTakesItsOwnSliceOfTheRangeBelowTheSystemsOwnPorts() {
        TestPorts.Slice first = TestPorts.Slice.of("", "1", "3");
        TestPorts.Slice second = TestPorts.Slice.of("", "2", "3");
        TestPorts.Slice third = TestPorts.Slice.of("", "3", "3");
        assertThat(first.from()).isEqualTo(20000);
        assertThat(second.from()).isEqualTo(first.from() + first.size());
        assertThat(third.from()).isEqualTo(second.from() + second.size());
        assertThat(third.from() + third.size() - 1)
                .as("below Linux's ephemeral ports (32768-60999) and Kubernetes' NodePorts (30000-32767)").isLessThan(30000);
        assertThat(TestPorts.Slice.of("", "${surefire.forkNumber}", "")).as("outside surefire: the whole range")
                .isEqualTo(new TestPorts.Slice(20000, 10000));
    }

    @Test
    void aGivenRangeIsSlicedTheSameWay() {
        assertThat(TestPorts.Slice.of("7650-7699", "2", "2")).isEqualTo(new TestPorts.Slice(7675, 25));
        assertThatThrownBy(() -> TestPorts.Slice.of("7650-7651", "1", "3")).hasMessageContaining("fewer ports");
    }

    @Test
    void aPortHandedOutIsFreeAndInThisJvmsSlice() throws IOException {
        int port = TestPorts.free();
        assertThat(port).isBetween(TestPorts.SLICE.from(), TestPorts.SLICE.from() + TestPorts.SLICE.size() - 1);
        try (ServerSocket bound = new ServerSocket(port)) {
            assertThat(bound.getLocalPort()).isEqualTo(port);
        }
        assertThat(TestPorts.free()).as("not the same port twice in a row").isNotEqualTo(port);
    }
}
