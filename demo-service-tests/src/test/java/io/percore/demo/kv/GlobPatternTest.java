package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GlobPatternTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The patterns that made the recursive matcher run for seconds or forever (issue 12, row 2):
     * every one must now finish well inside the bound; the old matcher did not finish the second in
     * minutes.
     */
    @Test
    void pathologicalPatternsFinishInPolynomialTime() {
        byte[] fifty = new byte[50];
        Arrays.fill(fifty, (byte) 'a');
        byte[] hundred = new byte[100];
        Arrays.fill(hundred, (byte) 'a');
        byte[] longKey = new byte[100_000];
        Arrays.fill(longKey, (byte) 'a');
        StringBuilder manyStars = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            manyStars.append("*a");
        }
        manyStars.append("*b");
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            assertThat(new GlobPattern(b("*a*a*a*a*a*a*a*a*b")).matches(fifty)).isFalse();
            assertThat(new GlobPattern(b("*a*a*a*a*a*a*a*a*a*a*a*a*a*b")).matches(hundred)).isFalse();
            assertThat(new GlobPattern(b(manyStars.toString())).matches(longKey)).isFalse();
            assertThat(new GlobPattern(b("*a*a*a*a*a*a*a*a*a*a*a*a*a*")).matches(hundred)).isTrue();
        });
    }

    @Test
    void redisEdgeCases() {
        assertThat(new GlobPattern(b("h[b-a]llo")).matches(b("hallo"))).as("reversed range").isTrue();
        assertThat(new GlobPattern(b("a[bc")).matches(b("ac"))).as("unterminated class").isTrue();
        assertThat(new GlobPattern(b("a\\")).matches(b("a\\"))).as("trailing backslash").isTrue();
        assertThat(new GlobPattern(b("[\\]]")).matches(b("]"))).as("escaped bracket in class").isTrue();
        assertThat(new GlobPattern(b("[]")).matches(b("]"))).as("empty class").isFalse();
        assertThat(new GlobPattern(b("*")).matches(b(""))).isTrue();
        assertThat(new GlobPattern(b("**")).matches(b(""))).as("as Redis: only a lone * is match-all").isFalse();
        assertThat(new GlobPattern(b("a**")).matches(b("a"))).isTrue();
        assertThat(new GlobPattern(b("?")).matches(b(""))).isFalse();
        assertThat(new GlobPattern(b("")).matches(b(""))).isTrue();
        assertThat(new GlobPattern(b("")).matches(b("a"))).isFalse();
        assertThat(new GlobPattern(new byte[] {'[', (byte) 0xF0, '-', (byte) 0xFF, ']'}).matches(new byte[] {(byte) 0xFA}))
                .as("bytes above 0x7F compare unsigned").isTrue();
    }

    /** The bounded matcher agrees with Redis's own recursive algorithm on every small input tried. */
    @Test
    void agreesWithRedisRecursiveMatcher() {
        byte[] patternAlphabet = b("ab*?[]^-\\");
        byte[] stringAlphabet = b("ab]-^\\");
        SplittableRandom random = new SplittableRandom(12);
        for (int i = 0; i < 200_000; i++) {
            byte[] p = randomBytes(random, patternAlphabet, random.nextInt(9));
            byte[] s = randomBytes(random, stringAlphabet, random.nextInt(9));
            // KEYS and SCAN take a lone "*" as match-all before matching, and so does GlobPattern.
            boolean expected = (p.length == 1 && p[0] == '*') || RedisStringMatch.matches(p, s);
            assertThat(new GlobPattern(p).matches(s))
                    .as("pattern %s on %s", new String(p, StandardCharsets.ISO_8859_1),
                            new String(s, StandardCharsets.ISO_8859_1))
                    .isEqualTo(expected);
        }
    }

    private static byte[] randomBytes(SplittableRandom random, byte[] alphabet, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = alphabet[random.nextInt(alphabet.length)];
        }
        return out;
    }

    /**
     * Redis 7.0's {@code stringmatchlen} transcribed step by step (case-sensitive), as the oracle:
     * exponential on hostile input, fine on the short inputs above.
     */
    private static final class RedisStringMatch {

        static boolean matches(byte[] p, byte[] s) {
            return match(p, 0, s, 0);
        }

        private static boolean match(byte[] p, int pi, byte[] s, int si) {
            int plen = p.length - pi;
            int slen = s.length - si;
            while (plen > 0 && slen > 0) {
                switch (p[pi]) {
                    case '*':
                        while (plen > 1 && p[pi + 1] == '*') {
                            pi++;
                            plen--;
                        }
                        if (plen == 1) {
                            return true;
                        }
                        while (slen > 0) {
                            if (match(p, pi + 1, s, si)) {
                                return true;
                            }
                            si++;
                            slen--;
                        }
                        return false;
                    case '?':
                        si++;
                        slen--;
                        break;
                    case '[': {
                        pi++;
                        plen--;
                        boolean not = plen > 0 && p[pi] == '^';
                        if (not) {
                            pi++;
                            plen--;
                        }
                        boolean found = false;
                        while (true) {
                            if (plen >= 2 && p[pi] == '\\') {
                                pi++;
                                plen--;
                                if (p[pi] == s[si]) {
                                    found = true;
                                }
                            } else if (plen > 0 && p[pi] == ']') {
                                break;
                            } else if (plen == 0) {
                                pi--;
                                plen++;
                                break;
                            } else if (plen >= 3 && p[pi + 1] == '-') {
                                int start = p[pi] & 0xFF;
                                int end = p[pi + 2] & 0xFF;
                                int c = s[si] & 0xFF;
                                if (start > end) {
                                    int t = start;
                                    start = end;
                                    end = t;
                                }
                                pi += 2;
                                plen -= 2;
                                if (c >= start && c <= end) {
                                    found = true;
                                }
                            } else if (p[pi] == s[si]) {
                                found = true;
                            }
                            pi++;
                            plen--;
                        }
                        if (not) {
                            found = !found;
                        }
                        if (!found) {
                            return false;
                        }
                        si++;
                        slen--;
                        break;
                    }
                    case '\\':
                        if (plen >= 2) {
                            pi++;
                            plen--;
                        }
                        // fall through
                    default:
                        if (p[pi] != s[si]) {
                            return false;
                        }
                        si++;
                        slen--;
                        break;
                }
                pi++;
                plen--;
                if (slen == 0) {
                    while (plen > 0 && p[pi] == '*') {
                        pi++;
                        plen--;
                    }
                    break;
                }
            }
            return plen == 0 && slen == 0;
        }
    }
}
