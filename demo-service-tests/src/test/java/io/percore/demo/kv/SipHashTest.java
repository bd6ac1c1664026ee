package io.percore.demo.kv;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The reference vectors of SipHash-2-4 (the paper's key 00..0f, messages 00..n-1) and the seeded use of it. */
class SipHashTest {

    private static final long K0 = 0x0706050403020100L;
    private static final long K1 = 0x0f0e0d0c0b0a0908L;

    private static byte[] message(int length) {
        byte[] m = new byte[length];
        for (int i = 0; i < length; i++) {
            m[i] = (byte) i;
        }
        return m;
    }

    @Test
    void sipHash24MatchesTheReferenceVectors() {
        assertThat(SipHash.hash(K0, K1, message(0), 2, 4)).isEqualTo(0x726fdb47dd0e0e31L);
        assertThat(SipHash.hash(K0, K1, message(1), 2, 4)).isEqualTo(0x74f839c593dc67fdL);
        assertThat(SipHash.hash(K0, K1, message(15), 2, 4)).isEqualTo(0xa129ca6149be45e5L);
    }

    @Test
    void keysAndMapKeysHashWithTheSeededFunctionNotAFixedOne() {
        byte[] aa = "Aa".getBytes();
        byte[] bb = "BB".getBytes();
        // Arrays.hashCode collides for these; the seeded hash (almost surely) does not
        assertThat(java.util.Arrays.hashCode(aa)).isEqualTo(java.util.Arrays.hashCode(bb));
        assertThat(new ByteString(aa).hashCode()).isEqualTo(SipHash.hash32(aa)).isNotEqualTo(new ByteString(bb).hashCode());
        assertThat(KeyTable.hash(aa)).isEqualTo(SipHash.hash32(aa));
        assertThat(new ByteString(aa).compareTo(new ByteString(bb))).isNegative();
        assertThat(new ByteString(new byte[] {(byte) 0x80}).compareTo(new ByteString(new byte[] {1}))).as("unsigned, as memcmp").isPositive();
    }

    @Test
    void aKeyAtTheStartOfALongerArrayHashesAndSlotsAsTheKeyAlone() {
        byte[] longer = new byte[64];
        java.util.Arrays.fill(longer, (byte) '}');
        for (int length = 0; length <= 40; length++) {
            byte[] key = message(length);
            if (length > 3) {
                key[1] = '{'; // a hash tag whose closing brace is past the key: the slot is the whole key's
            }
            System.arraycopy(key, 0, longer, 0, length);
            assertThat(SipHash.hash32(longer, length)).as("length %d", length).isEqualTo(SipHash.hash32(key));
            assertThat(KeyHashing.slot(longer, length)).as("length %d", length).isEqualTo(KeyHashing.slot(key));
            assertThat(KeyHashing.shardOf(longer, length, 3)).isEqualTo(KeyHashing.shardOf(key, 3));
        }
    }
}
