package io.percore.demo.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The fast path of score parsing ({@link RespDoubles#plainDecimal}) against the general strtod
 * emulation: for any text, {@code parse} and {@code parseBound} return bit for bit what the general
 * path returns (sign of zero included), and the fast path answers (not NaN) only where the general
 * path accepts the text.
 */
class RespDoublesTest {

    private static final byte[] ALPHABET = "0123456789012345678901234567890123456789.eE+- x".getBytes(StandardCharsets.US_ASCII);

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void assertAgrees(byte[] text) {
        String shown = new String(text, StandardCharsets.US_ASCII);
        assertThat(Double.doubleToRawLongBits(RespDoubles.parse(text)))
                .as("parse '%s'", shown)
                .isEqualTo(Double.doubleToRawLongBits(RespDoubles.parseGeneral(text)));
        assertThat(Double.doubleToRawLongBits(RespDoubles.parseBound(text, 0)))
                .as("parseBound '%s'", shown)
                .isEqualTo(Double.doubleToRawLongBits(RespDoubles.parseBoundGeneral(text, 0)));
        double fast = RespDoubles.plainDecimal(text, 0);
        if (!Double.isNaN(fast)) {
            assertThat(Double.doubleToRawLongBits(fast)).as("fast '%s'", shown)
                    .isEqualTo(Double.doubleToRawLongBits(RespDoubles.parseGeneral(text)));
        }
    }

    /** Texts of the shapes scores come in: integers, decimals, exponents, signs, leading zeros, up to 20 digits. */
    private static byte[] randomNumber(SplittableRandom r) {
        StringBuilder s = new StringBuilder();
        int sign = r.nextInt(4);
        if (sign == 0) {
            s.append('-');
        } else if (sign == 1) {
            s.append('+');
        }
        int zeros = r.nextInt(5) == 0 ? r.nextInt(6) : 0;
        s.append("0".repeat(zeros));
        int intDigits = r.nextInt(18);
        for (int i = 0; i < intDigits; i++) {
            s.append((char) ('0' + r.nextInt(10)));
        }
        if (r.nextBoolean()) {
            s.append('.');
            int fracDigits = r.nextInt(18);
            for (int i = 0; i < fracDigits; i++) {
                s.append((char) ('0' + r.nextInt(10)));
            }
        }
        if (r.nextInt(4) == 0) {
            s.append(r.nextBoolean() ? 'e' : 'E');
            int expSign = r.nextInt(3);
            if (expSign == 1) {
                s.append('-');
            } else if (expSign == 2) {
                s.append('+');
            }
            s.append(r.nextInt(r.nextBoolean() ? 30 : 400));
        }
        return b(s.toString());
    }

    /** Any short text over digits, dots, exponents, signs and a few foreign characters. */
    private static byte[] randomText(SplittableRandom r) {
        byte[] t = new byte[r.nextInt(12)];
        for (int i = 0; i < t.length; i++) {
            t[i] = ALPHABET[r.nextInt(ALPHABET.length)];
        }
        return t;
    }

    @Test
    void theFastPathAgreesWithStrtodOnAMillionRandomTexts() {
        SplittableRandom r = new SplittableRandom(20261123);
        int fastTaken = 0;
        for (int i = 0; i < 1_000_000; i++) {
            byte[] text = (i % 4 == 3) ? randomText(r) : randomNumber(r);
            assertAgrees(text);
            if (!Double.isNaN(RespDoubles.plainDecimal(text, 0))) {
                fastTaken++;
            }
        }
        // the comparison means something only if the fast path answered often
        assertThat(fastTaken).isGreaterThan(300_000);
    }

    @Test
    void theFastPathAgreesOnRandomDoublesWrittenOut() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 40_000; i++) {
            double d = Double.longBitsToDouble(r.nextLong());
            if (Double.isNaN(d)) {
                continue;
            }
            assertAgrees(b(Double.toString(d)));
            assertAgrees(RespDoubles.format(d));
            assertAgrees(b(String.format("%.6f", d)));
            assertAgrees(b(Long.toString(r.nextLong() >> r.nextInt(64))));
        }
    }

    @Test
    void edgesOfTheFastPath() {
        String[] texts = {
            "0", "-0", "+0", "-0.0", "0e5", "-0e-5", "000000012345", "1", "-1", "1.", ".5", "-.5", ".", "-", "+", "",
            "1e", "1e+", "1e-", "1ex", "1e5x", "1.5.5", "1..5", "e5", ".e5", "1e22", "1e23", "1e-22", "1e-23",
            "999999999999999", "9999999999999999", "1234567890123456789", "0.000000000000000000000001",
            "123456789012345e22", "123456789012345e-22", "9007199254740993", "4.35", "0.1", "2.5e-3",
            " 1", "1 ", "0x10", "inf", "-inf", "nan", "1e400", "1e-400", "1e308", "1.7976931348623157e308",
            "4.9e-324", "100000000000000000000000000000", "1_0",
        };
        for (String t : texts) {
            assertAgrees(b(t));
        }
        assertThat(RespDoubles.plainDecimal(b("000000012345"), 0)).isEqualTo(12345.0);
        assertThat(RespDoubles.plainDecimal(b("1.5"), 0)).isEqualTo(1.5);
        assertThat(Double.doubleToRawLongBits(RespDoubles.plainDecimal(b("-0"), 0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
        assertThat(RespDoubles.plainDecimal(b("9999999999999999"), 0)).as("16 digits: general path").isNaN();
        assertThat(RespDoubles.plainDecimal(b("1e23"), 0)).as("beyond 10^22: general path").isNaN();
    }
}
