package io.percore.net.resp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Turns a client's byte stream straight into commands: one {@code byte[][]} per command, one
 * {@code byte[]} per argument, nothing else allocated, and not even that for a command's name when
 * it is the previous command's: a client sends the same command over and over, so its name is one
 * array shared by those commands (the arguments a command is given are never modified, and this makes
 * that a rule). It replaces Netty's {@code RedisDecoder}
 * and its two aggregators, which build a header, a content slice, a full bulk string, a list and
 * an array message per command (several objects per argument, each reference-counted), and were
 * the largest CPU cost of a pipelined client (see benchmarks/PEERS.md, RespDecodeBenchmark).
 *
 * <p>Follows Redis 7.0's {@code processMultibulkBuffer} and {@code processInlineBuffer}: a line
 * starting with {@code *} is a multibulk command, anything else an inline one; the same limits
 * (before and after AUTH) and the same error texts. Emits a {@link RespProtocolError} (and drops
 * everything after it) for a malformed frame; the next handler replies with it and closes. One
 * command per {@code decode} call, so a command runs (and AUTH takes effect) before the next
 * one's limits are checked. Lines are never buffered beyond {@link RespDecoderLimits#maxInlineLength()},
 * bulk strings never beyond {@link RespDecoderLimits#maxBulkLength()}.
 *
 * <p>The connection may {@link #stop} it at a command boundary: what was read stays buffered (and
 * counted by {@link #bufferedBytes}) instead of becoming commands, until {@link #resume}. That is
 * how a connection waits for work it started elsewhere without decoding, and holding, more.
 *
 * <p>A server-side codec that knows no commands, so every RESP server on net-pooling (the demo,
 * the benchmarks) decodes alike.
 */
public final class RespCommandDecoder extends ByteToMessageDecoder {

    /** Redis allocates at most this many argument slots up front, growing as arguments arrive. */
    private static final int INITIAL_ARGV_LIMIT = 1024;
    /** Names longer than this are never shared (Redis's longest command name has 17 characters). */
    static final int MAX_SHARED_NAME = 32;
    /** Commands looked ahead at in one go: a pipelined batch (redis-benchmark's -P 16, Lettuce's flushes). */
    static final int LOOKAHEAD_COMMANDS = 16;
    /** A command with more arguments ends the look ahead (MSET of many keys walks its own). */
    static final int LOOKAHEAD_MAX_ARGUMENTS = 8;
    /** Bytes the scan copies out of the buffer at a time: a batch of 16 small commands. */
    static final int SCAN_WINDOW = 1024;
    /** The longest length line the scan reads: its type byte, a sign, 19 digits, '\r' and '\n'. */
    private static final int MAX_LENGTH_LINE = 23;
    /** What the scan copies after a long value: a command's lines up to its value for a key of up to about 80 bytes. */
    static final int SPAN_AFTER_LONG_VALUE = 128;
    /** One scan window a thread, shared by the connections it decodes for: a scan never runs inside another. */
    private static final FastThreadLocal<byte[]> WINDOWS = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[SCAN_WINDOW];
        }
    };
    /** Marks a length line that is not an integer as Redis's {@code string2ll} reads it. */
    private static final long NOT_A_NUMBER = Long.MIN_VALUE;

    private final RespDecoderLimits limits;
    private final BooleanSupplier authenticationPending;

    private byte[][] argv;      // the multibulk command being read, null between commands
    private int argc;           // arguments read into argv
    private int expected;       // arguments the header announced
    private int bulkLength = -1; // length of the argument being read, -1 before its $ line
    private int scanned;        // bytes after readerIndex searched for a line end without success
    /** The name the last multibulk command came with, given to the next one with the same bytes. */
    private byte[] lastName = new byte[0];
    private boolean failed;
    /** Decodes nothing more until {@link #resume}: what arrives is buffered. */
    private boolean stopped;
    /** Told the keys of the complete commands ahead (null: no lookahead). */
    private RespKeyLookahead lookahead;
    /** A read burst came whose commands have not been scanned yet. */
    private boolean scanArmed;
    /**
     * The complete commands the last scan found in the buffer being decoded (indexes into it, valid
     * until the next read: the cumulation may move then), and the next of them to decode.
     */
    private int aheadCount;
    private int aheadNext;
    private final int[] aheadStart = new int[LOOKAHEAD_COMMANDS];
    private final int[] aheadEnd = new int[LOOKAHEAD_COMMANDS];
    private final int[] aheadArgc = new int[LOOKAHEAD_COMMANDS];
    private final int[] aheadArgAt = new int[LOOKAHEAD_COMMANDS * LOOKAHEAD_MAX_ARGUMENTS];
    private final int[] aheadArgLength = new int[LOOKAHEAD_COMMANDS * LOOKAHEAD_MAX_ARGUMENTS];
    private final int[] aheadKeyAt = new int[LOOKAHEAD_COMMANDS];
    private final int[] aheadKeyLength = new int[LOOKAHEAD_COMMANDS];
    /**
     * What the scan reads its length lines from: bytes of the buffer copied out at once, so that the
     * scan's loops are over an array (the buffer's getByte checks its bounds and its reference count
     * on every byte: 3.8 % of a 16-deep SET/GET's samples). The thread's {@link #WINDOWS}, taken at
     * each scan: its bytes are the buffer's [windowFrom, windowTo) until the scan returns.
     */
    private byte[] window;
    private int windowFrom;
    private int windowTo;

    /**
     * @param authenticationPending true while the connection still has to authenticate (a password
     *                              is required and AUTH has not succeeded): Redis's tighter
     *                              unauthenticated limits apply. Asked on the connection's thread
     *                              before each command.
     */
    public RespCommandDecoder(RespDecoderLimits limits, BooleanSupplier authenticationPending) {
        this.limits = limits;
        this.authenticationPending = authenticationPending;
    }

    /**
     * Bytes this decoder holds for requests not yet complete (Redis's query buffer): what it received
     * and has not turned into commands, plus the arguments of the command it is reading. The
     * connection's memory counts them. On the channel's thread.
     */
    public long bufferedBytes() {
        ByteBuf cumulation = internalBuffer();
        long bytes = cumulation == null ? 0 : cumulation.readableBytes();
        if (argv != null) {
            for (int i = 0; i < argc; i++) {
                bytes += argv[i].length;
            }
        }
        return bytes;
    }

    /**
     * Tells {@code lookahead} the first keys of the complete commands of a read burst before the
     * first of them is emitted (at most {@value #LOOKAHEAD_COMMANDS} at a time, only when there are
     * two or more): they come from the scan that decodes them. On the channel's thread, before the
     * first read.
     */
    public RespCommandDecoder lookahead(RespKeyLookahead lookahead) {
        this.lookahead = lookahead;
        return this;
    }

    /** A decoder for a server without a password (benchmarks, embedding). */
    public static RespCommandDecoder withoutAuthentication(RespDecoderLimits limits) {
        return new RespCommandDecoder(limits, () -> false);
    }

    /**
     * Decodes no further command (the one being emitted now is the last): bytes read stay in the
     * buffer. The connection should stop reading as well, or the buffer grows with every read.
     * On the channel's thread.
     */
    public void stop() {
        stopped = true;
    }

    /**
     * Decodes again: the commands already buffered are emitted now, as a read burst of their own
     * ({@code channelRead} then {@code channelReadComplete} down the pipeline), since no new bytes
     * may ever come to start one (a client that sent everything and waits for its replies). On the
     * channel's thread, outside the pipeline's own callbacks.
     */
    public void resume(ChannelHandlerContext anyContext) {
        if (!stopped) {
            return;
        }
        stopped = false;
        ByteBuf buffered = internalBuffer();
        if (buffered.isReadable() && anyContext.channel().isActive()) {
            ChannelHandlerContext own = anyContext.pipeline().context(this);
            try {
                channelRead(own, Unpooled.EMPTY_BUFFER);
                channelReadComplete(own);
            } catch (Exception e) {
                own.fireExceptionCaught(e); // where the pipeline would have sent it
            }
        }
    }

    /**
     * As Netty's, except while stopped: Netty asks for another read when a burst decoded nothing
     * and auto-read is off, which for a stopped decoder would read, buffer and ask again for ever.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (stopped) {
            discardSomeReadBytes();
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        scanArmed = true;
        aheadCount = 0; // what the last scan found was indexed in a buffer this read may replace
        aheadNext = 0;
        super.channelRead(ctx, msg);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (stopped) {
            return; // nothing consumed, nothing emitted: the decoding loop ends and the bytes wait
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (argv == null) {
            if (!in.isReadable()) {
                return;
            }
            if (aheadNext == aheadCount && scanArmed) {
                scan(in);
            }
            if (aheadNext < aheadCount && aheadStart[aheadNext] == in.readerIndex() && decodeScanned(in, out)) {
                return;
            }
            if (in.getByte(in.readerIndex()) != '*') {
                decodeInline(in, out);
                return;
            }
            if (!decodeMultibulkHeader(in, out)) {
                return;
            }
        }
        while (argc < expected) {
            if (bulkLength < 0 && !decodeBulkHeader(in, out)) {
                return;
            }
            if (in.readableBytes() < bulkLength + 2L) {
                return;
            }
            byte[] arg = argc == 0 ? readName(in, bulkLength) : readArgument(in, bulkLength);
            in.skipBytes(2); // Redis does not look at the two bytes after the data either
            if (argc == argv.length) {
                argv = Arrays.copyOf(argv, (int) Math.min((long) argv.length * 2, expected));
            }
            argv[argc++] = arg;
            bulkLength = -1;
        }
        out.add(argv);
        argv = null;
    }

    /**
     * Finds the complete multibulk commands from readerIndex on (up to {@value #LOOKAHEAD_COMMANDS},
     * each of 2 to {@value #LOOKAHEAD_MAX_ARGUMENTS} arguments): where each argument lies, which
     * {@link #decodeScanned} then copies out without reading the lines again, and tells the lookahead
     * their first keys. Stops at anything else (an inline command, a partial or malformed one, one
     * with more arguments): the decoder reads those line by line as it always has. Scans again after
     * the commands it found, in the same burst, only if it found a whole batch.
     */
    private void scan(ByteBuf in) {
        int pos = in.readerIndex();
        int end = in.writerIndex();
        window = WINDOWS.get();
        windowFrom = windowTo = pos;
        int n = 0;
        while (n < LOOKAHEAD_COMMANDS && pos < end && windowed(in, pos, end) == '*') {
            int start = pos;
            int cr = lengthLineEnd(pos + 1, end);
            long arguments = cr < 0 ? -1 : parseLength(window, pos + 1 - windowFrom, cr - windowFrom);
            if (arguments < 2 || arguments > LOOKAHEAD_MAX_ARGUMENTS) {
                break;
            }
            pos = cr + 2;
            int at = n * LOOKAHEAD_MAX_ARGUMENTS;
            for (int i = 0; i < arguments && pos >= 0; i++) {
                if (pos >= end || windowed(in, pos, end) != '$' || (cr = lengthLineEnd(pos + 1, end)) < 0) {
                    pos = -1;
                    break;
                }
                long length = parseLength(window, pos + 1 - windowFrom, cr - windowFrom);
                pos = cr + 2;
                if (length < 0 || length > end - pos - 2L) {
                    pos = -1;
                    break;
                }
                aheadArgAt[at + i] = pos;
                aheadArgLength[at + i] = (int) length;
                pos += (int) length + 2; // Redis does not look at the two bytes after the data either
            }
            if (pos < 0) {
                break;
            }
            aheadStart[n] = start;
            aheadEnd[n] = pos;
            aheadArgc[n] = (int) arguments;
            aheadKeyAt[n] = aheadArgAt[at + 1];
            aheadKeyLength[n] = aheadArgLength[at + 1];
            n++;
        }
        scanArmed = n == LOOKAHEAD_COMMANDS; // more may follow the batch in this burst
        aheadCount = n;
        aheadNext = 0;
        if (n >= 2 && lookahead != null) {
            lookahead.keysAhead(in, aheadKeyAt, aheadKeyLength, n);
        }
    }

    /**
     * The byte at {@code pos}, a length line's first, from {@link #window}, which is first moved to
     * start there unless it holds the longest such line from there (or the buffer's end). After a
     * value longer than the window only the next command's first lines are copied: its value is
     * likely as long, and copying a whole window for each such command cost 3 % at 4 KiB values.
     */
    private byte windowed(ByteBuf in, int pos, int end) {
        if (pos < windowFrom || Math.min(pos + MAX_LENGTH_LINE, end) > windowTo) {
            int span = pos - windowTo > window.length ? SPAN_AFTER_LONG_VALUE : window.length;
            int length = Math.min(span, end - pos);
            in.getBytes(pos, window, 0, length);
            windowFrom = pos;
            windowTo = pos + length;
        }
        return window[pos - windowFrom];
    }

    /**
     * Emits the next scanned command from where the scan found its arguments: the same arguments the
     * line-by-line path would read, under the same limits. False (the command left to that path,
     * which gives the error) when a limit refuses it or before authentication, whose tighter limits
     * that path applies.
     */
    private boolean decodeScanned(ByteBuf in, List<Object> out) {
        int command = aheadNext++;
        int count = aheadArgc[command];
        if (count > limits.maxArrayLength() || authRequired()) {
            return false;
        }
        int at = command * LOOKAHEAD_MAX_ARGUMENTS;
        for (int i = 0; i < count; i++) {
            if (aheadArgLength[at + i] > limits.maxBulkLength()) {
                return false;
            }
        }
        byte[][] args = new byte[count][];
        args[0] = readName(in, aheadArgAt[at], aheadArgLength[at]);
        for (int i = 1; i < count; i++) {
            byte[] arg = new byte[aheadArgLength[at + i]];
            in.getBytes(aheadArgAt[at + i], arg);
            args[i] = arg;
        }
        in.readerIndex(aheadEnd[command]);
        scanned = 0; // a header line found partial on an earlier read was completed by this one
        out.add(args);
        return true;
    }

    /**
     * The '\r' ending a length line that starts at {@code from} (its '\n' read too), or -1; the line
     * is in the {@link #window} ({@link #windowed} put it there).
     */
    private int lengthLineEnd(int from, int end) {
        int last = Math.min(end - 1, from + 20) - windowFrom; // 19 digits and a sign at most
        byte[] bytes = window;
        for (int i = from - windowFrom; i < last; i++) {
            if (bytes[i] == '\r') {
                return i + windowFrom;
            }
        }
        return -1;
    }

    private static byte[] readArgument(ByteBuf in, int length) {
        byte[] arg = new byte[length];
        in.readBytes(arg);
        return arg;
    }

    /** A command's name: the previous command's array if the bytes are the same, else a new one. */
    private byte[] readName(ByteBuf in, int length) {
        byte[] name = readName(in, in.readerIndex(), length);
        in.skipBytes(length);
        return name;
    }

    /** {@link #readName(ByteBuf, int)} of the {@code length} bytes at {@code from}, the reader index left where it is. */
    private byte[] readName(ByteBuf in, int from, int length) {
        byte[] last = lastName;
        if (last.length == length && sameBytes(in, from, last)) {
            return last;
        }
        byte[] name = new byte[length];
        in.getBytes(from, name);
        if (length <= MAX_SHARED_NAME) {
            lastName = name;
        }
        return name;
    }

    private static boolean sameBytes(ByteBuf in, int from, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (in.getByte(from + i) != bytes[i]) {
                return false;
            }
        }
        return true;
    }

    /** Reads {@code *<count>\r\n}; false if incomplete or failed. Leaves argv null for an empty command. */
    private boolean decodeMultibulkHeader(ByteBuf in, List<Object> out) {
        int cr = findLineEnd(in, (byte) '\r', "too big mbulk count string", out);
        if (cr < 0) {
            return false;
        }
        long count = parseLength(in, in.readerIndex() + 1, cr);
        if (count == NOT_A_NUMBER || count > Integer.MAX_VALUE) {
            return fail(in, out, "invalid multibulk length");
        }
        if (count > RespDecoderLimits.UNAUTHENTICATED_MAX_ARRAY_LENGTH && authRequired()) {
            return fail(in, out, "unauthenticated multibulk length");
        }
        if (count > limits.maxArrayLength()) {
            return fail(in, out, "invalid multibulk length");
        }
        in.readerIndex(cr + 2);
        if (count <= 0) {
            return false; // "*0" and "*-1" are empty commands: nothing to run, the loop goes on
        }
        expected = (int) count;
        argc = 0;
        argv = new byte[Math.min(expected, INITIAL_ARGV_LIMIT)][];
        return true;
    }

    /** Reads {@code $<length>\r\n} into bulkLength; false if incomplete or failed. */
    private boolean decodeBulkHeader(ByteBuf in, List<Object> out) {
        int cr = findLineEnd(in, (byte) '\r', "too big bulk count string", out);
        if (cr < 0) {
            return false;
        }
        byte type = in.getByte(in.readerIndex());
        if (type != '$') {
            return fail(in, out, "expected '$', got '" + (char) (type & 0xFF) + "'");
        }
        long length = parseLength(in, in.readerIndex() + 1, cr);
        if (length == NOT_A_NUMBER || length < 0 || length > limits.maxBulkLength()) {
            return fail(in, out, "invalid bulk length");
        }
        if (length > RespDecoderLimits.UNAUTHENTICATED_MAX_BULK_LENGTH && authRequired()) {
            return fail(in, out, "unauthenticated bulk length");
        }
        in.readerIndex(cr + 2);
        bulkLength = (int) length;
        return true;
    }

    private void decodeInline(ByteBuf in, List<Object> out) {
        int lf = findLineEnd(in, (byte) '\n', "too big inline request", out);
        if (lf < 0) {
            return;
        }
        int start = in.readerIndex();
        if (lf - start > limits.maxInlineLength()) {
            fail(in, out, "too big inline request");
            return;
        }
        int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
        byte[] line = new byte[end - start];
        in.getBytes(start, line);
        in.readerIndex(lf + 1);
        List<byte[]> args;
        try {
            args = InlineCommandSplitter.split(line);
        } catch (RespProtocolError e) {
            failed = true;
            in.skipBytes(in.readableBytes());
            out.add(e);
            return;
        }
        if (!args.isEmpty()) {
            out.add(args.toArray(new byte[0][]));
        }
    }

    /**
     * The index of the next {@code delimiter} after readerIndex (for '\r' only once the byte
     * after it has arrived too, as Redis requires), or -1: not there yet, or the line is longer
     * than the inline limit (then the connection has failed with {@code tooLong}).
     */
    private int findLineEnd(ByteBuf in, byte delimiter, String tooLong, List<Object> out) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int found = in.indexOf(start + scanned, end, delimiter);
        if (found < 0) {
            scanned = end - start;
            if (scanned > limits.maxInlineLength()) {
                fail(in, out, tooLong);
            }
            return -1;
        }
        scanned = found - start;
        if (delimiter == '\r' && found + 1 >= end) {
            return -1;
        }
        scanned = 0;
        return found;
    }

    /**
     * {@link #parseLength(byte[], int, int)} of a line in the buffer, read where it lies: the line-by-line path
     * reads one or two digits a line, and copying each line out first cost MSET (21 lines) about 5 %.
     */
    static long parseLength(ByteBuf in, int from, int to) {
        int length = to - from;
        if (length <= 0 || length > 20) {
            return NOT_A_NUMBER;
        }
        byte first = in.getByte(from);
        if (length == 1 && first == '0') {
            return 0;
        }
        boolean negative = first == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            return NOT_A_NUMBER;
        }
        byte lead = in.getByte(i);
        if (lead < '1' || lead > '9') {
            return NOT_A_NUMBER;
        }
        long v = 0; // accumulated negatively so that Long.MIN_VALUE is representable
        for (; i < to; i++) {
            int d = in.getByte(i) - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                return NOT_A_NUMBER;
            }
            v = v * 10 - d;
        }
        if (negative) {
            return -1;
        }
        return v == Long.MIN_VALUE ? NOT_A_NUMBER : -v;
    }

    /**
     * {@code [from, to)} as Redis's {@code string2ll}: optional '-', no leading zeros or '+', at
     * most 20 characters, no overflow; else {@link #NOT_A_NUMBER}. Negative results come back as
     * -1 (every caller treats all negatives alike).
     */
    static long parseLength(byte[] bytes, int from, int to) {
        int length = to - from;
        if (length <= 0 || length > 20) {
            return NOT_A_NUMBER;
        }
        byte first = bytes[from];
        if (length == 1 && first == '0') {
            return 0;
        }
        boolean negative = first == '-';
        int i = negative ? from + 1 : from;
        if (i == to) {
            return NOT_A_NUMBER;
        }
        byte lead = bytes[i];
        if (lead < '1' || lead > '9') {
            return NOT_A_NUMBER;
        }
        long v = 0; // accumulated negatively so that Long.MIN_VALUE is representable
        for (; i < to; i++) {
            int d = bytes[i] - '0';
            if (d < 0 || d > 9 || v < (Long.MIN_VALUE + d) / 10) {
                return NOT_A_NUMBER;
            }
            v = v * 10 - d;
        }
        if (negative) {
            return -1;
        }
        return v == Long.MIN_VALUE ? NOT_A_NUMBER : -v;
    }

    private boolean authRequired() {
        return authenticationPending.getAsBoolean();
    }

    private boolean fail(ByteBuf in, List<Object> out, String detail) {
        failed = true;
        argv = null;
        in.skipBytes(in.readableBytes());
        out.add(new RespProtocolError(detail));
        return false;
    }
}
