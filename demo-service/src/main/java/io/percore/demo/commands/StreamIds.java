package io.percore.demo.commands;

import io.percore.demo.kv.StreamId;
import io.percore.demo.resp.RespError;
import java.nio.charset.StandardCharsets;

/**
 * Stream IDs as clients write them, read as Redis 7.0's {@code streamGenericParseIDOrReply} reads
 * them: {@code <ms>-<seq>}, {@code <ms>} alone (its sequence supplied by the caller), {@code -} and
 * {@code +} unless strict, {@code <ms>-*} for XADD, and a {@code (} before an interval's exclusive
 * end. Each part is read by Redis's {@code string2ull}: its canonical integer, or else C's
 * {@code strtoull} (leading blanks, a sign, leading zeros; a minus wraps). The argument is read as
 * a C string, up to its first NUL byte, and must be at most 127 bytes long.
 */
final class StreamIds {

    static final String INVALID = "ERR Invalid stream ID specified as stream command argument";

    private StreamIds() {
    }

    /** What {@link #parseForAdd} found: the ID, and whether its sequence was given (false for {@code <ms>-*}). */
    record Requested(StreamId id, boolean seqGiven) {
    }

    /** An ID where "-" and "+" are the ends (XRANGE, XPENDING, XGROUP SETID). @throws RespError when invalid */
    static StreamId parse(byte[] arg, long missingSeq) {
        StreamId id = parse(arg, missingSeq, false);
        if (id == null) {
            throw new RespError(INVALID);
        }
        return id;
    }

    /** An ID where "-" and "+" are invalid (XADD, XDEL, XACK, XCLAIM, MINID). @throws RespError when invalid */
    static StreamId parseStrict(byte[] arg, long missingSeq) {
        StreamId id = parse(arg, missingSeq, true);
        if (id == null) {
            throw new RespError(INVALID);
        }
        return id;
    }

    /** {@link #parseStrict} without an error: null when invalid (XCLAIM reads its IDs until one is not). */
    static StreamId tryParseStrict(byte[] arg) {
        return parse(arg, 0, true);
    }

    /** XADD's ID, {@code <ms>-*} allowed. @throws RespError when invalid */
    static Requested parseForAdd(byte[] arg) {
        String s = cString(arg);
        if (s == null) {
            throw new RespError(INVALID);
        }
        int dash = s.indexOf('-');
        if (dash >= 0 && s.length() - dash - 1 == 1 && s.charAt(dash + 1) == '*') {
            Long ms = (s.equals("-*") || s.equals("+*")) ? null : stringToUnsigned(s.substring(0, dash));
            if (ms == null) {
                throw new RespError(INVALID);
            }
            return new Requested(new StreamId(ms, 0), false);
        }
        return new Requested(parseStrict(arg, 0), true);
    }

    /**
     * An interval's end: a {@code (} first makes it exclusive (then "-" and "+" are invalid), the
     * ID moved one step inwards by the caller. Returns the ID and whether it was exclusive.
     */
    static Object[] parseInterval(byte[] arg, long missingSeq) {
        boolean exclusive = arg.length > 1 && arg[0] == '(';
        if (exclusive) {
            return new Object[] {parseStrict(java.util.Arrays.copyOfRange(arg, 1, arg.length), missingSeq), true};
        }
        return new Object[] {parse(arg, missingSeq), false};
    }

    /** An interval's start, one past an exclusive bound. @throws RespError when invalid or nothing follows it */
    static StreamId intervalStart(byte[] arg) {
        Object[] parsed = parseInterval(arg, 0);
        StreamId id = (StreamId) parsed[0];
        if ((Boolean) parsed[1]) {
            id = id.next();
            if (id == null) {
                throw new RespError("ERR invalid start ID for the interval");
            }
        }
        return id;
    }

    /** An interval's end, one before an exclusive bound. @throws RespError when invalid or nothing precedes it */
    static StreamId intervalEnd(byte[] arg) {
        Object[] parsed = parseInterval(arg, -1L);
        StreamId id = (StreamId) parsed[0];
        if ((Boolean) parsed[1]) {
            id = id.previous();
            if (id == null) {
                throw new RespError("ERR invalid end ID for the interval");
            }
        }
        return id;
    }

    private static StreamId parse(byte[] arg, long missingSeq, boolean strict) {
        String s = cString(arg);
        if (s == null) {
            return null;
        }
        if (strict && (s.equals("-") || s.equals("+"))) {
            return null;
        }
        if (s.equals("-")) {
            return StreamId.MIN;
        }
        if (s.equals("+")) {
            return StreamId.MAX;
        }
        int dash = s.indexOf('-');
        Long ms = stringToUnsigned(dash >= 0 ? s.substring(0, dash) : s);
        if (ms == null) {
            return null;
        }
        long seq = missingSeq;
        if (dash >= 0) {
            Long parsed = stringToUnsigned(s.substring(dash + 1));
            if (parsed == null) {
                return null;
            }
            seq = parsed;
        }
        return new StreamId(ms, seq);
    }

    /** The argument as the C string Redis reads (up to a NUL byte); null when longer than Redis's 127-byte buffer. */
    static String cString(byte[] arg) {
        if (arg.length > 127) {
            return null;
        }
        int len = 0;
        while (len < arg.length && arg[len] != 0) {
            len++;
        }
        return new String(arg, 0, len, StandardCharsets.ISO_8859_1);
    }

    /** Redis's string2ull: null when it fails. */
    static Long stringToUnsigned(String s) {
        if (isCanonicalLong(s)) {
            long v = Long.parseLong(s);
            return v < 0 ? null : v;
        }
        return strtoull(s);
    }

    /** Redis's string2ll: a decimal with an optional '-', no leading zero but "0" itself, no other characters, within 64 bits. */
    private static boolean isCanonicalLong(String s) {
        int n = s.length();
        if (n == 0 || n > 20) {
            return false;
        }
        if (s.equals("0")) {
            return true;
        }
        int p = s.charAt(0) == '-' ? 1 : 0;
        if (p == n || s.charAt(p) < '1' || s.charAt(p) > '9') {
            return false;
        }
        for (int i = p; i < n; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException overflow) {
            return false;
        }
    }

    /** C's strtoull in base 10 with Redis's checks: a number that fills the string, no overflow; a minus negates modulo 2^64. */
    private static Long strtoull(String s) {
        int p = 0;
        int n = s.length();
        while (p < n && isSpace(s.charAt(p))) {
            p++;
        }
        boolean negative = false;
        if (p < n && (s.charAt(p) == '+' || s.charAt(p) == '-')) {
            negative = s.charAt(p) == '-';
            p++;
        }
        int digitsStart = p;
        long value = 0;
        boolean overflow = false;
        while (p < n && s.charAt(p) >= '0' && s.charAt(p) <= '9') {
            int d = s.charAt(p) - '0';
            if (Long.compareUnsigned(value, Long.divideUnsigned(-1L - d, 10)) > 0) {
                overflow = true;
            }
            value = value * 10 + d;
            p++;
        }
        if (p == digitsStart || p != n || n == 0 || overflow) {
            return null; // no digits, trailing characters, or ERANGE
        }
        return negative ? -value : value;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }
}
