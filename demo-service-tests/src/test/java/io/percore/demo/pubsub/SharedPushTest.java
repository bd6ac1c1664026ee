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
 * subscriber, into the shard's chunks ({@link PushChunks}). One shard's {@link PubSubShard} with
 * subscribers that keep what they are handed, as a connection keeps a slice: every subscriber of a
 * channel (or of a pattern) in one protocol gets the same bytes, which are what the per-subscriber
 * encoding made, one message after the other in the chunk; the table keeps only the chunk being
 * filled (no leak, no early release).
 */
class SharedPushTest {

    /** A subscriber speaking RESP3 or RESP2 that keeps a retained slice of each message, as a connection writing it does. */
    private static final class Keeping implements Subscriber {
        final boolean resp3;
        final List<SharedPush.Encoded> shared = new ArrayList<>();
        final List<ByteBuf> kept = new ArrayList<>();

        Keeping(boolean resp3) {
            this.resp3 = resp3;
        }

        @Override
        public void push(SharedPush message) {
            SharedPush.Encoded encoded = message.encoded(resp3);
            shared.add(encoded);
            kept.add(encoded.chunk().retainedSlice(encoded.index(), encoded.length()));
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
        PubSubShard table = new PubSubShard(0, new KeyspaceInterest(1));
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
                SharedPush.Encoded first = group.get(0).shared.get(m);
                for (Keeping s : group) {
                    assertThat(s.shared.get(m)).as("one encoding for the whole group, not one per subscriber").isSameAs(first);
                }
            }
        }
        assertThat(channel2.get(0).shared.get(0).chunk()).as("each protocol its own chunk").isNotSameAs(channel3.get(0).shared.get(0).chunk());
        SharedPush.Encoded hello = channel2.get(0).shared.get(0);
        SharedPush.Encoded again = channel2.get(0).shared.get(1);
        assertThat(again.chunk()).as("the next message in the same chunk").isSameAs(hello.chunk());
        assertThat(again.index()).as("right after the channel's first one, past the pattern's").isGreaterThanOrEqualTo(hello.index() + hello.length());

        assertThat(channel2.get(7).kept.get(1).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(false, "message", "news", "again"));
        assertThat(channel3.get(7).kept.get(1).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(true, "message", "news", "again"));
        assertThat(pattern2.get(3).kept.get(0).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(false, "pmessage", "n*s", "news", "hello"));
        assertThat(pattern3.get(3).kept.get(0).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(true, "pmessage", "n*s", "news", "hello"));
        assertThat(pattern3.get(3).kept.get(0).getByte(0)).as("RESP3's push").isEqualTo((byte) '>');

        ByteBuf resp3Chunk = channel3.get(0).shared.get(0).chunk();
        assertThat(resp3Chunk.refCnt()).as("the table's, and the 50 RESP3 subscribers' two messages each").isEqualTo(1 + 50 * 2);
        all.forEach(Keeping::releaseKept);
        assertThat(resp3Chunk.refCnt()).as("the table's own: the chunk being filled").isEqualTo(1);
        table.close();
        for (Keeping s : all) {
            assertThat(s.shared).allSatisfy(b -> assertThat(b.chunk().refCnt()).as("released with the table").isZero());
        }
    }

    /** Messages next to each other in one chunk: a subscriber's turn of one channel's messages is one slice. */
    @Test
    void aChannelsMessagesLieOneAfterTheOtherAndAFullChunkIsLetGo() {
        PubSubShard table = new PubSubShard(0, new KeyspaceInterest(1));
        Keeping a = new Keeping(false);
        table.subscribe(a, name("ch"), false);
        int messages = 2 * PushChunks.CHUNK_BYTES / encodedAlone(false, "message", "ch", "0123456789abcdef").length() + 1;
        for (int i = 0; i < messages; i++) {
            table.deliver(bytes("ch"), bytes("0123456789abcdef"), false);
        }
        ByteBuf firstChunk = a.shared.get(0).chunk();
        int inFirst = 0;
        for (int i = 1; i < messages; i++) {
            SharedPush.Encoded previous = a.shared.get(i - 1);
            SharedPush.Encoded next = a.shared.get(i);
            if (next.chunk() == previous.chunk()) {
                assertThat(next.index()).as("adjacent").isEqualTo(previous.index() + previous.length());
            } else {
                assertThat(next.index()).as("a new chunk starts at its beginning").isZero();
            }
            if (next.chunk() == firstChunk) {
                inFirst++;
            }
        }
        assertThat(inFirst).as("a chunk holds many messages").isGreaterThan(100);
        assertThat(a.shared.get(messages - 1).chunk()).as("a full chunk is followed by a new one").isNotSameAs(firstChunk);
        assertThat(firstChunk.refCnt()).as("let go by the table: only the subscriber's slices hold it").isEqualTo(inFirst + 1);
        a.releaseKept();
        assertThat(firstChunk.refCnt()).isZero();
        table.close();
        assertThat(a.shared.get(messages - 1).chunk().refCnt()).isZero();
    }

    @Test
    void aMessageLargerThanAChunkHasABufferOfItsOwnHeldOnlyByItsSubscribers() {
        PubSubShard table = new PubSubShard(0, new KeyspaceInterest(1));
        Keeping a = new Keeping(true);
        table.subscribe(a, name("ch"), false);
        String large = "x".repeat(PushChunks.CHUNK_BYTES + 1);
        table.deliver(bytes("ch"), bytes(large), false);
        table.deliver(bytes("ch"), bytes("small"), false);
        SharedPush.Encoded big = a.shared.get(0);
        assertThat(big.chunk()).isNotSameAs(a.shared.get(1).chunk());
        assertThat(big.chunk().refCnt()).as("the delivery let it go: the subscriber's slice holds it").isEqualTo(1);
        assertThat(a.kept.get(0).toString(StandardCharsets.US_ASCII)).isEqualTo(encodedAlone(true, "message", "ch", large));
        a.releaseKept();
        assertThat(big.chunk().refCnt()).isZero();
        table.close();
    }

    @Test
    void shardMessagesAreSharedAndAChannelWithoutSubscribersEncodesNothing() {
        PubSubShard table = new PubSubShard(0, new KeyspaceInterest(1));
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
        table.close();
        assertThat(a.shared.get(0).chunk().refCnt()).isZero();
    }

    @Test
    void aSubscriberThatLeavesDuringTheDeliveryDoesNotStopTheOthers() {
        PubSubShard table = new PubSubShard(0, new KeyspaceInterest(1));
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
        table.close();
        assertThat(stay.get(0).shared).allSatisfy(b -> assertThat(b.chunk().refCnt()).isZero());
    }
}
