package io.percore.demo.commands;

/**
 * A BY or GET pattern of SORT (Redis's {@code lookupKeyByPattern}): {@code #} is the element
 * itself; a pattern with a {@code *} names a key, the first {@code *} replaced by the element, and
 * with {@code ->field} after the {@code *} a field of the hash at that key; a pattern without
 * {@code *} names nothing (GET answers nil, BY leaves the elements unsorted). Redis finds the
 * {@code #}, the {@code *} and the {@code ->} in the pattern as a C string, so a NUL byte ends the
 * search; the parts it copies are taken whole, NULs included, as here.
 */
final class SortPattern {

    enum Kind { ELEMENT, NONE, KEY }

    private final Kind kind;
    private final byte[] pattern;
    /** Where the first {@code *} is. */
    private final int star;
    /** The bytes after the {@code *} that follow the element in the key. */
    private final int postfixLength;
    /** The hash field after {@code ->}, or null for a string key. */
    private final byte[] field;

    private SortPattern(Kind kind, byte[] pattern, int star, int postfixLength, byte[] field) {
        this.kind = kind;
        this.pattern = pattern;
        this.star = star;
        this.postfixLength = postfixLength;
        this.field = field;
    }

    static SortPattern of(byte[] pattern) {
        int cLength = cLength(pattern);
        if (cLength == 1 && pattern[0] == '#') {
            return new SortPattern(Kind.ELEMENT, pattern, -1, 0, null);
        }
        int star = indexOf(pattern, cLength, (byte) '*', 0);
        if (star < 0) {
            return new SortPattern(Kind.NONE, pattern, -1, 0, null);
        }
        byte[] field = null;
        int arrow = arrowAfter(pattern, cLength, star + 1);
        if (arrow >= 0 && arrow + 2 < cLength) { // "->" with a field after it
            field = java.util.Arrays.copyOfRange(pattern, arrow + 2, pattern.length);
        }
        int postfix = pattern.length - (star + 1) - (field != null ? field.length + 2 : 0);
        return new SortPattern(Kind.KEY, pattern, star, postfix, field);
    }

    /** Whether {@code pattern}, as BY, names keys (it has a {@code *}): else SORT does not sort. */
    static boolean hasStar(byte[] pattern) {
        return indexOf(pattern, cLength(pattern), (byte) '*', 0) >= 0;
    }

    Kind kind() {
        return kind;
    }

    /** The key this pattern names for {@code element} (kind KEY). */
    byte[] key(byte[] element) {
        byte[] key = new byte[star + element.length + postfixLength];
        System.arraycopy(pattern, 0, key, 0, star);
        System.arraycopy(element, 0, key, star, element.length);
        System.arraycopy(pattern, star + 1, key, star + element.length, postfixLength);
        return key;
    }

    /** The hash field to read at the key, or null to read the key as a string. */
    byte[] field() {
        return field;
    }

    /** The length of {@code b} as a C string: up to its first NUL. */
    private static int cLength(byte[] b) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        return b.length;
    }

    private static int indexOf(byte[] b, int end, byte wanted, int from) {
        for (int i = from; i < end; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static int arrowAfter(byte[] b, int end, int from) {
        for (int i = from; i + 1 < end; i++) {
            if (b[i] == '-' && b[i + 1] == '>') {
                return i;
            }
        }
        return -1;
    }
}
