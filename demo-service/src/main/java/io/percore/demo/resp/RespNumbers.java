package io.percore.demo.resp;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;

/** Redis's number syntax: {@code string2ll}'s strict integers and INCRBYFLOAT's decimals. */
public final class RespNumbers {

    private RespNumbers() {
    }

    /** True if {@code b} is an integer exactly as Redis's {@code string2ll} accepts it. */
    public static boolean isLong(byte[] b) {
        if (b.length == 0 || b.length > 20) {
            return false;
        }
        if (b.length == 1 && b[0] == '0') {
            return true;
        }
        int i = 0;
        boolean negative = b[0] == '-';
        if (negative) {
            i++;
            if (b.length == 1) {
                return false;
            }
        }
        if (b[i] < '1' || b[i] > '9') {
            return false;
        }
        long v = 0;
        for (; i < b.length; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return false;
            }
            // accumulate negatively so Long.MIN_VALUE is representable
            if (v < (Long.MIN_VALUE + d) / 10) {
                return false;
            }
            v = v * 10 - d;
        }
        return negative || v != Long.MIN_VALUE;
    }

    /** Parses a {@link #isLong} integer; callers check {@link #isLong} first. */
    public static long parseLong(byte[] b) {
        // up to 18 digits cannot overflow: read in place (INCR's operand, EVAL's numkeys), no String made
        int i = b.length > 1 && b[0] == '-' ? 1 : 0;
        if (b.length > i && b.length - i <= 18) {
            long v = 0;
            for (int at = i; at < b.length; at++) {
                int d = b[at] - '0';
                if (d < 0 || d > 9) {
                    return Long.parseLong(new String(b, StandardCharsets.ISO_8859_1));
                }
                v = v * 10 + d;
            }
            return i == 1 ? -v : v;
        }
        return Long.parseLong(new String(b, StandardCharsets.ISO_8859_1));
    }

    /** The integer in {@code b}, or a {@code value is not an integer or out of range} error. */
    public static long requireLong(byte[] b) {
        if (!isLong(b)) {
            throw new RespError(RespReplies.NOT_INTEGER);
        }
        return parseLong(b);
    }

    public static byte[] toBytes(long v) {
        if (v == Long.MIN_VALUE) {
            return Long.toString(v).getBytes(StandardCharsets.US_ASCII);
        }
        // the digits written straight into the result (INCR's new value): no String on the way
        long magnitude = Math.abs(v);
        int length = v < 0 ? 2 : 1;
        for (long rest = magnitude / 10; rest > 0; rest /= 10) {
            length++;
        }
        byte[] out = new byte[length];
        int at = length;
        do {
            out[--at] = (byte) ('0' + magnitude % 10);
            magnitude /= 10;
        } while (magnitude > 0);
        if (v < 0) {
            out[0] = '-';
        }
        return out;
    }

    /**
     * A decimal as INCRBYFLOAT accepts it. Redis uses {@code strtold}; we use exact decimals,
     * which print the same as Redis's 80-bit long doubles for the values people write
     * ({@code 0.1 + 0.2} gives {@code 0.3}, not {@code 0.30000000000000004}).
     */
    public static BigDecimal parseDecimal(byte[] b) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        if (s.isEmpty() || s.length() > 5000 || Character.isWhitespace(s.charAt(0)) || Character.isWhitespace(s.charAt(s.length() - 1))) {
            throw new RespError(RespReplies.NOT_FLOAT);
        }
        String lower = s.toLowerCase(java.util.Locale.ROOT);
        if (lower.contains("inf") || lower.contains("nan")) {
            throw new RespError(RespReplies.NOT_FLOAT);
        }
        try {
            BigDecimal d = new BigDecimal(s);
            if (Math.abs((long) d.scale()) > 5000 || d.precision() - d.scale() > 5000) {
                throw new RespError("ERR increment would produce NaN or Infinity");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new RespError(RespReplies.NOT_FLOAT);
        }
    }

    /** Formats like Redis's {@code ld2string(..., LD_STR_HUMAN)}: 17 decimals, trailing zeros removed. */
    public static byte[] formatDecimal(BigDecimal d) {
        BigDecimal rounded = d.setScale(17, RoundingMode.HALF_EVEN).stripTrailingZeros();
        if (rounded.signum() == 0) {
            return new byte[] {'0'};
        }
        return rounded.toPlainString().getBytes(StandardCharsets.US_ASCII);
    }
}
