package io.percore.demo.resp;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/**
 * Redis's double syntax: what C's {@code strtod} reads (Redis parses scores, weights and score
 * ranges with it) and what {@code printf("%.17g")} writes (Redis's {@code addReplyDouble}).
 * Java's own {@code Double.parseDouble} and {@code %g} differ from both (hex floats without an
 * exponent, "Infinity", "d"/"f" suffixes and surrounding blanks on input; no trailing-zero
 * removal on output), so both sides are written out here.
 */
public final class RespDoubles {

    private static final MathContext SEVENTEEN_DIGITS = new MathContext(17, RoundingMode.HALF_EVEN);
    private static final byte[] INF = "inf".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MINUS_INF = "-inf".getBytes(StandardCharsets.US_ASCII);
    /** {@code LLONG_MAX / 2}: the range in which Redis's {@code double2ll} writes a double as an integer. */
    private static final double LL_HALF = (double) (Long.MAX_VALUE / 2);

    private RespDoubles() {
    }

    /**
     * A double as Redis's {@code string2d} accepts it (ZADD's scores, ZINCRBY, WEIGHTS): the whole
     * text must be a {@code strtod} number, not starting with a blank, not NaN, not overflowing to
     * infinity nor underflowing to zero (written infinities are fine).
     *
     * @return the value, or NaN when the text is not such a double
     */
    public static double parse(byte[] text) {
        if (text.length == 0 || isSpace(text[0])) {
            return Double.NaN;
        }
        double fast = plainDecimal(text, 0);
        return fast == fast ? fast : parseGeneral(text); // fast == fast: not NaN
    }

    /** {@link #parse} without its fast path (for the test that the two agree). */
    static double parseGeneral(byte[] text) {
        if (text.length == 0 || isSpace(text[0])) {
            return Double.NaN;
        }
        Strtod r = strtod(text, 0);
        if (r.end != text.length || r.outOfRange) {
            return Double.NaN;
        }
        return r.value;
    }

    /**
     * The number at {@code text[from..]} as a score range bound ({@code zslParseRange}): plain
     * {@code strtod}, which skips leading blanks, reads an empty text as 0 and lets a too large
     * exponent become infinity; only the rest of the text must be consumed and the value not NaN.
     *
     * @return the value, or NaN when the text is not such a number
     */
    public static double parseBound(byte[] text, int from) {
        double fast = plainDecimal(text, from);
        return fast == fast ? fast : parseBoundGeneral(text, from);
    }

    /** {@link #parseBound} without its fast path (for the test that the two agree). */
    static double parseBoundGeneral(byte[] text, int from) {
        Strtod r = strtod(text, from);
        return r.end == text.length ? r.value : Double.NaN;
    }

    /**
     * A SORT weight as Redis's {@code sortCommandGeneric} reads one: {@code strtod} over the text up
     * to its first NUL byte (it is a C string there), which must all be consumed; blanks before it and
     * an empty text (0) are fine; NaN and every result for which strtod sets {@code ERANGE} are not:
     * overflow, underflow to zero, and an inexact subnormal result.
     *
     * @return the value, or NaN when SORT cannot convert the text
     */
    public static double parseSortWeight(byte[] text) {
        byte[] c = upToNul(text);
        Strtod r = strtod(c, 0);
        if (r.end != c.length || r.outOfRange || r.inexactSubnormal) {
            return Double.NaN;
        }
        return r.value;
    }

    /**
     * What {@code sscanf(text, "%lg")} reads (old RDB payloads store scores so): {@code strtod} of
     * the longest number at the start of the text, up to its first NUL byte, blanks before it
     * allowed, anything after it ignored.
     *
     * @return the value (infinite, or NaN for a written "nan", included), or NaN when no number starts the text
     */
    public static double parseLeading(byte[] text) {
        byte[] c = upToNul(text);
        Strtod r = strtod(c, 0);
        return r.end == 0 ? Double.NaN : r.value;
    }

    private static byte[] upToNul(byte[] text) {
        for (int i = 0; i < text.length; i++) {
            if (text[i] == 0) {
                return java.util.Arrays.copyOf(text, i);
            }
        }
        return text;
    }

    /** {@code %.17g}, as Redis replies a double (both protocols), with {@code inf} and {@code -inf} spelled so. */
    public static byte[] format(double d) {
        if (Double.isInfinite(d)) {
            return d > 0 ? INF : MINUS_INF;
        }
        return formatG17(d).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * A score as Redis's {@code d2string} writes it into a small (listpack) sorted set, which is
     * what ZSCAN returns for one: an integral value within ±2^62 as an integer, anything else as
     * {@code %.17g}.
     */
    public static byte[] formatCompact(double d) {
        if (d == Math.rint(d) && d >= -LL_HALF && d <= LL_HALF) {
            return Long.toString((long) d).getBytes(StandardCharsets.US_ASCII);
        }
        return format(d);
    }

    private static String formatG17(double d) {
        if (d == 0) {
            return (Double.doubleToRawLongBits(d) < 0) ? "-0" : "0";
        }
        // BigDecimal(double) is the exact binary value; rounding it to 17 digits half-even is what glibc prints.
        BigDecimal rounded = new BigDecimal(d).round(SEVENTEEN_DIGITS);
        int exponent = rounded.precision() - rounded.scale() - 1;
        BigDecimal stripped = rounded.stripTrailingZeros();
        if (exponent >= -4 && exponent < 17) {
            return stripped.toPlainString();
        }
        String digits = stripped.unscaledValue().abs().toString();
        StringBuilder out = new StringBuilder(24);
        if (d < 0) {
            out.append('-');
        }
        out.append(digits.charAt(0));
        if (digits.length() > 1) {
            out.append('.').append(digits, 1, digits.length());
        }
        out.append('e').append(exponent < 0 ? '-' : '+');
        int abs = Math.abs(exponent);
        if (abs < 10) {
            out.append('0');
        }
        return out.append(abs).toString();
    }

    // ------------------------------------------------------------------ strtod

    /** Exact powers of ten as doubles: 10^22 is the largest whose double is exact. */
    private static final double[] POWERS_OF_TEN = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    };
    /** Significant digits that always fit a double's 53-bit mantissa exactly (10^15 < 2^53). */
    private static final int EXACT_DIGITS = 15;

    /**
     * The common case of {@link #strtod} without building a string: all of {@code s[from..]} is
     * {@code [sign] digits [. digits] [e [sign] digits]} with at most 15 significant digits and a
     * decimal exponent within ±22. Then the digits and the power of ten are both exact doubles and
     * one multiplication or division rounds once, to the nearest double: the value strtod returns
     * (Clinger's fast path). Anything else, including every text strtod would stop early in,
     * returns NaN and takes the general path.
     */
    static double plainDecimal(byte[] s, int from) {
        int n = s.length;
        int i = from;
        boolean negative = false;
        if (i < n && (s[i] == '+' || s[i] == '-')) {
            negative = s[i] == '-';
            i++;
        }
        long mantissa = 0;
        int significant = 0;
        int digits = 0;
        int fraction = 0;
        for (; i < n && isDigit(s[i]); i++, digits++) {
            if (significant > 0 || s[i] != '0') {
                if (++significant > EXACT_DIGITS) {
                    return Double.NaN;
                }
                mantissa = mantissa * 10 + (s[i] - '0');
            }
        }
        if (i < n && s[i] == '.') {
            for (i++; i < n && isDigit(s[i]); i++, digits++, fraction++) {
                if (significant > 0 || s[i] != '0') {
                    if (++significant > EXACT_DIGITS) {
                        return Double.NaN;
                    }
                    mantissa = mantissa * 10 + (s[i] - '0');
                }
            }
        }
        if (digits == 0) {
            return Double.NaN;
        }
        int exponent = 0;
        if (i < n && (s[i] == 'e' || s[i] == 'E')) {
            i++;
            boolean expNegative = false;
            if (i < n && (s[i] == '+' || s[i] == '-')) {
                expNegative = s[i] == '-';
                i++;
            }
            if (i == n) {
                return Double.NaN; // "1e", "1e+": strtod stops before the e
            }
            for (; i < n && isDigit(s[i]); i++) {
                if (exponent > 100) {
                    return Double.NaN;
                }
                exponent = exponent * 10 + (s[i] - '0');
            }
            exponent = expNegative ? -exponent : exponent;
        }
        if (i != n) {
            return Double.NaN;
        }
        // mantissa = the significant digits as an integer, so value = mantissa * 10^(exponent - fraction);
        // a zero mantissa is zero (with the sign) whatever the exponent
        int power = exponent - fraction;
        double magnitude;
        if (mantissa == 0) {
            magnitude = 0;
        } else if (power >= 0 && power < POWERS_OF_TEN.length) {
            magnitude = mantissa * POWERS_OF_TEN[power];
        } else if (power < 0 && -power < POWERS_OF_TEN.length) {
            magnitude = mantissa / POWERS_OF_TEN[-power];
        } else {
            return Double.NaN;
        }
        return negative ? -magnitude : magnitude;
    }

    /**
     * What {@code strtod} returns: the value, where it stopped, whether it set ERANGE to a result
     * string2d rejects (infinity, zero), and whether it set ERANGE to an inexact subnormal result.
     */
    private record Strtod(double value, int end, boolean outOfRange, boolean inexactSubnormal) {
        Strtod(double value, int end, boolean outOfRange) {
            this(value, end, outOfRange, false);
        }
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\u000b' || b == '\f' || b == '\r';
    }

    /**
     * C's {@code strtod} on {@code s[from..]}: blanks, a sign, then a decimal or hexadecimal number,
     * "inf"/"infinity" or "nan"/"nan(chars)", case-insensitively. Where nothing is a number the end
     * is {@code from} and the value 0, as in C.
     */
    private static Strtod strtod(byte[] s, int from) {
        int i = from;
        while (i < s.length && isSpace(s[i])) {
            i++;
        }
        boolean negative = false;
        if (i < s.length && (s[i] == '+' || s[i] == '-')) {
            negative = s[i] == '-';
            i++;
        }
        if (startsWithIgnoreCase(s, i, "inf")) {
            int end = startsWithIgnoreCase(s, i, "infinity") ? i + 8 : i + 3;
            return new Strtod(negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY, end, false);
        }
        if (startsWithIgnoreCase(s, i, "nan")) {
            int end = i + 3;
            if (end < s.length && s[end] == '(') {
                int j = end + 1;
                while (j < s.length && (Character.isLetterOrDigit(s[j]) || s[j] == '_')) {
                    j++;
                }
                if (j < s.length && s[j] == ')') {
                    end = j + 1;
                }
            }
            return new Strtod(Double.NaN, end, false);
        }
        if (i + 1 < s.length && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) {
            Strtod hex = hex(s, i + 2, negative);
            if (hex != null) {
                return hex;
            }
            // "0x" with no hex digit after it: strtod reads the "0" only
            return new Strtod(negative ? -0.0 : 0.0, i + 1, false);
        }
        return decimal(s, i, negative, from);
    }

    private static Strtod decimal(byte[] s, int start, boolean negative, int from) {
        int i = start;
        StringBuilder mantissa = new StringBuilder();
        boolean nonZero = false;
        int digits = 0;
        while (i < s.length && isDigit(s[i])) {
            nonZero |= s[i] != '0';
            mantissa.append((char) s[i++]);
            digits++;
        }
        if (i < s.length && s[i] == '.') {
            int dot = i++;
            mantissa.append('.');
            while (i < s.length && isDigit(s[i])) {
                nonZero |= s[i] != '0';
                mantissa.append((char) s[i++]);
                digits++;
            }
            if (digits == 0) {
                i = dot;
            }
        }
        if (digits == 0) {
            return new Strtod(0, from, false);
        }
        long exponent = 0;
        if (i < s.length && (s[i] == 'e' || s[i] == 'E')) {
            int j = i + 1;
            boolean expNegative = false;
            if (j < s.length && (s[j] == '+' || s[j] == '-')) {
                expNegative = s[j] == '-';
                j++;
            }
            if (j < s.length && isDigit(s[j])) {
                while (j < s.length && isDigit(s[j])) {
                    exponent = Math.min(exponent * 10 + (s[j] - '0'), 1_000_000_000L);
                    j++;
                }
                exponent = expNegative ? -exponent : exponent;
                i = j;
            }
        }
        double magnitude;
        if (!nonZero) {
            magnitude = 0;
        } else {
            magnitude = Double.parseDouble(mantissa + "e" + exponent);
        }
        Strtod r = finish(negative ? -magnitude : magnitude, i, nonZero);
        if (magnitude != 0 && magnitude < Double.MIN_NORMAL
                && new BigDecimal(mantissa + "e" + exponent).compareTo(new BigDecimal(magnitude)) != 0) {
            // glibc sets ERANGE for a subnormal result that is not exact (only SORT looks at that)
            return new Strtod(r.value, r.end, r.outOfRange, true);
        }
        return r;
    }

    private static Strtod hex(byte[] s, int start, boolean negative) {
        int i = start;
        StringBuilder mantissa = new StringBuilder("0x");
        boolean nonZero = false;
        int digits = 0;
        while (i < s.length && Character.digit(s[i], 16) >= 0) {
            nonZero |= s[i] != '0';
            mantissa.append((char) s[i++]);
            digits++;
        }
        if (i < s.length && s[i] == '.') {
            int dot = i++;
            mantissa.append('.');
            while (i < s.length && Character.digit(s[i], 16) >= 0) {
                nonZero |= s[i] != '0';
                mantissa.append((char) s[i++]);
                digits++;
            }
            if (digits == 0) {
                i = dot;
            }
        }
        if (digits == 0) {
            return null;
        }
        long exponent = 0;
        if (i < s.length && (s[i] == 'p' || s[i] == 'P')) {
            int j = i + 1;
            boolean expNegative = false;
            if (j < s.length && (s[j] == '+' || s[j] == '-')) {
                expNegative = s[j] == '-';
                j++;
            }
            if (j < s.length && isDigit(s[j])) {
                while (j < s.length && isDigit(s[j])) {
                    exponent = Math.min(exponent * 10 + (s[j] - '0'), 1_000_000_000L);
                    j++;
                }
                exponent = expNegative ? -exponent : exponent;
                i = j;
            }
        }
        double magnitude = nonZero ? Double.parseDouble(mantissa + "p" + exponent) : 0;
        return finish(negative ? -magnitude : magnitude, i, nonZero);
    }

    /** strtod sets ERANGE on overflow (to ±HUGE_VAL) and on underflow; string2d refuses those two results. */
    private static Strtod finish(double value, int end, boolean nonZero) {
        boolean outOfRange = Double.isInfinite(value) || (nonZero && value == 0);
        return new Strtod(value, end, outOfRange);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean startsWithIgnoreCase(byte[] s, int at, String word) {
        if (s.length - at < word.length()) {
            return false;
        }
        for (int k = 0; k < word.length(); k++) {
            int c = s[at + k];
            if (c >= 'A' && c <= 'Z') {
                c += 32;
            }
            if (c != word.charAt(k)) {
                return false;
            }
        }
        return true;
    }
}
