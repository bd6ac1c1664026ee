package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The in-place string: growth with spare capacity (amortized), copy-on-write once its array was
 * shared, zeros past the old end, and the heap figure the budget counts (the real array size).
 */
class GrowableStringTest {

    private static final long NO_LIMIT = Long.MAX_VALUE;

    @Test
    void growsExactlyFromEmptyThenWithSpareCapacity() {
        GrowableString s = GrowableString.empty();
        s.ensureLength(100, NO_LIMIT);
        assertThat(s.length()).isEqualTo(100);
        assertThat(s.array()).as("a string made in one step needs no slack").hasSize(100);
        s.ensureLength(101, NO_LIMIT);
        assertThat(s.array()).as("doubling below 1 MB").hasSize(202);
        byte[] before = s.array();
        for (int n = 102; n <= 202; n++) {
            s.ensureLength(n, NO_LIMIT);
        }
        assertThat(s.array()).as("no copy while the spare room lasts").isSameAs(before);
        s.ensureLength(3 << 20, NO_LIMIT);
        assertThat(s.array()).as("1 MB of slack past 1 MB").hasSize((3 << 20) + GrowableString.MAX_PREALLOC);
        s.ensureLength(50, NO_LIMIT);
        assertThat(s.length()).as("never shrinks").isEqualTo(3 << 20);
    }

    @Test
    void theSpareCapacityStopsAtTheLimit() {
        GrowableString s = GrowableString.own(new byte[1000]);
        s.ensureLength(1500, 1600);
        assertThat(s.array()).hasSize(1600);
        s.ensureLength(1700, 1600);
        assertThat(s.array()).as("never less than the length asked for").hasSize(1700);
    }

    @Test
    void aSharedArrayIsCopiedBeforeTheNextChangeAndNeverChangedAfter() {
        GrowableString s = GrowableString.own("abcdef".getBytes(StandardCharsets.US_ASCII));
        byte[] held = s.share();
        s.ensureLength(6, NO_LIMIT);
        assertThat(s.array()).as("copied for the change").isNotSameAs(held);
        s.array()[0] = 'X';
        assertThat(new String(held, StandardCharsets.US_ASCII)).isEqualTo("abcdef");
        byte[] mine = s.array();
        s.ensureLength(6, NO_LIMIT);
        assertThat(s.array()).as("one copy per share, not per change").isSameAs(mine);

        byte[] argument = "plain".getBytes(StandardCharsets.US_ASCII);
        GrowableString adopted = GrowableString.adopt(argument);
        assertThat(adopted.array()).as("adopted without a copy").isSameAs(argument);
        adopted.ensureLength(8, NO_LIMIT);
        adopted.array()[0] = 'P';
        assertThat(new String(argument, StandardCharsets.US_ASCII)).as("a reply may hold the adopted array").isEqualTo("plain");
        assertThat(new String(adopted.toByteArray(), StandardCharsets.ISO_8859_1)).isEqualTo("Plain\0\0\0");
    }

    @Test
    void grownBytesAreZeroAndTheCopyIsIndependent() {
        GrowableString s = GrowableString.empty();
        s.ensureLength(10, NO_LIMIT);
        java.util.Arrays.fill(s.array(), 0, 10, (byte) 7);
        s.ensureLength(30, NO_LIMIT);
        for (int i = 10; i < 30; i++) {
            assertThat(s.array()[i]).isZero();
        }
        GrowableString copy = s.copy();
        assertThat(copy.array()).as("an exact copy, as Redis's dupStringObject").hasSize(30);
        copy.ensureLength(30, NO_LIMIT);
        copy.array()[0] = 1;
        assertThat(s.array()[0]).isEqualTo((byte) 7);
        assertThat(copy.encoding()).isEqualTo("raw");
    }

    @Test
    void theBudgetFigureIsTheRealArray() {
        GrowableString s = GrowableString.empty();
        s.ensureLength(1000, NO_LIMIT);
        s.ensureLength(1001, NO_LIMIT);
        assertThat(s.bytes()).isEqualTo(GrowableString.OVERHEAD + ((16 + 2002 + 7) & ~7));
    }
}
