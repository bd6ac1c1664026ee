package io.percore.demo.kv;

import java.util.Arrays;

/**
 * The byte layout of a small hash (Redis's listpack encoding): every field and its value in one
 * byte array, in insertion order, each as its length (LEB128: one byte below 128) then its bytes.
 * Nothing per field beyond a length byte or two, where a map costs a node, a key wrapper and two
 * array headers (about 90 bytes). A lookup is a scan and a change copies the array, O(bytes) as in
 * Redis's listpack, which is why {@link HashValue} keeps only small hashes this way. Arrays are
 * exact-size and never shared: every change returns a new one or writes in place.
 */
final class HashListpack {

    static final byte[] EMPTY = new byte[0];

    private HashListpack() {
    }

    static int lengthBytes(int length) {
        int n = 1;
        while (length >= 0x80) {
            length >>>= 7;
            n++;
        }
        return n;
    }

    /** Bytes a field and its value take. */
    static int pairBytes(byte[] field, byte[] value) {
        return lengthBytes(field.length) + field.length + lengthBytes(value.length) + value.length;
    }

    static int writeLength(byte[] lp, int at, int length) {
        while (length >= 0x80) {
            lp[at++] = (byte) (length | 0x80);
            length >>>= 7;
        }
        lp[at++] = (byte) length;
        return at;
    }

    /** The length stored at {@code at}. */
    static int length(byte[] lp, int at) {
        int b = lp[at];
        if (b >= 0) {
            return b;
        }
        int length = b & 0x7F;
        for (int shift = 7; ; shift += 7) {
            b = lp[++at];
            length |= (b & 0x7F) << shift;
            if (b >= 0) {
                return length;
            }
        }
    }

    /** Where the bytes of the item whose length starts at {@code at} begin. */
    static int data(byte[] lp, int at) {
        while (lp[at] < 0) {
            at++;
        }
        return at + 1;
    }

    /** Where the item after the one at {@code at} starts. */
    static int next(byte[] lp, int at) {
        return data(lp, at) + length(lp, at);
    }

    /** How many fields (each with its value) {@code lp} holds. */
    static int pairs(byte[] lp) {
        int n = 0;
        for (int at = 0; at < lp.length; at = next(lp, next(lp, at))) {
            n++;
        }
        return n;
    }

    /** Where the field equal to {@code field} starts, or -1. */
    static int find(byte[] lp, byte[] field) {
        int n = field.length;
        for (int at = 0; at < lp.length; ) {
            int len = length(lp, at);
            int from = data(lp, at);
            if (len == n && Arrays.equals(lp, from, from + n, field, 0, n)) {
                return at;
            }
            at = next(lp, from + len);
        }
        return -1;
    }

    /** A copy of the item (field or value) at {@code at}. */
    static byte[] item(byte[] lp, int at) {
        int from = data(lp, at);
        return Arrays.copyOfRange(lp, from, from + length(lp, at));
    }

    /** {@code lp} with field and value appended. */
    static byte[] append(byte[] lp, byte[] field, byte[] value) {
        byte[] out = Arrays.copyOf(lp, lp.length + pairBytes(field, value));
        int at = writeLength(out, lp.length, field.length);
        System.arraycopy(field, 0, out, at, field.length);
        at = writeLength(out, at + field.length, value.length);
        System.arraycopy(value, 0, out, at, value.length);
        return out;
    }

    /** {@code lp} with the value at {@code at} replaced: in place when the new one is as long, else a new array. */
    static byte[] replace(byte[] lp, int at, byte[] value) {
        int oldEnd = next(lp, at);
        int newSize = lengthBytes(value.length) + value.length;
        byte[] out = oldEnd - at == newSize ? lp : new byte[lp.length - (oldEnd - at) + newSize];
        if (out != lp) {
            System.arraycopy(lp, 0, out, 0, at);
            System.arraycopy(lp, oldEnd, out, at + newSize, lp.length - oldEnd);
        }
        int data = writeLength(out, at, value.length);
        System.arraycopy(value, 0, out, data, value.length);
        return out;
    }

    /** {@code lp} without the field at {@code at} and its value. */
    static byte[] removePair(byte[] lp, int at) {
        int end = next(lp, next(lp, at));
        if (end - at == lp.length) {
            return EMPTY;
        }
        byte[] out = new byte[lp.length - (end - at)];
        System.arraycopy(lp, 0, out, 0, at);
        System.arraycopy(lp, end, out, at, lp.length - end);
        return out;
    }
}
