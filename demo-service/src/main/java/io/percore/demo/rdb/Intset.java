package io.percore.demo.rdb;

import java.util.function.Consumer;

/**
 * Reads Redis's intset ({@code intset.c}), the encoding of small sets of integers: the width of
 * every member (2, 4 or 8 bytes), the count, then the members in ascending order, all
 * little-endian. Checked as Redis's deep sanitization does: the size matches the count, the set is
 * not empty, the members strictly ascend (so none repeats).
 */
final class Intset {

    private static final int HEADER_SIZE = 8;

    private Intset() {
    }

    /** Hands every member to {@code sink} as its decimal text. @throws BadPayloadException when the blob is not a valid intset */
    static void forEach(byte[] blob, Consumer<byte[]> sink) {
        if (blob.length < HEADER_SIZE) {
            throw new BadPayloadException("intset shorter than its header");
        }
        long width = u32(blob, 0);
        if (width != 2 && width != 4 && width != 8) {
            throw new BadPayloadException("intset with member width " + width);
        }
        long count = u32(blob, 4);
        if (count == 0 || HEADER_SIZE + count * width != blob.length) {
            throw new BadPayloadException("intset count does not match its size");
        }
        long previous = 0;
        for (int i = 0; i < count; i++) {
            int at = HEADER_SIZE + i * (int) width;
            long v = 0;
            for (int b = (int) width - 1; b >= 0; b--) {
                v = v << 8 | (blob[at + b] & 0xffL);
            }
            v = v << (64 - 8 * width) >> (64 - 8 * width); // sign-extend
            if (i > 0 && v <= previous) {
                throw new BadPayloadException("intset members not in ascending order");
            }
            previous = v;
            sink.accept(Listpack.decimal(v));
        }
    }

    private static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }
}
