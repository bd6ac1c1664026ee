package io.percore.net.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.percore.config.ServerConfig;
import io.percore.config.schema.ConfigValidationException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The ordered responder alone, on an {@link EmbeddedChannel}: replies are byte buffers, the
 * channel's allocator records every batch buffer, and each test ends by checking that every buffer
 * it or the responder made has been released (no leak, whatever paranoid leak detection sees).
 */
class OrderedResponderTest {

    private static final int MAX_PENDING = 3;

    private final RecordingAllocator allocator = new RecordingAllocator();
    private final List<ByteBuf> replies = new ArrayList<>();
    private int flushes;
    private EmbeddedChannel channel;
    private OrderedResponder<ByteBuf> responder;
    private int queuedRequests;

    @BeforeEach
    void open() {
        open(new EmbeddedChannel());
    }

    private void open(EmbeddedChannel opened) {
        channel = opened;
        channel.config().setAllocator(allocator);
        responder = new OrderedResponder<>(MAX_PENDING, (reply, out) -> out.writeBytes(reply, reply.readerIndex(), reply.readableBytes()));
        responder.countHeldRequests(() -> queuedRequests);
        channel.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes++;
                ctx.flush();
            }
        }, responder);
    }

    @AfterEach
    void nothingLeaks() {
        channel.finishAndReleaseAll();
        for (ByteBuf reply : replies) {
            assertThat(reply.refCnt()).as("reply %s released", reply).isZero();
        }
        for (ByteBuf batch : allocator.allocated) {
            assertThat(batch.refCnt()).as("batch buffer released").isZero();
        }
    }

    @Test
    void writesRepliesInRequestOrderWhateverOrderTheyCompleteIn() {
        readStarted();
        responder.reply(reply("1"));
        OrderedResponder.Slot second = responder.reserve();
        OrderedResponder.Slot third = responder.reserve();
        responder.reply(reply("4"));
        channel.pipeline().fireChannelReadComplete();
        assertThat(drainOutput()).isEqualTo("1");

        responder.complete(third, reply("3"));
        assertThat(drainOutput()).as("3 waits for 2").isEmpty();
        responder.complete(second, reply("2"));
        assertThat(drainOutput()).isEqualTo("234");
        assertThat(responder.idle()).isTrue();
    }

    @Test
    void flushesOncePerReadBurst() {
        readStarted();
        for (int i = 0; i < 10; i++) {
            responder.reply(reply("r" + i + ","));
        }
        assertThat(flushes).as("nothing flushed inside the read").isZero();
        channel.pipeline().fireChannelReadComplete();
        assertThat(flushes).isEqualTo(1);
        assertThat(channel.outboundMessages()).as("one write for the whole burst").hasSize(1);
        assertThat(drainOutput()).isEqualTo("r0,r1,r2,r3,r4,r5,r6,r7,r8,r9,");
    }

    @Test
    void aLateReplyOutsideAReadIsFlushedAtOnce() {
        readStarted();
        OrderedResponder.Slot late = responder.reserve();
        channel.pipeline().fireChannelReadComplete();
        int before = flushes;
        responder.complete(late, reply("late"));
        assertThat(flushes).isEqualTo(before + 1);
        assertThat(drainOutput()).isEqualTo("late");
    }

    @Test
    void heldFlushesBatchRepliesMadeOutsideARead() {
        responder.holdFlush();
        responder.reply(reply("a"));
        responder.reply(reply("b"));
        assertThat(flushes).isZero();
        responder.releaseFlush();
        assertThat(flushes).isEqualTo(1);
        assertThat(drainOutput()).isEqualTo("ab");
    }

    @Test
    void pausesReadingAtTheLimitAndResumesWhenRepliesDrain() {
        List<OrderedResponder.Slot> slots = new ArrayList<>();
        for (int i = 0; i < MAX_PENDING - 1; i++) {
            slots.add(responder.reserve());
        }
        assertThat(channel.config().isAutoRead()).isTrue();
        slots.add(responder.reserve());
        assertThat(channel.config().isAutoRead()).as("paused at %d outstanding", MAX_PENDING).isFalse();

        responder.complete(slots.get(0), reply("a"));
        assertThat(channel.config().isAutoRead()).as("resumed below the limit").isTrue();
        responder.complete(slots.get(1), reply("b"));
        responder.complete(slots.get(2), reply("c"));
        assertThat(drainOutput()).isEqualTo("abc");
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void heldBackRequestsCountTowardTheLimit() {
        queuedRequests = MAX_PENDING;
        responder.checkBackpressure();
        assertThat(channel.config().isAutoRead()).isFalse();
        queuedRequests = 0;
        responder.checkBackpressure();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    @Test
    void pausesReadingWhileTheChannelIsAboveItsWriteHighWaterMark() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.write(Unpooled.wrappedBuffer(new byte[64])); // queued, not flushed: above the high-water mark
        assertThat(channel.isWritable()).isFalse();
        assertThat(channel.config().isAutoRead()).isFalse();
        channel.flush();
        assertThat(channel.isWritable()).isTrue();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    /**
     * The pause flushes what is batched; when the socket takes it all at once, the channel is writable
     * again inside that flush and its event resumes reading before the pause returns. Reading must
     * stay on: paused after that flush, nothing would ever resume it (an HTTP client pipelining
     * 10,000 requests got 994 responses on epoll and waited for ever).
     */
    @Test
    void aPauseWhoseFlushDrainsTheChannelLeavesReadingOn() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        readStarted();
        responder.reply(reply("x".repeat(OrderedResponder.EARLY_WRITE_BYTES))); // written early: above the high-water mark
        assertThat(flushes).as("the pause flushed it").isEqualTo(1);
        assertThat(channel.isWritable()).isTrue();
        assertThat(channel.config().isAutoRead()).as("reading resumed by the writability event, not paused after it").isTrue();
        channel.pipeline().fireChannelReadComplete();
        assertThat(drainOutput()).hasSize(OrderedResponder.EARLY_WRITE_BYTES);
    }

    /**
     * A client that writes its whole pipeline before it reads (redis-py's pipeline, a bulk loader):
     * its replies, each completed apart (by another shard), wait while the socket has not taken an
     * earlier flush. They gather in one buffer instead of an entry each in the channel, where each
     * costs about a hundred bytes of bookkeeping and a pooled buffer for a reply of a few bytes (a
     * million INCR replies, 10 MB on the wire, were counted at 33 MB and took more), and leave in
     * order once the socket catches up.
     */
    @Test
    void repliesToAClientThatReadsNothingGatherInOneBufferInsteadOfAnEntryEach() {
        java.util.concurrent.atomic.AtomicBoolean socketFull = reopenBehindAFullSocket();
        responder.readingWhileUnwritable();
        responder.reply(reply(":0\r\n")); // flushed, and not taken by the socket
        StringBuilder expected = new StringBuilder(":0\r\n");
        int replies = 10_000;
        for (int i = 1; i <= replies; i++) {
            readStarted();
            OrderedResponder.Slot slot = responder.reserve();
            channel.pipeline().fireChannelReadComplete();
            String text = ":" + i + "\r\n";
            responder.complete(slot, reply(text)); // outside a read: a flush each
            expected.append(text);
        }
        io.netty.channel.ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
        assertThat(unsent.size()).as("the first reply, the empty write behind it and the early writes of the rest")
                .isLessThanOrEqualTo(2 + expected.length() / OrderedResponder.EARLY_WRITE_BYTES + 1);
        assertThat(responder.pendingOutboundBytes()).as("close to the bytes on the wire")
                .isBetween((long) expected.length(), expected.length() + 1024L);

        socketFull.set(false);
        channel.flush();
        channel.runPendingTasks();
        assertThat(drainOutput()).isEqualTo(expected.toString());
        assertThat(responder.pendingOutboundBytes()).isZero();
        responder.complete(responder.reserve(), reply("next"));
        assertThat(drainOutput()).as("caught up: a reply leaves at once again").isEqualTo("next");
    }

    /** A protocol that bounds its connections' memory itself reads on above the high-water mark. */
    @Test
    void readsOnAboveTheHighWaterMarkWhenTheProtocolBoundsItsMemory() {
        responder.readingWhileUnwritable();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        channel.write(Unpooled.wrappedBuffer(new byte[64]));
        assertThat(channel.isWritable()).isFalse();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(responder.pendingOutboundBytes()).as("what waits in the channel counts").isGreaterThanOrEqualTo(64);
        channel.flush();
        drainOutput();
    }

    /** What the protocol waits for (work on another thread) pauses reading until it says so. */
    @Test
    void pausesReadingWhileTheProtocolHoldsIt() {
        boolean[] held = {true};
        responder.pauseReadingWhile(() -> held[0]);
        responder.checkBackpressure();
        assertThat(channel.config().isAutoRead()).isFalse();
        held[0] = false;
        responder.checkBackpressure();
        assertThat(channel.config().isAutoRead()).isTrue();
    }

    /**
     * A reply that completes while an earlier one is outstanding is encoded at once (its object
     * released), counted in the pending output, and written in order when its turn comes; a large
     * one tells the protocol its output grew.
     */
    @Test
    void aReplyAheadOfItsTurnIsEncodedAndCounted() {
        int[] grew = {0};
        responder.onOutputGrowth(() -> grew[0]++);
        OrderedResponder.Slot first = responder.reserve();
        OrderedResponder.Slot second = responder.reserve();
        ByteBuf big = reply("b".repeat(OrderedResponder.EARLY_WRITE_BYTES));
        responder.complete(second, big);
        assertThat(big.refCnt()).as("encoded and released at once").isZero();
        assertThat(responder.pendingOutboundBytes()).isEqualTo(OrderedResponder.EARLY_WRITE_BYTES);
        assertThat(grew[0]).isEqualTo(1);
        responder.complete(first, reply("a"));
        String out = drainOutput();
        assertThat(out).startsWith("ab").hasSize(1 + OrderedResponder.EARLY_WRITE_BYTES);
        assertThat(responder.pendingOutboundBytes()).isZero();
    }

    /** A batch past the early-write size goes to the channel before the burst ends, and the protocol hears of it. */
    @Test
    void aLargeBatchIsWrittenEarlyAndReported() {
        responder.readingWhileUnwritable(); // else the write past the high-water mark pauses reading, which flushes
        int[] grew = {0};
        responder.onOutputGrowth(() -> grew[0]++);
        readStarted();
        responder.reply(reply("x".repeat(OrderedResponder.EARLY_WRITE_BYTES)));
        assertThat(grew[0]).isEqualTo(1);
        assertThat(flushes).isZero();
        assertThat(responder.pendingOutboundBytes()).as("in the channel, with its entry's overhead")
                .isGreaterThanOrEqualTo(OrderedResponder.EARLY_WRITE_BYTES);
        channel.pipeline().fireChannelReadComplete();
        assertThat(drainOutput()).hasSize(OrderedResponder.EARLY_WRITE_BYTES);
    }

    @Test
    void replyAndCloseWritesWhatIsBeforeItThenClosesAndStopsReading() {
        readStarted();
        OrderedResponder.Slot first = responder.reserve();
        responder.replyAndClose(reply("bye"));
        assertThat(channel.config().isAutoRead()).isFalse();
        assertThat(responder.closing()).isTrue();
        assertThat(channel.isOpen()).as("waits for the reply before it").isTrue();
        responder.complete(first, reply("first,"));
        channel.runPendingTasks();
        assertThat(drainOutput()).isEqualTo("first,bye");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void closeReleasesEveryQueuedReplyAndTheBatchBuffer() {
        readStarted();
        responder.reply(reply("in the batch, unflushed"));
        OrderedResponder.Slot pending = responder.reserve();
        responder.reply(reply("queued behind a slot"));
        channel.close();
        assertThat(replies).allSatisfy(r -> assertThat(r.refCnt()).isZero());
        assertThat(allocator.allocated).isNotEmpty().allSatisfy(b -> assertThat(b.refCnt()).isZero());

        ByteBuf late = reply("completed after close");
        responder.complete(pending, late);
        assertThat(late.refCnt()).as("released, not written").isZero();
        responder.reply(reply("replied after close"));
        assertThat(channel.outboundMessages()).isEmpty();
    }

    /**
     * Bytes of a chunk many connections share (pub/sub messages encoded once per shard): adjacent
     * pushes of one chunk go to the channel as one slice of it, no copy, in order with the replies
     * around them; the slice holds a reference of its own until written, and every byte counts for
     * this connection.
     */
    @Test
    void adjacentSharedBytesGoAsOneSliceOfTheChunkInOrderWithReplies() {
        ByteBuf chunk = shared("AAAABBBBCCCC");
        readStarted();
        responder.reply(reply("r1,"));
        responder.pushShared(chunk, 0, 4);
        responder.pushShared(chunk, 4, 4);
        responder.reply(reply(",r2"));
        responder.pushShared(chunk, 8, 4);
        assertThat(chunk.refCnt()).as("the owner's, the written span's and the pending span's").isEqualTo(3);
        assertThat(responder.pendingOutboundBytes()).as("every byte counted").isGreaterThanOrEqualTo(6L + 12);
        assertThat(flushes).isZero();
        channel.pipeline().fireChannelReadComplete();
        assertThat(flushes).as("one flush for the burst").isEqualTo(1);
        assertThat(channel.outboundMessages()).as("the batch, the span, the batch, the span").hasSize(4);
        chunk.setByte(4, 'b').setByte(8, 'c'); // what was written is a view of the chunk, not a copy
        assertThat(drainOutput()).isEqualTo("r1,AAAAbBBB,r2cCCC");
        assertThat(chunk.refCnt()).as("the written slices gave their references back").isEqualTo(1);
        chunk.release();
    }

    /** A span broken by other bytes would cost a write per piece: what follows is copied into the batch with it. */
    @Test
    void sharedBytesThatDoNotFollowOnFromTheSpanAreCopiedWithIt() {
        ByteBuf one = shared("0123456789");
        ByteBuf two = shared("abcdef");
        readStarted();
        responder.pushShared(one, 0, 2);
        responder.pushShared(one, 2, 2);
        assertThat(one.refCnt()).isEqualTo(2);
        responder.pushShared(one, 6, 2);
        assertThat(one.refCnt()).as("the span copied, its reference given back").isEqualTo(1);
        responder.pushShared(two, 0, 3);
        responder.pushShared(two, 3, 3);
        assertThat(two.refCnt()).isEqualTo(1);
        channel.pipeline().fireChannelReadComplete();
        assertThat(channel.outboundMessages()).as("one batch").hasSize(1);
        assertThat(drainOutput()).isEqualTo("012367abcdef");

        readStarted();
        responder.pushShared(two, 1, 2);
        assertThat(two.refCnt()).as("the next flush starts a span again").isEqualTo(2);
        channel.pipeline().fireChannelReadComplete();
        assertThat(drainOutput()).isEqualTo("bc");
        one.release();
        two.release();
    }

    /**
     * A connection whose earlier output still waits unsent (a subscriber that does not read) would
     * keep the whole chunk for its few bytes: it gets a copy. Bytes written in this turn and not yet
     * flushed do not count (they leave with the span).
     */
    @Test
    void sharedBytesBehindOutputFlushedEarlierAndUnsentGoAsACopy() {
        java.util.concurrent.atomic.AtomicBoolean socketFull = reopenBehindAFullSocket();
        ByteBuf chunk = shared("message");
        readStarted();
        responder.reply(reply("unsent,"));
        channel.pipeline().fireChannelReadComplete();
        assertThat(channel.unsafe().outboundBuffer().isEmpty()).as("flushed, not written: the socket is full").isFalse();
        readStarted();
        responder.pushShared(chunk, 0, 7);
        assertThat(chunk.refCnt()).isEqualTo(2);
        channel.pipeline().fireChannelReadComplete();
        assertThat(chunk.refCnt()).as("copied at the flush: the chunk is its owner's alone again").isEqualTo(1);
        socketFull.set(false);
        channel.flush();
        assertThat(drainOutput()).isEqualTo("unsent,message");
        chunk.release();
    }

    @Test
    void aSpanReachingABatchGoesToTheChannelEarly() {
        responder.readingWhileUnwritable();
        int[] grew = {0};
        responder.onOutputGrowth(() -> grew[0]++);
        ByteBuf chunk = shared("s".repeat(OrderedResponder.EARLY_WRITE_BYTES));
        readStarted();
        responder.pushShared(chunk, 0, OrderedResponder.EARLY_WRITE_BYTES / 2);
        assertThat(grew[0]).isZero();
        responder.pushShared(chunk, OrderedResponder.EARLY_WRITE_BYTES / 2, OrderedResponder.EARLY_WRITE_BYTES / 2);
        assertThat(grew[0]).isEqualTo(1);
        assertThat(channel.outboundMessages()).as("handed to the channel, not flushed").isEmpty();
        assertThat(responder.pendingOutboundBytes()).isGreaterThanOrEqualTo(OrderedResponder.EARLY_WRITE_BYTES);
        channel.pipeline().fireChannelReadComplete();
        assertThat(drainOutput()).hasSize(OrderedResponder.EARLY_WRITE_BYTES);
        chunk.release();
    }

    @Test
    void aSharedPushBehindAnOutstandingReplyWaitsInACopyOfItsOwn() {
        ByteBuf chunk = shared("xxLL");
        readStarted();
        OrderedResponder.Slot first = responder.reserve();
        responder.pushShared(chunk, 2, 2);
        assertThat(chunk.refCnt()).as("copied: the chunk may go").isEqualTo(1);
        assertThat(responder.pendingOutboundBytes()).isEqualTo(2);
        chunk.release();
        responder.complete(first, reply("a"));
        channel.pipeline().fireChannelReadComplete();
        assertThat(drainOutput()).isEqualTo("aLL");
    }

    @Test
    void aClosedConnectionTakesNoSharedPushAndReleasesTheSpanItHeld() {
        ByteBuf chunk = shared("message");
        readStarted();
        responder.pushShared(chunk, 0, 7);
        assertThat(chunk.refCnt()).isEqualTo(2);
        channel.close();
        assertThat(chunk.refCnt()).as("the unwritten span released with the channel").isEqualTo(1);
        responder.pushShared(chunk, 0, 7);
        assertThat(chunk.refCnt()).isEqualTo(1);
        assertThat(channel.outboundMessages()).isEmpty();
        chunk.release();
    }

    @Test
    void aSpanPendingWhenTheLastReplyClosesTheConnectionLeavesBeforeIt() {
        ByteBuf chunk = shared("message,");
        readStarted();
        responder.pushShared(chunk, 0, 8);
        responder.replyAndClose(reply("bye"));
        channel.runPendingTasks();
        assertThat(drainOutput()).isEqualTo("message,bye");
        assertThat(chunk.refCnt()).isEqualTo(1);
        chunk.release();
    }

    @Test
    void theLimitIsTheServersMaxPendingReplies() {
        ServerConfig config = new ServerConfig();
        assertThat(ServerOptions.builder().build().maxPendingReplies()).isEqualTo(config.getMaxPendingReplies()).isEqualTo(1024);
        config.setMaxPendingReplies(7);
        assertThat(ServerOptions.from("api", config).maxPendingReplies()).isEqualTo(7);
        assertThat(ServerOptions.from("api", config).toBuilder().build().maxPendingReplies()).isEqualTo(7);
        assertThatThrownBy(() -> ServerOptions.builder().maxPendingReplies(0).build())
                .isInstanceOf(ConfigValidationException.class).hasMessageContaining("percore.servers.server.max-pending-replies");
    }

    @Test
    void rejectsANonPositiveLimit() {
        assertThatThrownBy(() -> new OrderedResponder<ByteBuf>(0, (r, out) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 1");
    }

    /** The JDK's words when Netty's pool cannot have one more chunk (SmallHeapTest's flood, 2026-11-29). */
    private static final String DIRECT_MEMORY_SPENT = "Cannot reserve 131072 bytes of direct buffer memory (allocated: 67059762, limit: 67108864)";

    @Test
    void aLateReplyWithoutDirectMemoryClosesItsConnectionInsteadOfThrowingIntoTheShard() {
        readStarted();
        OrderedResponder.Slot first = responder.reserve();
        OrderedResponder.Slot second = responder.reserve();
        channel.pipeline().fireChannelReadComplete();
        allocator.failing = new OutOfMemoryError(DIRECT_MEMORY_SPENT);

        // another shard answers, outside any read: this ran in a cross-shard call's completion and halted the process
        responder.complete(second, reply("2")); // behind the first: its own buffer
        assertThat(channel.isOpen()).isFalse();
        responder.complete(first, reply("1")); // after the close: released on arrival
        responder.push(reply("message"));
        assertThat(drainOutput()).isEmpty();
    }

    @Test
    void theHeadReplyWithoutDirectMemoryForTheBatchClosesItsConnection() {
        readStarted();
        OrderedResponder.Slot first = responder.reserve();
        channel.pipeline().fireChannelReadComplete();
        allocator.failing = new OutOfMemoryError(DIRECT_MEMORY_SPENT);

        responder.complete(first, reply("1"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(drainOutput()).isEmpty();
    }

    @Test
    void aHeapOutOfMemoryErrorIsTheJvmsAndGoesOnUpToTheShard() {
        readStarted();
        OrderedResponder.Slot first = responder.reserve();
        OrderedResponder.Slot second = responder.reserve();
        channel.pipeline().fireChannelReadComplete();
        allocator.failing = new OutOfMemoryError("Java heap space");

        assertThatThrownBy(() -> responder.complete(second, reply("2"))).isInstanceOf(OutOfMemoryError.class)
                .hasMessage("Java heap space");
        assertThat(channel.isOpen()).isTrue();
        allocator.failing = null;
        responder.complete(first, reply("1"));
    }

    /** Opens the responder again on a channel whose socket takes nothing while the flag it returns is set (set at first). */
    private java.util.concurrent.atomic.AtomicBoolean reopenBehindAFullSocket() {
        channel.finishAndReleaseAll();
        java.util.concurrent.atomic.AtomicBoolean socketFull = new java.util.concurrent.atomic.AtomicBoolean(true);
        open(new EmbeddedChannel() {
            @Override
            protected void doWrite(io.netty.channel.ChannelOutboundBuffer in) throws Exception {
                if (!socketFull.get()) {
                    super.doWrite(in);
                }
            }
        });
        return socketFull;
    }

    /** A read burst begins: the responder sees a message go by (nothing handles it further). */
    private void readStarted() {
        channel.pipeline().fireChannelRead("request");
    }

    private ByteBuf reply(String text) {
        ByteBuf buf = Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
        replies.add(buf);
        return buf;
    }

    /** A buffer the test owns, as a pub/sub delivery owns its encoding (it releases it itself). */
    private static ByteBuf shared(String text) {
        return Unpooled.directBuffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String text(ByteBuf buf) {
        return buf.toString(StandardCharsets.US_ASCII);
    }

    private String drainOutput() {
        StringBuilder out = new StringBuilder();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            ByteBuf buf = (ByteBuf) msg;
            out.append(buf.toString(StandardCharsets.US_ASCII));
            ReferenceCountUtil.release(buf);
        }
        return out.toString();
    }

    /** Hands out unpooled heap buffers and remembers each, so a test can check they were all released. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();
        /** Thrown by every allocation while set: a spent direct memory, or a spent heap. */
        OutOfMemoryError failing;

        RecordingAllocator() {
            super(false);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            if (failing != null) {
                throw failing;
            }
            ByteBuf buf = new UnpooledHeapByteBuf(UnpooledByteBufAllocator.DEFAULT, initialCapacity, maxCapacity);
            allocated.add(buf);
            return buf;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return newHeapBuffer(initialCapacity, maxCapacity);
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }
}
