package io.percore.operator.sizing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Quantities in the form the API server stores them (resource.Quantity's canonical String()). */
class QuantitiesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "10Gi, 10Gi",
            "1024Mi, 1Gi",
            "2048Mi, 2Gi",
            "1536Mi, 1536Mi",
            "0.5Gi, 512Mi",
            "1Ti, 1Ti",
            "1000M, 1G",
            "1500M, 1500M",
            "1.5G, 1500M",
            "1000000, 1M",
            "1234567, 1234567",
            "512Ki, 512Ki",
            "0.9765625Ki, 1k",
            "1000m, 1",
            "0, 0"})
    void canonicalFormOfAByteQuantity(String written, String stored) {
        assertThat(Quantities.canonicalBytes(written, "size")).isEqualTo(stored);
        // The server reads its own output back unchanged: the form is stable.
        assertThat(Quantities.canonicalBytes(stored, "size")).isEqualTo(stored);
    }

    @ParameterizedTest(name = "{0} bytes -> {1}")
    @CsvSource({
            "4026531840, 3840Mi",
            "2147483648, 2Gi",
            "7784628224, 7424Mi",
            "1000, 1k",
            "1025, 1025"})
    void memoryLimitsAreRenderedCanonically(long bytes, String stored) {
        assertThat(Quantities.canonicalBytes(bytes)).isEqualTo(stored);
    }

    @ParameterizedTest
    @CsvSource({"1.5", "10Gb", "-1Gi", "1e3", "100m"})
    void notAWholeNumberOfBytesOrNotAQuantity(String written) {
        assertThatThrownBy(() -> Quantities.canonicalBytes(written, "spec.persistence.size"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("spec.persistence.size: '" + written + "'");
    }
}
