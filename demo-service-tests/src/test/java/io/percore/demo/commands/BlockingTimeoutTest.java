package io.percore.demo.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import io.percore.demo.resp.RespError;

/**
 * The blocking commands' timeout read as Redis 7.0 reads it ({@code strtold}, then
 * {@code (long long) ceill(seconds * 1000.0)} in x87 long double): the values were checked against
 * redis-server 7.0.15 by hand (which block for ever, which answer after a millisecond, which are refused).
 */
class BlockingTimeoutTest {

    private static long millis(String arg) {
        return BlockingTimeout.millis(arg.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void secondsBecomeMillisecondsRoundedUp() {
        assertThat(millis("0")).isEqualTo(BlockingTimeout.FOREVER);
        assertThat(millis("1")).isEqualTo(1000);
        assertThat(millis("01")).isEqualTo(1000);
        assertThat(millis("+0.01")).isEqualTo(10);
        assertThat(millis("0.1")).isEqualTo(100);
        assertThat(millis("1.5e0")).isEqualTo(1500);
        assertThat(millis("0.0001")).isEqualTo(1);
        assertThat(millis("1e-10")).isEqualTo(1);
        assertThat(millis("0x10")).isEqualTo(16_000);
        assertThat(millis("0x1p-20")).isEqualTo(1);
        assertThat(millis("0X.8P1")).isEqualTo(1000);
        assertThat(millis("1.")).isEqualTo(1000);
        assertThat(millis(".25")).isEqualTo(250);
        assertThat(millis("9.2e15")).isEqualTo(9_200_000_000_000_000_000L);
        assertThat(millis("0e-99999")).isEqualTo(BlockingTimeout.FOREVER);
        assertThat(millis("0x1p-16445")).as("the smallest long double").isEqualTo(1);
    }

    /** Redis's long double arithmetic: -0.001 s is -0.99999... ms, whose ceiling is -0: no timeout, not a negative one. */
    @Test
    void aNegativeSliverOfAMillisecondMeansForever() {
        assertThat(millis("-0")).isEqualTo(BlockingTimeout.FOREVER);
        assertThat(millis("-0.0001")).isEqualTo(BlockingTimeout.FOREVER);
        assertThat(millis("-0.001")).isEqualTo(BlockingTimeout.FOREVER);
        assertThat(millis("-0.0009")).isEqualTo(BlockingTimeout.FOREVER);
        assertThat(millis("-1e-300")).isEqualTo(BlockingTimeout.FOREVER);
        assertThatThrownBy(() -> millis("-0.00100001")).hasMessage(BlockingTimeout.NEGATIVE);
    }

    @Test
    void negativeIncludingWhatOverflowsALongLong() {
        for (String negative : new String[] {"-1", "-0.5", "inf", "-inf", "+Infinity", "9.3e15", "1e20", "9223372036854775.808", "1e4000", "0x1p16383"}) {
            assertThatThrownBy(() -> millis(negative)).as(negative).isInstanceOf(RespError.class).hasMessage(BlockingTimeout.NEGATIVE);
        }
        assertThat(millis("9223372036854775")).isEqualTo(9_223_372_036_854_775_000L);
    }

    @Test
    void notAFloat() {
        for (String bad : new String[] {"", "abc", "nan", "-nan", "NaN(1)", " 1", "\t1", "1 ", "1e", "1e+", "0x", "0x1p", ".", "-",
                "+-1", "1e5000", "1e-5000", "0x1p-20000", "0x1p-16446", "0x1p16384", "infinit", "1,5", "x".repeat(5120)}) {
            assertThatThrownBy(() -> millis(bad)).as("[" + bad + "]").isInstanceOf(RespError.class).hasMessage(BlockingTimeout.NOT_A_FLOAT);
        }
    }

    /** A huge exponent is refused from its digits' count, without building the number. */
    @Test
    void aHugeExponentCostsNothing() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> millis("1e999999999999")).hasMessage(BlockingTimeout.NOT_A_FLOAT);
        assertThatThrownBy(() -> millis("1e-999999999999")).hasMessage(BlockingTimeout.NOT_A_FLOAT);
        assertThatThrownBy(() -> millis("1" + "0".repeat(4000))).hasMessage(BlockingTimeout.NEGATIVE);
        assertThat(System.nanoTime() - start).isLessThan(2_000_000_000L);
    }
}
