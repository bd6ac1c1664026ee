package io.percore.demo.acl;

import io.percore.demo.resp.RespNumbers;
import java.nio.charset.StandardCharsets;

/**
 * Byte-string helpers with Redis's C semantics: names and rules are binary ({@code sds}), kept in Java
 * strings of ISO-8859-1 so every byte is one char and comparisons are byte comparisons.
 */
final class Bytes {

    private Bytes() {
    }

    /** The bytes as one char each. */
    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The chars of {@code text} as bytes (each below 256). */
    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** {@code strcasecmp(arg, lower) == 0} for an ASCII {@code lower} in lower case. */
    static boolean equalsIgnoreCase(byte[] arg, String lower) {
        if (arg.length != lower.length()) {
            return false;
        }
        for (int i = 0; i < arg.length; i++) {
            int b = arg[i] & 0xFF;
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Redis's {@code string2ll}, or -1 when the text is not one (callers want only counts of zero or more). */
    static long parseLong(byte[] arg) {
        return RespNumbers.isLong(arg) ? RespNumbers.parseLong(arg) : -1;
    }

    /** C's {@code atoi}: leading spaces, a sign, digits up to the first other byte; 0 for none. */
    static long atoi(byte[] arg) {
        int i = 0;
        while (i < arg.length && (arg[i] == ' ' || (arg[i] >= '\t' && arg[i] <= '\r'))) {
            i++;
        }
        boolean negative = false;
        if (i < arg.length && (arg[i] == '-' || arg[i] == '+')) {
            negative = arg[i] == '-';
            i++;
        }
        long n = 0;
        while (i < arg.length && arg[i] >= '0' && arg[i] <= '9' && n < Integer.MAX_VALUE) {
            n = n * 10 + (arg[i] - '0');
            i++;
        }
        return negative ? -n : n;
    }

    /** Redis's {@code ACLStringHasSpaces}: a space ({@code isspace}) or a NUL byte. */
    static boolean hasSpaces(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || (c >= '\t' && c <= '\r') || c == 0) {
                return true;
            }
        }
        return false;
    }

    /** The C string {@code s} is: up to its first NUL (what {@code strcasecmp} and {@code %s} see of an sds). */
    static String cString(String s) {
        int nul = s.indexOf('\0');
        return nul < 0 ? s : s.substring(0, nul);
    }

    /** {@code s} with ASCII letters in lower case (C's {@code tolower} in the C locale: other bytes stay). */
    static String lowerAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                char[] chars = s.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    if (chars[j] >= 'A' && chars[j] <= 'Z') {
                        chars[j] += 32;
                    }
                }
                return new String(chars);
            }
        }
        return s;
    }
}
