package io.percore.demo.scripting;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers written and read as Lua 5.1 and C's printf/strtod do (LuaJ writes {@code 1/3} as
 * {@code 0.33333334} and {@code 1e15} as {@code 1000000000000000}; Lua 5.1 as
 * {@code 0.33333333333333} and {@code 1e+15}): {@code %.14g} is Lua's {@code LUAI_NUMFFORMAT}.
 * Digits come from the double's exact binary value rounded half-even, as glibc's printf.
 */
final class LuaNumbers {

    private LuaNumbers() {
    }

    /** {@code tostring(n)}: C's {@code %.14g}. */
    static String format(double d) {
        return formatG(d, 14, false, false);
    }

    /** C's {@code %.<precision>g} ({@code upper}: {@code %G}; {@code alternate}: {@code #}, trailing zeros kept). */
    static String formatG(double d, int precision, boolean upper, boolean alternate) {
        if (Double.isNaN(d)) {
            return upper ? "NAN" : (Double.doubleToRawLongBits(d) < 0 ? "-nan" : "nan");
        }
        if (Double.isInfinite(d)) {
            return (d < 0 ? "-" : "") + (upper ? "INF" : "inf");
        }
        int p = precision == 0 ? 1 : precision;
        if (d == 0) {
            String sign = Double.doubleToRawLongBits(d) < 0 ? "-" : "";
            return sign + (alternate ? "0." + "0".repeat(p - 1) : "0");
        }
        BigDecimal rounded = new BigDecimal(d).round(new MathContext(p, RoundingMode.HALF_EVEN));
        int exponent = rounded.precision() - rounded.scale() - 1;
        String out;
        if (exponent < -4 || exponent >= p) {
            out = formatE(d, p - 1, upper);
            if (!alternate) {
                int e = out.indexOf(upper ? 'E' : 'e');
                out = trimZeros(out.substring(0, e)) + out.substring(e);
            }
        } else {
            out = formatF(d, p - 1 - exponent);
            if (!alternate) {
                out = trimZeros(out);
            }
        }
        return out;
    }

    private static String trimZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        int end = s.length();
        while (s.charAt(end - 1) == '0') {
            end--;
        }
        if (s.charAt(end - 1) == '.') {
            end--;
        }
        return s.substring(0, end);
    }

    /** C's {@code %.<decimals>f}. */
    static String formatF(double d, int decimals) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return formatG(d, 1, false, false);
        }
        String s = new BigDecimal(d).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        if (d < 0 || (d == 0 && Double.doubleToRawLongBits(d) < 0)) {
            if (!s.startsWith("-")) {
                s = "-" + s;
            }
        }
        return s;
    }

    /** C's {@code %.<decimals>e}. */
    static String formatE(double d, int decimals, boolean upper) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            return formatG(d, 1, upper, false);
        }
        String sign = d < 0 || (d == 0 && Double.doubleToRawLongBits(d) < 0) ? "-" : "";
        BigDecimal abs = new BigDecimal(Math.abs(d));
        int exponent = 0;
        String digits;
        if (abs.signum() == 0) {
            digits = "0".repeat(decimals + 1);
        } else {
            BigDecimal r = abs.round(new MathContext(decimals + 1, RoundingMode.HALF_EVEN));
            exponent = r.precision() - r.scale() - 1;
            digits = r.unscaledValue().toString();
            while (digits.length() < decimals + 1) {
                digits += "0";
            }
            digits = digits.substring(0, decimals + 1);
        }
        StringBuilder b = new StringBuilder(sign).append(digits.charAt(0));
        if (decimals > 0) {
            b.append('.').append(digits, 1, digits.length());
        }
        b.append(upper ? 'E' : 'e').append(exponent < 0 ? '-' : '+');
        int e = Math.abs(exponent);
        if (e < 10) {
            b.append('0');
        }
        return b.append(e).toString();
    }

    /**
     * Lua 5.1's {@code luaO_str2d}: C's {@code strtod} of the whole text (spaces around allowed),
     * or a hexadecimal integer ({@code 0x10}); null when it is not a number.
     */
    static Double parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            return null;
        }
        String body = s.startsWith("-") || s.startsWith("+") ? s.substring(1) : s;
        if (body.startsWith("0x") || body.startsWith("0X")) {
            String hex = body.substring(2);
            if (hex.isEmpty() || !hex.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
                return null;
            }
            double v = new java.math.BigInteger(hex, 16).doubleValue();
            return s.startsWith("-") ? -v : v;
        }
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return s.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        if (lower.equals("nan")) {
            return Double.NaN;
        }
        if (!body.matches("(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
            return null;
        }
        return Double.parseDouble(s);
    }

    /** {@code tonumber(s, base)}: C's {@code strtoul} of the whole text in {@code base}; null when it is not one. */
    static Long parseBase(String text, int base) {
        String s = text.strip();
        boolean negative = s.startsWith("-");
        if (negative) {
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            return null;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            int digit = Character.digit(s.charAt(i), base);
            if (digit < 0) {
                return null;
            }
            n = n * base + digit;
        }
        return negative ? -n : n;
    }
}
