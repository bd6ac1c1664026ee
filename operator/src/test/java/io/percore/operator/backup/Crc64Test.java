package io.percore.operator.backup;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Crc64Test {

    /** Redis's own check value (crc64.c's test: e9c6d914c4b8d9ca for "123456789"). */
    @Test
    void redisCheckValue() {
        byte[] b = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc64.update(0, b, 0, b.length)).isEqualTo(0xe9c6d914c4b8d9caL);
    }

    /** Eight bytes at a time gives what one bit at a time gives (crc64.c's reference), at every offset and length. */
    @Test
    void eightAtATimeIsTheBitwiseCrc() {
        byte[] data = new byte[300];
        new Random(70).nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; off + len <= data.length; len += 7) {
                assertThat(Crc64.update(0, data, off, len)).as("off %d len %d", off, len).isEqualTo(bitwise(data, off, len));
            }
        }
        long split = Crc64.update(Crc64.update(0, data, 0, 123), data, 123, 177);
        assertThat(split).as("in two calls").isEqualTo(bitwise(data, 0, 300));
    }

    /** crc64.c's {@code _crc64}: reflected in, shifted left, reflected at the end. */
    private static long bitwise(byte[] data, int off, int len) {
        long poly = 0xad93d23594c935a9L;
        long crc = 0;
        for (int i = off; i < off + len; i++) {
            int c = data[i] & 0xff;
            for (int bit = 1; (bit & 0xff) != 0; bit <<= 1) {
                boolean high = crc < 0;
                if ((c & bit) != 0) {
                    high = !high;
                }
                crc <<= 1;
                if (high) {
                    crc ^= poly;
                }
            }
        }
        return Long.reverse(crc);
    }
}
