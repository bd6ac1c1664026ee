package io.percore.demo.rdb;

/**
 * LZF decompression (liblzf's {@code lzf_decompress}, which Redis uses for strings in RDB and DUMP
 * payloads). The input is a sequence of literal runs (a control byte below 32: that many bytes plus
 * one follow) and back references (length in the top 3 bits, extended by a byte when 7; offset in
 * the low 5 bits and the next byte). Every read and write is bounds-checked: corrupt input yields 0.
 */
public final class Lzf {

    /**
     * The most bytes one input byte can expand to: a three-byte back reference copies at most
     * 7 + 255 + 2 = 264 bytes. A declared length above this ratio cannot be genuine, which lets a
     * reader refuse it before allocating.
     */
    public static final int MAX_EXPANSION = 88;

    private Lzf() {
    }

    /**
     * Decompresses {@code in[from, from + length)} into {@code out}, which must be exactly as long
     * as the data decompresses to.
     *
     * @return the bytes written, or 0 when the input is corrupt or does not fit {@code out} (as
     *     liblzf, whose callers compare the result with the expected length)
     */
    public static int decompress(byte[] in, int from, int length, byte[] out) {
        int ip = from;
        int inEnd = from + length;
        int op = 0;
        int outEnd = out.length;
        while (ip < inEnd) {
            int ctrl = in[ip++] & 0xff;
            if (ctrl < (1 << 5)) { // literal run
                ctrl++;
                if (op + ctrl > outEnd || ip + ctrl > inEnd) {
                    return 0;
                }
                System.arraycopy(in, ip, out, op, ctrl);
                ip += ctrl;
                op += ctrl;
            } else { // back reference
                int len = ctrl >>> 5;
                int ref = op - ((ctrl & 0x1f) << 8) - 1;
                if (ip >= inEnd) {
                    return 0;
                }
                if (len == 7) {
                    len += in[ip++] & 0xff;
                    if (ip >= inEnd) {
                        return 0;
                    }
                }
                ref -= in[ip++] & 0xff;
                len += 2;
                if (op + len > outEnd || ref < 0) {
                    return 0;
                }
                if (op >= ref + len) {
                    System.arraycopy(out, ref, out, op, len);
                    op += len;
                } else { // overlapping: byte by byte, repeating the pattern
                    for (int k = 0; k < len; k++) {
                        out[op++] = out[ref++];
                    }
                }
            }
        }
        return op;
    }
}
