package io.percore.demo.resp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.redis.ArrayRedisMessage;
import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.FullBulkStringRedisMessage;
import io.netty.handler.codec.redis.InlineCommandRedisMessage;
import io.netty.handler.codec.redis.IntegerRedisMessage;
import io.netty.handler.codec.redis.RedisEncoder;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The batched reply writer produces exactly the bytes Netty's RedisEncoder would. */
class RespReplyWriterTest {

    @Test
    void sameBytesAsRedisEncoder() {
        List<Supplier<RedisMessage>> replies = List.of(
                () -> RespReplies.OK,
                () -> RespReplies.PONG,
                () -> new SimpleStringRedisMessage("QUEUED"),
                () -> new ErrorRedisMessage("ERR syntax error"),
                () -> RespReplies.ZERO,
                () -> RespReplies.integer(1023),
                () -> RespReplies.integer(1024),
                () -> RespReplies.integer(-2),
                () -> new IntegerRedisMessage(Long.MIN_VALUE),
                () -> new IntegerRedisMessage(Long.MAX_VALUE),
                () -> new IntegerRedisMessage(1_000_000_000_000_000_000L),
                () -> RespReplies.NIL,
                () -> new FullBulkStringRedisMessage(Unpooled.wrappedBuffer("netty".getBytes(StandardCharsets.US_ASCII))),
                () -> RespReplies.bulk(new byte[0]),
                () -> RespReplies.bulk("hello\r\nworld"),
                () -> RespReplies.bulk(new byte[100_000]),
                () -> ArrayRedisMessage.NULL_INSTANCE,
                () -> ArrayRedisMessage.EMPTY_INSTANCE,
                () -> new ArrayRedisMessage(List.of(RespReplies.bulk("a"), RespReplies.NIL,
                        new ArrayRedisMessage(List.of(RespReplies.integer(7), new SimpleStringRedisMessage("x")))))
        );
        for (Supplier<RedisMessage> reply : replies) {
            ByteBuf ours = Unpooled.buffer();
            RedisMessage message = reply.get();
            RespReplyWriter.write(message, ours);
            io.netty.util.ReferenceCountUtil.release(message);
            assertThat(ascii(ours)).as(ascii(ours)).isEqualTo(viaRedisEncoder(reply.get()));
            ours.release();
        }
    }

    @Test
    void errorLinesEchoClientBytesUnchanged() {
        ByteBuf out = Unpooled.buffer();
        RespReplyWriter.write(new ErrorRedisMessage("ERR Protocol error: expected '$', got '\u00ff'"), out);
        assertThat(ByteBufUtil.getBytes(out)).endsWith((byte) '\'', (byte) 0xFF, (byte) '\'', (byte) '\r', (byte) '\n');
        out.clear();
        RespReplyWriter.write(new SimpleStringRedisMessage("caf\u00e9 \u20ac"), out); // beyond Latin-1: UTF-8
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("+caf\u00e9 \u20ac\r\n");
        out.release();
    }

    /** Redis's addReplyDouble: the %.17g text as a bulk string in RESP2, after a comma in RESP3. */
    @Test
    void doublesAreBulkStringsInResp2AndTheirOwnTypeInResp3() {
        ByteBuf out = Unpooled.buffer();
        RespReplyWriter.write(Resp3Replies.DoubleReply.of(0.1), out, false);
        RespReplyWriter.write(Resp3Replies.DoubleReply.of(Double.NEGATIVE_INFINITY), out, false);
        RespReplyWriter.write(Resp3Replies.DoubleReply.of(0.1), out, true);
        RespReplyWriter.write(Resp3Replies.DoubleReply.of(Double.POSITIVE_INFINITY), out, true);
        RespReplyWriter.write(Resp3Replies.DoubleReply.of(1e17), out, true);
        assertThat(ascii(out)).isEqualTo("$19\r\n0.10000000000000001\r\n$4\r\n-inf\r\n,0.10000000000000001\r\n,inf\r\n,1e+17\r\n");
        out.release();
    }

    @Test
    void rejectsWhatIsNotAReply() {
        assertThatThrownBy(() -> RespReplyWriter.write(new InlineCommandRedisMessage("PING"), Unpooled.buffer()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("InlineCommandRedisMessage");
    }

    private static String viaRedisEncoder(RedisMessage message) {
        EmbeddedChannel ch = new EmbeddedChannel(new RedisEncoder());
        ch.writeOutbound(toNetty(message));
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = ch.readOutbound()) != null) {
            out.append(ascii(buf));
            buf.release();
        }
        ch.finishAndReleaseAll();
        return out.toString();
    }

    /** RedisEncoder does not know BulkReply: the equivalent Netty message. */
    private static RedisMessage toNetty(RedisMessage message) {
        if (message instanceof BulkReply b) {
            return b.value().length == 0 ? FullBulkStringRedisMessage.EMPTY_INSTANCE : new FullBulkStringRedisMessage(Unpooled.wrappedBuffer(b.value()));
        }
        if (message instanceof ArrayRedisMessage a && !a.isNull() && !a.children().isEmpty()) {
            return new ArrayRedisMessage(a.children().stream().map(RespReplyWriterTest::toNetty).toList());
        }
        return message;
    }

    private static String ascii(ByteBuf buf) {
        return buf.toString(StandardCharsets.ISO_8859_1);
    }
}
