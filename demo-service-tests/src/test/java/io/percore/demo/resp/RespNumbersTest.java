package io.percore.demo.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RespNumbers' integer reading and writing in place agree with Java's Long.parseLong and Long.toString. */
class RespNumbersTest {

    private static List<Long> samples() {
        List<Long> values = new ArrayList<>(List.of(0L, 1L, -1L, 9L, 10L, -10L, 99L, 100L, 999_999_999_999_999_999L,
                -999_999_999_999_999_999L, 1_000_000_000_000_000_000L, -1_000_000_000_000_000_000L, Long.MAX_VALUE,
                Long.MIN_VALUE, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1));
        SplittableRandom random = new SplittableRandom(28);
        for (int i = 0; i < 10_000; i++) {
            long v = random.nextLong();
            values.add(v >> random.nextInt(64));
        }
        return values;
    }

    @Test
    void writesWhatLongToStringWrites() {
        for (long v : samples()) {
            assertThat(new String(RespNumbers.toBytes(v), StandardCharsets.US_ASCII)).isEqualTo(Long.toString(v));
        }
    }

    @Test
    void readsWhatLongParseLongReads() {
        for (long v : samples()) {
            byte[] text = Long.toString(v).getBytes(StandardCharsets.US_ASCII);
            assertThat(RespNumbers.isLong(text)).isTrue();
            assertThat(RespNumbers.parseLong(text)).isEqualTo(v);
            assertThat(RespNumbers.requireLong(text)).isEqualTo(v);
        }
    }

    @Test
    void whatIsNoIntegerIsRefusedAsBefore() {
        for (String bad : List.of("", "-", "1a", "a1", " 1", "1 ", "--1", "9223372036854775808", "-9223372036854775809", "1.0")) {
            byte[] text = bad.getBytes(StandardCharsets.US_ASCII);
            assertThat(RespNumbers.isLong(text)).as(bad).isFalse();
            assertThatThrownBy(() -> RespNumbers.requireLong(text)).isInstanceOf(RespError.class);
            assertThatThrownBy(() -> RespNumbers.parseLong(text)).as(bad).isInstanceOf(NumberFormatException.class);
        }
        // what Long.parseLong alone accepts, parseLong (checked by isLong elsewhere) still reads as it did
        assertThat(RespNumbers.parseLong("+5".getBytes(StandardCharsets.US_ASCII))).isEqualTo(5);
        assertThat(RespNumbers.parseLong("007".getBytes(StandardCharsets.US_ASCII))).isEqualTo(7);
    }
}
