package io.percore.demo.rdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pieces of the DUMP format: Redis's CRC-64, LZF decompression, listpack and intset reading. */
class RdbPrimitivesTest {

    @Test
    void crc64MatchesRedisTestVectors() {
        // Redis's crc64.c self-test: "123456789", and its Lorem ipsum with the terminating NUL
        assertThat(Crc64.of("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xe9c6d914c4b8d9caL);
        String li = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et "
                + "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea "
                + "commodo consequat. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat "
                + "nulla pariatur. Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit "
                + "anim id est laborum.\u0000";
        assertThat(Crc64.of(li.getBytes(StandardCharsets.US_ASCII))).isEqualTo(0xc7794709e69683b3L);
    }

    @Test
    void crc64EightBytesAtATimeEqualsOneAtATime() {
        Random random = new Random(1);
        for (int n = 0; n < 100; n++) {
            byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            long oneByOne = 0;
            for (byte b : data) {
                oneByOne = Crc64.update(oneByOne, new byte[] {b}, 0, 1);
            }
            assertThat(Crc64.of(data)).isEqualTo(oneByOne);
        }
    }

    @Test
    void lzfDecompressesLiteralsAndOverlappingReferences() {
        // literal "ab" (ctrl 1), then a back reference of 3+2... : length field 1 (3 bytes), offset 1 (back 2)
        byte[] in = {1, 'a', 'b', (byte) (1 << 5), 1};
        byte[] out = new byte[5];
        assertThat(Lzf.decompress(in, 0, in.length, out)).isEqualTo(5);
        assertThat(new String(out, StandardCharsets.US_ASCII)).isEqualTo("ababa");
        // length 7 + extension byte: 7 + 250 + 2 = 259 copies of the one literal
        byte[] run = {0, 'x', (byte) (7 << 5), (byte) 250, 0};
        byte[] many = new byte[260];
        assertThat(Lzf.decompress(run, 0, run.length, many)).isEqualTo(260);
        assertThat(new String(many, StandardCharsets.US_ASCII)).isEqualTo("x".repeat(260));
        assertThat(260.0 / run.length).isLessThan(Lzf.MAX_EXPANSION);
    }

    @Test
    void corruptLzfYieldsZero() {
        byte[] out = new byte[10];
        assertThat(Lzf.decompress(new byte[] {(byte) (1 << 5), 5}, 0, 2, out)).as("reference before the start").isZero();
        assertThat(Lzf.decompress(new byte[] {5, 'a', 'b'}, 0, 3, out)).as("literal past the input").isZero();
        assertThat(Lzf.decompress(new byte[] {20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21}, 0, 22, out))
                .as("literal past the output").isZero();
        assertThat(Lzf.decompress(new byte[] {0, 'a', (byte) (7 << 5)}, 0, 3, out)).as("reference cut short").isZero();
        assertThat(Lzf.decompress(new byte[] {0, 'a', (byte) (6 << 5), 0}, 0, 4, new byte[5])).as("reference past the output").isZero();
    }

    private static List<String> entries(byte[] lp) {
        List<String> out = new ArrayList<>();
        Listpack.forEach(lp, e -> out.add(new String(e, StandardCharsets.ISO_8859_1)));
        return out;
    }

    private static byte[] listpack(int count, int... body) {
        int total = 6 + body.length + 1;
        byte[] lp = new byte[total];
        lp[0] = (byte) total;
        lp[1] = (byte) (total >>> 8);
        lp[4] = (byte) count;
        lp[5] = (byte) (count >>> 8);
        for (int i = 0; i < body.length; i++) {
            lp[6 + i] = (byte) body[i];
        }
        lp[total - 1] = (byte) 0xFF;
        return lp;
    }

    @Test
    void listpackIntegersOfEveryWidth() {
        byte[] lp = listpack(8,
                0x7F, 1,                                   // 7-bit 127
                0xC0 | 0x1F, 0xFF, 2,                      // 13-bit -1
                0xC0 | 0x10, 0x00, 2,                      // 13-bit -4096
                0xF1, 0x00, 0x80, 3,                       // 16-bit -32768
                0xF2, 0xFF, 0xFF, 0x7F, 4,                 // 24-bit 8388607
                0xF3, 0x00, 0x00, 0x00, 0x80, 5,           // 32-bit -2147483648
                0xF4, 0, 0, 0, 0, 0, 0, 0, 0x80, 9,        // 64-bit min
                0x82, 'h', 'i', 3);                        // 6-bit string
        assertThat(entries(lp)).containsExactly("127", "-1", "-4096", "-32768", "8388607", "-2147483648", "-9223372036854775808", "hi");
    }

    @Test
    void listpackFaultsAreBadPayloads() {
        assertThatThrownBy(() -> entries(listpack(1, 0x7F, 2))).as("back length wrong").isInstanceOf(BadPayloadException.class);
        assertThatThrownBy(() -> entries(listpack(2, 0x7F, 1))).as("count wrong").isInstanceOf(BadPayloadException.class);
        assertThatThrownBy(() -> entries(listpack(1, 0xF6, 1))).as("unknown encoding").isInstanceOf(BadPayloadException.class);
        assertThatThrownBy(() -> entries(listpack(1, 0x85, 'a', 6))).as("string past the end").isInstanceOf(BadPayloadException.class);
        assertThatThrownBy(() -> entries(listpack(1, 0xF0, 0xFF, 0xFF, 0xFF, 0xFF))).as("4 GB string").isInstanceOf(BadPayloadException.class);
        byte[] early = listpack(1, 0xFF, 0x7F, 1);
        assertThatThrownBy(() -> entries(early)).as("end byte inside").isInstanceOf(BadPayloadException.class);
        assertThat(entries(listpack(0xFFFF, 0x01, 1))).as("count unknown").containsExactly("1");
    }

    @Test
    void intsetsAscendWithoutRepeats() {
        List<String> members = new ArrayList<>();
        Intset.forEach(new byte[] {4, 0, 0, 0, 2, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x70, 0x11, 1, 0},
                m -> members.add(new String(m, StandardCharsets.US_ASCII)));
        assertThat(members).containsExactly("-1", "70000");
        assertThatThrownBy(() -> Intset.forEach(new byte[] {2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 5, 0}, m -> { }))
                .isInstanceOf(BadPayloadException.class);
        assertThatThrownBy(() -> Intset.forEach(new byte[] {3, 0, 0, 0, 1, 0, 0, 0, 5, 0, 0}, m -> { }))
                .isInstanceOf(BadPayloadException.class);
        assertThatThrownBy(() -> Intset.forEach(new byte[] {2, 0, 0, 0, 0, 0, 0, 0}, m -> { })).as("empty")
                .isInstanceOf(BadPayloadException.class);
    }
}
