package io.percore.demo.pubsub;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplyWriter;
import java.util.List;

/**
 * One pub/sub message (message, pmessage or smessage) as every subscriber of one channel, or of one
 * pattern, on this shard gets it: encoded once per protocol, when the first subscriber speaking it
 * needs it (RESP3's push and RESP2's array differ in their first byte), instead of once per
 * subscriber. A subscriber's connection copies the bytes into its batch when they are few, or
 * writes a retained slice of them when they are many
 * ({@link io.percore.net.server.OrderedResponder#pushShared}); either way each subscriber's output
 * counts them in full, as its own copy in Redis's output buffer would be.
 *
 * <p>Lives for one delivery: {@link ChannelTable} closes it once every subscriber has it, which
 * releases the shard's reference (slices still queued to sockets keep their bytes until written).
 * Shard-confined.
 */
public final class SharedPush implements AutoCloseable {

    private final List<RedisMessage> items;
    private ByteBuf resp2;
    private ByteBuf resp3;

    SharedPush(List<RedisMessage> items) {
        this.items = items;
    }

    /** The message as a RESP3 push or a RESP2 array; still owned by this object (retain a slice to keep it). */
    public ByteBuf encoded(boolean resp3) {
        if (resp3) {
            return this.resp3 != null ? this.resp3 : (this.resp3 = encode(true));
        }
        return resp2 != null ? resp2 : (resp2 = encode(false));
    }

    private ByteBuf encode(boolean inResp3) {
        ByteBuf out = ByteBufAllocator.DEFAULT.directBuffer();
        try {
            RespReplyWriter.write(new Resp3Replies.PushReply(items), out, inResp3);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        return out;
    }

    /** Releases the encodings made; a subscriber's retained slice keeps its own reference. */
    @Override
    public void close() {
        if (resp2 != null) {
            resp2.release();
            resp2 = null;
        }
        if (resp3 != null) {
            resp3.release();
            resp3 = null;
        }
    }
}
