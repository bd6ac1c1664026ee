package io.percore.demo.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.resp.RespReplyWriter;

/**
 * Where one shard's pub/sub messages are encoded ({@link SharedPush}): one chunk per protocol,
 * filled message after message and never changed or moved behind what was written, so a subscriber
 * can write a slice of it without a copy, and the messages one channel's subscribers get in one loop
 * turn lie next to each other: each subscriber's turn is one slice
 * ({@link io.percore.net.server.OrderedResponder#pushShared}). A full chunk is let go (its bytes live
 * on while a slice holds them) and a new one taken. A message larger than a chunk gets a buffer of its
 * own, held only for its delivery. Shard-confined.
 */
final class PushChunks implements AutoCloseable {

    /** A chunk's size: some hundred small messages; what a shard keeps when idle is two of them. */
    static final int CHUNK_BYTES = 16 * 1024;

    /** The chunks being filled, RESP2's and RESP3's (their messages differ in the first byte); this table's references. */
    private final ByteBuf[] chunks = new ByteBuf[2];
    /** A message is encoded here first, to learn its size before it is placed. */
    private ByteBuf scratch = Unpooled.buffer(256);

    /**
     * Encodes {@code push} for {@code resp3} or RESP2 into the current chunk (or a buffer of its own
     * when larger than a chunk, see {@link #isOwnBuffer}); the bytes stay until the chunk is let go.
     */
    SharedPush.Encoded append(RedisMessage push, boolean resp3) {
        ByteBuf encoding = scratch.clear();
        RespReplyWriter.write(push, encoding, resp3);
        int length = encoding.readableBytes();
        try {
            if (length > CHUNK_BYTES) {
                ByteBuf own = ByteBufAllocator.DEFAULT.directBuffer(length, length).writeBytes(encoding);
                return new SharedPush.Encoded(own, 0, length);
            }
            int p = resp3 ? 1 : 0;
            ByteBuf chunk = chunks[p];
            if (chunk == null || chunk.capacity() - chunk.writerIndex() < length) {
                if (chunk != null) {
                    chunks[p] = null; // not kept if the next one cannot be had: close() would release it again
                    chunk.release();
                }
                // its capacity is its most: writing never reallocates bytes a slice may be sending
                chunk = chunks[p] = ByteBufAllocator.DEFAULT.directBuffer(CHUNK_BYTES, CHUNK_BYTES);
            }
            int index = chunk.writerIndex();
            chunk.writeBytes(encoding);
            return new SharedPush.Encoded(chunk, index, length);
        } finally {
            if (scratch.capacity() > CHUNK_BYTES) {
                scratch = Unpooled.buffer(256); // one huge message does not keep its size here
            }
        }
    }

    /** A message's buffer that only its delivery holds (it was larger than a chunk): released after it. */
    static boolean isOwnBuffer(SharedPush.Encoded bytes) {
        return bytes.chunk().capacity() > CHUNK_BYTES;
    }

    /** Lets the chunks go (slices still being written keep their bytes). */
    @Override
    public void close() {
        for (int p = 0; p < chunks.length; p++) {
            if (chunks[p] != null) {
                chunks[p].release();
                chunks[p] = null;
            }
        }
    }
}
