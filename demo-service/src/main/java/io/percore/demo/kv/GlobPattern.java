package io.percore.demo.kv;

/**
 * Redis's glob matching ({@code stringmatchlen}) for KEYS and SCAN MATCH: {@code *}, {@code ?},
 * {@code [abc]}, {@code [^a-z]}, and {@code \} escapes, byte-wise and case-sensitive, with Redis's
 * quirks (a reversed range matches, an unterminated class ends at the pattern's end, a trailing
 * backslash is a literal).
 *
 * <p>A client chooses both the pattern and, through the keys it writes, the strings, so the match
 * must be bounded. Redis's recursive matcher backtracks into every earlier star; a pattern such as
 * {@code *a*a*a*a*a*a*a*a*b} is exponential there unless cut short. Every token except {@code *}
 * matches exactly one byte, so only the most recent star ever needs to be retried: if the rest of
 * the pattern fails from every position after the last star, giving an earlier star more bytes
 * cannot help (the last star could have absorbed them). Matching is therefore iterative, with no
 * recursion, in O(pattern length × string length) time and O(1) space.
 */
public final class GlobPattern {

    private final byte[] pattern;
    private final boolean matchesAll;

    public GlobPattern(byte[] pattern) {
        this.pattern = pattern;
        this.matchesAll = pattern.length == 1 && pattern[0] == '*';
    }

    public boolean matches(byte[] s) {
        return matchesAll || match(pattern, s);
    }

    private static boolean match(byte[] p, byte[] s) {
        if (s.length == 0) {
            // Redis's loop never runs on an empty string, so only an empty pattern matches it
            // (KEYS and SCAN treat a lone "*" as match-all before matching, as this class does).
            return p.length == 0;
        }
        int pi = 0;
        int si = 0;
        int starPattern = -1; // pattern index just after the last star run
        int starString = 0;   // string index the last star was last tried to end at
        while (si < s.length) {
            if (pi < p.length && p[pi] == '*') {
                while (pi < p.length && p[pi] == '*') {
                    pi++;
                }
                if (pi == p.length) {
                    return true;
                }
                starPattern = pi;
                starString = si;
                continue;
            }
            int next = pi < p.length ? matchOne(p, pi, s[si]) : -1;
            if (next >= 0) {
                pi = next;
                si++;
            } else if (starPattern >= 0) {
                // Let the last star swallow one more byte and retry the rest of the pattern.
                pi = starPattern;
                si = ++starString;
            } else {
                return false;
            }
        }
        while (pi < p.length && p[pi] == '*') {
            pi++;
        }
        return pi == p.length;
    }

    /**
     * Matches the single-byte token at {@code pi} against {@code c}; returns the index of the next
     * token, or -1 if it does not match. Never called on a star.
     */
    private static int matchOne(byte[] p, int pi, byte c) {
        switch (p[pi]) {
            case '?':
                return pi + 1;
            case '[':
                return matchClass(p, pi + 1, c & 0xFF);
            case '\\':
                if (pi + 1 < p.length) {
                    pi++;
                }
                return p[pi] == c ? pi + 1 : -1;
            default:
                return p[pi] == c ? pi + 1 : -1;
        }
    }

    /** A character class starting after its {@code [}; Redis's rules, including its edge cases. */
    private static int matchClass(byte[] p, int pi, int c) {
        boolean not = pi < p.length && p[pi] == '^';
        if (not) {
            pi++;
        }
        boolean found = false;
        while (true) {
            if (pi >= p.length) {
                // Unterminated: Redis ends the class at the last byte of the pattern.
                break;
            }
            if (p[pi] == '\\' && pi + 1 < p.length) {
                pi++;
                if ((p[pi] & 0xFF) == c) {
                    found = true;
                }
            } else if (p[pi] == ']') {
                pi++;
                break;
            } else if (pi + 2 < p.length && p[pi + 1] == '-') {
                int start = p[pi] & 0xFF;
                int end = p[pi + 2] & 0xFF;
                if (start > end) {
                    int t = start;
                    start = end;
                    end = t;
                }
                pi += 2;
                if (c >= start && c <= end) {
                    found = true;
                }
            } else if ((p[pi] & 0xFF) == c) {
                found = true;
            }
            pi++;
        }
        return found != not ? pi : -1;
    }
}
