package io.percore.demo.commands;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import io.percore.demo.resp.RespError;

/**
 * The timeout argument of the blocking commands (BLPOP ... timeout), read as Redis 7.0's
 * {@code getTimeoutFromObjectOrReply(..., UNIT_SECONDS)} reads it: {@code strtold} (decimal or hex,
 * {@code inf}, no spaces), then {@code (long long) ceill(seconds * 1000.0)} in x87 long double
 * arithmetic (64-bit significands). The arithmetic is reproduced exactly, so the few values where
 * it differs from exact decimals answer as Redis does: {@code -0.001} rounds to {@code -0.99999...}
 * ms, whose ceiling is 0, so it blocks for ever instead of being negative; a product of 2^63 ms or
 * more (or infinity) turns into {@code LLONG_MIN} and is "negative".
 */
final class BlockingTimeout {

    /** Block until served. */
    static final long FOREVER = 0;

    static final String NOT_A_FLOAT = "ERR timeout is not a float or out of range";
    static final String NEGATIVE = "ERR timeout is negative";

    /** Redis's MAX_LONG_DOUBLE_CHARS: longer arguments are not numbers. */
    private static final int MAX_CHARS = 5 * 1024;
    /** Long double's exponent range: a value of 2^16384 or more overflows, one under 2^-16445 is zero. */
    private static final int MAX_EXPONENT = 16384;
    private static final int MIN_SUBNORMAL_EXPONENT = -16445;
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);
    private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
    private static final BigDecimal LONG_RANGE_END = new BigDecimal(BigInteger.ONE.shiftLeft(63));
    private static final BigDecimal LONG_RANGE_START = LONG_RANGE_END.negate();

    private BlockingTimeout() {
    }

    /**
     * The timeout in milliseconds, {@link #FOREVER} (0) for none.
     *
     * @throws RespError with Redis's texts: not a float, or negative
     */
    static long millis(byte[] arg) {
        Number seconds = parse(arg);
        long ms = seconds instanceof BigDecimal d ? timesThousandCeiling(d) : Long.MIN_VALUE; // +-inf: ceill is +-inf, the cast LLONG_MIN
        if (ms < 0) {
            throw new RespError(NEGATIVE);
        }
        return ms;
    }

    /** Long double's {@code (long long) ceill(x * 1000.0)}, {@code x} already a long double. */
    private static long timesThousandCeiling(BigDecimal x) {
        if (x.signum() == 0) {
            return 0;
        }
        double magnitude = log2(x.abs());
        if (magnitude > 60) {
            return Long.MIN_VALUE; // far beyond 2^63 ms either way
        }
        if (magnitude < -120) {
            return x.signum() > 0 ? 1 : 0; // a sliver of a millisecond: up to 1, or down to -0
        }
        BigDecimal product = roundToLongDouble(x.multiply(THOUSAND));
        BigDecimal ceiling = product.setScale(0, RoundingMode.CEILING);
        if (ceiling.compareTo(LONG_RANGE_END) >= 0 || ceiling.compareTo(LONG_RANGE_START) < 0) {
            return Long.MIN_VALUE;
        }
        return ceiling.longValueExact();
    }

    /**
     * {@code strtold} as {@code string2ld} accepts it: a BigDecimal holding the long double exactly,
     * or a Double for an infinity.
     *
     * @throws RespError not a float (also for a NaN, an overflow, and an underflow to zero)
     */
    private static Number parse(byte[] arg) {
        if (arg.length == 0 || arg.length >= MAX_CHARS || isSpace(arg[0])) {
            throw notAFloat();
        }
        String s = new String(arg, java.nio.charset.StandardCharsets.ISO_8859_1);
        int i = 0;
        boolean negative = false;
        if (s.charAt(0) == '+' || s.charAt(0) == '-') {
            negative = s.charAt(0) == '-';
            i++;
        }
        String rest = s.substring(i).toLowerCase(java.util.Locale.ROOT);
        if (rest.equals("inf") || rest.equals("infinity")) {
            return negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        BigDecimal exact = rest.startsWith("0x") ? hex(rest.substring(2)) : decimal(rest);
        if (exact.signum() == 0) {
            return BigDecimal.ZERO;
        }
        BigDecimal rounded = roundToLongDouble(exact);
        return negative ? rounded.negate() : rounded;
    }

    /** digits [. digits] [e [sign] digits], at least one digit; the exact value. */
    private static BigDecimal decimal(String s) {
        int n = s.length();
        int i = 0;
        StringBuilder digits = new StringBuilder();
        int fractionDigits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            digits.append(s.charAt(i++));
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                digits.append(s.charAt(i++));
                fractionDigits++;
            }
        }
        if (digits.length() == 0) {
            throw notAFloat();
        }
        long exponent = i < n ? exponent(s, i, 'e') : 0;
        BigInteger mantissa = new BigInteger(digits.toString());
        if (mantissa.signum() == 0) {
            return BigDecimal.ZERO;
        }
        // Decide overflow and underflow before building the number: an exponent of a billion must
        // not turn into a billion-digit BigDecimal.
        double log2 = (mantissa.bitLength() - 1) + (exponent - fractionDigits) * 3.321928094887362;
        checkRange(log2);
        return new BigDecimal(mantissa, Math.toIntExact(fractionDigits - exponent));
    }

    /** hexdigits [. hexdigits] [p [sign] digits] after "0x", at least one hex digit; the exact value. */
    private static BigDecimal hex(String s) {
        int n = s.length();
        int i = 0;
        StringBuilder digits = new StringBuilder();
        int fractionDigits = 0;
        while (i < n && Character.digit(s.charAt(i), 16) >= 0) {
            digits.append(s.charAt(i++));
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && Character.digit(s.charAt(i), 16) >= 0) {
                digits.append(s.charAt(i++));
                fractionDigits++;
            }
        }
        if (digits.length() == 0) {
            throw notAFloat(); // "0x" alone: strtold reads the 0 and stops at the x
        }
        long exponent = (i < n ? exponent(s, i, 'p') : 0) - 4L * fractionDigits;
        BigInteger mantissa = new BigInteger(digits.toString(), 16);
        if (mantissa.signum() == 0) {
            return BigDecimal.ZERO;
        }
        checkRange((mantissa.bitLength() - 1) + (double) exponent);
        return exponent >= 0 ? new BigDecimal(mantissa.shiftLeft((int) exponent)) : twoToThe(mantissa, (int) exponent);
    }

    /** The exponent after {@code marker} at {@code i}, which must end the string; saturates far outside any range. */
    private static long exponent(String s, int i, char marker) {
        if (s.charAt(i) != marker || i + 1 == s.length()) {
            throw notAFloat();
        }
        i++;
        boolean negative = false;
        if (s.charAt(i) == '+' || s.charAt(i) == '-') {
            negative = s.charAt(i) == '-';
            i++;
        }
        if (i == s.length()) {
            throw notAFloat();
        }
        long value = 0;
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (!isDigit(ch)) {
                throw notAFloat();
            }
            value = Math.min(value * 10 + (ch - '0'), 1_000_000_000L);
        }
        return negative ? -value : value;
    }

    /** Overflow to infinity or underflow to zero: strtold sets ERANGE, string2ld refuses. */
    private static void checkRange(double log2) {
        if (log2 >= MAX_EXPONENT || log2 < MIN_SUBNORMAL_EXPONENT - 1) {
            throw notAFloat();
        }
    }

    /**
     * {@code x} (not zero) rounded to the nearest long double, ties to even: a 64-bit significand,
     * fewer bits below the smallest normal exponent.
     */
    static BigDecimal roundToLongDouble(BigDecimal x) {
        BigDecimal abs = x.abs();
        BigInteger num;
        BigInteger den;
        if (abs.scale() <= 0) {
            num = abs.unscaledValue().multiply(BigInteger.TEN.pow(-abs.scale()));
            den = BigInteger.ONE;
        } else {
            num = abs.unscaledValue();
            den = BigInteger.TEN.pow(abs.scale());
        }
        // e = floor(log2(num / den))
        int e = num.bitLength() - den.bitLength();
        if (compareScaled(num, den, e) < 0) {
            e--;
        } else if (compareScaled(num, den, e + 1) >= 0) {
            e++;
        }
        int quantumExponent = Math.max(e - 63, MIN_SUBNORMAL_EXPONENT);
        // significand = round(num / den / 2^quantumExponent)
        BigInteger scaledNum = quantumExponent <= 0 ? num.shiftLeft(-quantumExponent) : num;
        BigInteger scaledDen = quantumExponent <= 0 ? den : den.shiftLeft(quantumExponent);
        BigInteger[] qr = scaledNum.divideAndRemainder(scaledDen);
        BigInteger significand = qr[0];
        int half = qr[1].shiftLeft(1).compareTo(scaledDen);
        if (half > 0 || (half == 0 && significand.testBit(0))) {
            significand = significand.add(BigInteger.ONE);
        }
        if (significand.equals(TWO_TO_64)) {
            significand = significand.shiftRight(1);
            quantumExponent++;
        }
        if (significand.signum() == 0 || quantumExponent + 64 > MAX_EXPONENT) {
            throw notAFloat();
        }
        BigDecimal rounded = quantumExponent >= 0 ? new BigDecimal(significand.shiftLeft(quantumExponent)) : twoToThe(significand, quantumExponent);
        return x.signum() < 0 ? rounded.negate() : rounded;
    }

    /** Compares num / den with 2^e. */
    private static int compareScaled(BigInteger num, BigInteger den, int e) {
        return e >= 0 ? num.compareTo(den.shiftLeft(e)) : num.shiftLeft(-e).compareTo(den);
    }

    /** m * 2^e for e < 0, exactly: m * 5^-e / 10^-e. */
    private static BigDecimal twoToThe(BigInteger m, int e) {
        return new BigDecimal(m.multiply(BigInteger.valueOf(5).pow(-e)), -e);
    }

    private static double log2(BigDecimal positive) {
        return (positive.unscaledValue().bitLength() - 1) - positive.scale() * 3.321928094887362;
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    /** C's isspace in the C locale. */
    private static boolean isSpace(byte b) {
        return b == ' ' || (b >= '\t' && b <= '\r');
    }

    private static RespError notAFloat() {
        return new RespError(NOT_A_FLOAT);
    }
}
