package io.percore.demo.resp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class AsciiCaseTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void lettersMatchInEitherCaseAndNothingElseIsFolded() {
        assertThat(AsciiCase.equalsIgnoreCase(b("MuLtI"), b("multi"))).isTrue();
        assertThat(AsciiCase.equalsIgnoreCase(b("replconf"), b("replconf"))).isTrue();
        assertThat(AsciiCase.equalsIgnoreCase(b("multi "), b("multi"))).isFalse();
        assertThat(AsciiCase.equalsIgnoreCase(b("mult"), b("multi"))).isFalse();
        // '@' | 0x20 is '`' and '[' | 0x20 is '{': strcasecmp folds letters only
        assertThat(AsciiCase.equalsIgnoreCase(b("@"), b("`"))).isFalse();
        assertThat(AsciiCase.equalsIgnoreCase(b("["), b("{"))).isFalse();
        assertThat(AsciiCase.equalsIgnoreCase(b("\u00c0"), b("\u00e0"))).as("not Latin-1's letters either").isFalse();
    }
}
