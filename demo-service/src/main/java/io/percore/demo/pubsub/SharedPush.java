package io.percore.demo.pubsub;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.resp.Resp3Replies;
import java.util.List;

/**
 * One pub/sub message (message, pmessage or smessage) as every subscriber of one channel, or of one
 * pattern, on this shard gets it: encoded once per protocol, when the first subscriber speaking it
 * needs it (RESP3's push and RESP2's array differ in their first byte), instead of once per
 * subscriber, into the shard's {@link PushChunks}. A subscriber's connection takes a reference to
 * the bytes and writes them without a copy
 * ({@link io.percore.net.server.OrderedResponder#pushShared}); each subscriber's output counts them in
 * full, as its own copy in Redis's output buffer would be.
 *
 * <p>Lives for one delivery: {@link PubSubShard} closes it once every subscriber has it, which
 * releases a message larger than a chunk (slices still queued to sockets keep their bytes until
 * written). Shard-confined.
 */
public final class SharedPush implements AutoCloseable {

    /** Where a message's bytes are: {@code [index, index + length)} of {@code chunk}, a buffer the shard owns. */
    public record Encoded(io.netty.buffer.ByteBuf chunk, int index, int length) {
    }

    private final List<RedisMessage> items;
    private final PushChunks chunks;
    private Encoded resp2;
    private Encoded resp3;

    SharedPush(List<RedisMessage> items, PushChunks chunks) {
        this.items = items;
        this.chunks = chunks;
    }

    /**
     * The message as a RESP3 push or a RESP2 array: where its bytes are. The buffer stays the
     * shard's: retain it (or a slice) to keep them past this delivery.
     */
    public Encoded encoded(boolean resp3) {
        if (resp3) {
            return this.resp3 != null ? this.resp3 : (this.resp3 = chunks.append(new Resp3Replies.PushReply(items), true));
        }
        return resp2 != null ? resp2 : (resp2 = chunks.append(new Resp3Replies.PushReply(items), false));
    }

    /** Releases a message that has a buffer of its own (larger than a chunk); a subscriber's reference keeps it. */
    @Override
    public void close() {
        if (resp2 != null && PushChunks.isOwnBuffer(resp2)) {
            resp2.chunk().release();
        }
        if (resp3 != null && PushChunks.isOwnBuffer(resp3)) {
            resp3.chunk().release();
        }
        resp2 = null;
        resp3 = null;
    }
}
