package io.percore.demo.scripting;

import java.nio.charset.StandardCharsets;

/**
 * C's {@code strtod} reading a number at the front of a text and stopping where the number ends
 * (cjson's numbers, which the text goes on after): an optional sign, then decimal digits with an
 * optional fraction and exponent, a hexadecimal integer ({@code 0x1f}), {@code inf},
 * {@code infinity} or {@code nan} in any case. Its value is the correctly rounded double, as glibc's.
 */
final class StrtodPrefix {

    private StrtodPrefix() {
    }

    /** Where the number starting at {@code from} ends; {@code from} itself when there is none. */
    static int end(byte[] b, int from) {
        int p = from;
        if (at(b, p) == '+' || at(b, p) == '-') {
            p++;
        }
        if (word(b, p, "infinity")) {
            return p + 8;
        }
        if (word(b, p, "inf") || word(b, p, "nan")) {
            return p + 3;
        }
        if (at(b, p) == '0' && (at(b, p + 1) | 0x20) == 'x' && Character.digit(at(b, p + 2), 16) >= 0) {
            p += 2;
            while (Character.digit(at(b, p), 16) >= 0) {
                p++;
            }
            return p;
        }
        int digits = 0;
        while (isDigit(at(b, p))) {
            p++;
            digits++;
        }
        if (at(b, p) == '.') {
            int q = p + 1;
            while (isDigit(at(b, q))) {
                q++;
                digits++;
            }
            if (digits > 0) {
                p = q;
            }
        }
        if (digits == 0) {
            return from;
        }
        if ((at(b, p) | 0x20) == 'e') {
            int q = p + 1;
            if (at(b, q) == '+' || at(b, q) == '-') {
                q++;
            }
            if (isDigit(at(b, q))) {
                while (isDigit(at(b, q))) {
                    q++;
                }
                p = q;
            }
        }
        return p;
    }

    /** The value of the number in {@code [from, end)} as {@link #end} found it. */
    static double value(byte[] b, int from, int end) {
        String text = new String(b, from, end - from, StandardCharsets.ISO_8859_1);
        Double d = LuaNumbers.parse(text);
        return d == null ? 0 : d;
    }

    private static int at(byte[] b, int i) {
        return i < b.length ? b[i] & 0xff : 0;
    }

    private static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    private static boolean word(byte[] b, int p, String w) {
        for (int i = 0; i < w.length(); i++) {
            if ((at(b, p + i) | 0x20) != w.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
