package io.percore.demo.pubsub;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.percore.demo.kv.ByteString;
import io.percore.demo.resp.Resp3Replies;
import io.percore.demo.resp.RespReplies;
import io.percore.demo.resp.RespReplyWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 29, part 2: a published message is encoded once per shard and protocol, not once per
 * subscriber. One shard's {@link ChannelTable} with subscribers that keep what they are handed, as
 * a connection keeps a slice: every subscriber of a channel (or of a pattern) in one protocol gets
 * the same buffer, whose bytes are what the per-subscriber encoding made, and the delivery gives
 * back its own reference (no leak, no early release).
 */
class SharedPushTest {

    /** A subscriber speaking RESP3 or RESP2 that keeps a retained slice of each message, as a connection writing it does. */
    private static final class Keeping implements Subscriber {
        final boolean resp3;
        final List<ByteBuf> shared = new ArrayList<>();
        final List<ByteBuf> kept = new ArrayList<>();

        Keeping(boolean resp3) {
            this.resp3 = resp3;
        }

        @Override
        public void push(SharedPush message) {
            ByteBuf encoded = message.encoded(resp3);
            shared.add(encoded);
            kept.add(encoded.retainedSlice());
        }

        void releaseKept() {
            kept.forEach(ByteBuf::release);
        }
    }

    private static ByteString name(String s) {
        return new ByteString(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** The bytes the per-subscriber encoding wrote before the sharing: the reference. */
    private static String encodedAlone(boolean resp3, String... items) {
        List<io.netty.handler.codec.redis.RedisMessage> replies = new ArrayList<>();
        for (String item : items) {
            replies.add(RespReplies.bulk(item));
        }
        ByteBuf out = Unpooled.buffer();
        RespReplyWriter.write(new Resp3Replies.PushReply(replies), out, resp3);
        String text = out.toString(StandardCharsets.US_ASCII);
        out.release();
        return text;
    }

    @Test
    void theSubscribersOfAChannelOrPatternShareOneEncodingPerProtocol() {
        ChannelTable table = new ChannelTable(0, new KeyspaceInterest(1));
        List<Keeping> channel2 = new ArrayList<>();
        List<Keeping> channel3 = new ArrayList<>();
        List<Keeping> pattern2 = new ArrayList<>();
        List<Keeping> pattern3 = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            for (boolean resp3 : new boolean[] {false, true}) {
                Keeping c = new Keeping(resp3);
                table.subscribe(c, name("news"), false);
                (resp3 ? channel3 : channel2).add(c);
                Keeping p = new Keeping(resp3);
                table.psubscribe(p, name("n*s"));
                (resp3 ? pattern3 : pattern2).add(p);
            }
        }
        assertThat(table.deliver(bytes("news"), bytes("hello"), false)).isEqualTo(100);
        assertThat(table.deliver(bytes("news"), bytes("again"), false)).isEqualTo(100);

        List<Keeping> all = new ArrayList<>();
        for (List<Keeping> group : List.of(channel2, channel3, pattern2, pattern3)) {
            all.addAll(group);
            for (int m = 0; m < 2; m++) {
                ByteBuf first = group.get(0).shared.get(m);
                for (Keeping s : group) {
                    assertThat(s.shared.get(m)).as("one encoding for the whole group, not one per subscriber").isSameAs(first);
                }
            }
        }
        assertThat(channel2.get(0).shared.get(0)).as("each protocol its own").isNotSameAs(channel3.get(0).shared.get(0));
        assertThat(channel2.get(0).shared.get(0)).as("each message its own").isNotSameAs(channel2.get(0).shared.get(1));

        assertThat(channel2.get(7).kept.get(1).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(false, "message", "news", "again"));
        assertThat(channel3.get(7).kept.get(1).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(true, "message", "news", "again"));
        assertThat(pattern2.get(3).kept.get(0).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(false, "pmessage", "n*s", "news", "hello"));
        assertThat(pattern3.get(3).kept.get(0).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(true, "pmessage", "n*s", "news", "hello"));
        assertThat(pattern3.get(3).kept.get(0).getByte(0)).as("RESP3's push").isEqualTo((byte) '>');

        ByteBuf one = channel3.get(0).shared.get(0);
        assertThat(one.refCnt()).as("the delivery gave its reference back: only the 25 slices hold it").isEqualTo(25);
        all.forEach(Keeping::releaseKept);
        for (Keeping s : all) {
            assertThat(s.shared).allSatisfy(b -> assertThat(b.refCnt()).as("released with the last slice").isZero());
        }
    }

    @Test
    void shardMessagesAreSharedAndAChannelWithoutSubscribersEncodesNothing() {
        ChannelTable table = new ChannelTable(0, new KeyspaceInterest(1));
        Keeping a = new Keeping(false);
        Keeping b = new Keeping(false);
        table.subscribe(a, name("orders"), true);
        table.subscribe(b, name("orders"), true);
        assertThat(table.deliver(bytes("orders"), bytes("o1"), true)).isEqualTo(2);
        assertThat(table.deliver(bytes("orders"), bytes("o1"), false)).as("not a plain channel's subscriber").isZero();
        assertThat(a.shared).hasSize(1);
        assertThat(a.shared.get(0)).isSameAs(b.shared.get(0));
        assertThat(a.kept.get(0).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(false, "smessage", "orders", "o1"));
        a.releaseKept();
        b.releaseKept();
        assertThat(a.shared.get(0).refCnt()).isZero();
    }

    @Test
    void aSubscriberThatLeavesDuringTheDeliveryDoesNotStopTheOthers() {
        ChannelTable table = new ChannelTable(0, new KeyspaceInterest(1));
        List<Keeping> stay = new ArrayList<>();
        Subscriber[] leaving = new Subscriber[1];
        // as a subscriber cut off at its output limit unsubscribes everything while it is handed the message
        leaving[0] = message -> table.unsubscribe(leaving[0], name("ch"), false);
        for (int i = 0; i < 3; i++) {
            Keeping k = new Keeping(true);
            stay.add(k);
            table.subscribe(k, name("ch"), false);
            if (i == 0) {
                table.subscribe(leaving[0], name("ch"), false);
            }
        }
        assertThat(table.deliver(bytes("ch"), bytes("x"), false)).isEqualTo(4);
        assertThat(table.deliver(bytes("ch"), bytes("y"), false)).isEqualTo(3);
        for (Keeping k : stay) {
            assertThat(k.kept).hasSize(2);
            k.releaseKept();
        }
        assertThat(stay.get(0).shared).allSatisfy(b -> assertThat(b.refCnt()).isZero());
    }
}
