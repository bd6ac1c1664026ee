package io.percore.net.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The RESP request decoder over byte streams: every command stream is also fed split at every
 * position (and byte by byte), since TCP may cut anywhere; limits and Redis 7.0's error texts.
 */
class RespCommandDecoderTest {

    /** Small limits so that the limit cases stay small: bulk 1000, array 100, inline 64. */
    private static final RespDecoderLimits SMALL = new RespDecoderLimits(1000, 100, 64);

    @Test
    void multibulkAndInlineCommandsAtEverySplit() {
        String stream = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nva\r\nl\r\n"  // binary-safe: CRLF inside a value
                + "*0\r\n*-1\r\n"                                          // empty commands: skipped
                + "PING\r\n"
                + "\r\n"                                                   // empty inline line: skipped
                + "SET k \"a b\" 'c'\n"                                    // LF alone ends an inline line
                + "*1\r\n$0\r\n\r\n"                                       // empty argument
                + "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
        List<List<String>> expected = List.of(
                List.of("SET", "key", "va\r\nl"),
                List.of("PING"),
                List.of("SET", "k", "a b", "c"),
                List.of(""),
                List.of("GET", "key"));
        byte[] bytes = ascii(stream);
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertThat(decode(RespDecoderLimits.redisDefaults(), Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length)))
                    .as("split at %d", cut).isEqualTo(expected);
        }
        byte[][] oneByOne = new byte[bytes.length][];
        for (int i = 0; i < bytes.length; i++) {
            oneByOne[i] = new byte[] {bytes[i]};
        }
        assertThat(decode(RespDecoderLimits.redisDefaults(), oneByOne)).isEqualTo(expected);
    }

    @Test
    void argumentsGrowPastTheInitialAllocation() {
        StringBuilder frame = new StringBuilder("*3000\r\n");
        for (int i = 0; i < 3000; i++) {
            frame.append('$').append(Integer.toString(i).length()).append("\r\n").append(i).append("\r\n");
        }
        List<List<String>> out = decode(RespDecoderLimits.redisDefaults(), ascii(frame.toString()));
        assertThat(out).hasSize(1);
        assertThat(out.get(0)).hasSize(3000).startsWith("0", "1").endsWith("2999");
    }

    @Test
    void protocolErrorsHaveRedisTextsAtEverySplit() {
        String[][] cases = {
                {"*abc\r\n", "invalid multibulk length"},
                {"*01\r\n", "invalid multibulk length"},
                {"*+1\r\n", "invalid multibulk length"},
                {"*\r\n", "invalid multibulk length"},
                {"*99999999999999999999\r\n", "invalid multibulk length"},
                {"*2147483648\r\n", "invalid multibulk length"},
                {"*101\r\n", "invalid multibulk length"},       // over max-array-length
                {"*1\r\n$1001\r\n", "invalid bulk length"},      // over max-bulk-length
                {"*1\r\n$-1\r\n", "invalid bulk length"},
                {"*1\r\n$x\r\n", "invalid bulk length"},
                {"*1\r\n$\r\n", "invalid bulk length"},
                {"*2\r\n+OK\r\n", "expected '$', got '+'"},
                {"*1\r\n*1\r\n", "expected '$', got '*'"},
                {"*1\r\n\r\n\r\n", "expected '$', got ' '"},     // CR in an error reply would break RESP
                {"SET k \"v\r\n", "unbalanced quotes in request"},
                {"SET k 'v'x\r\n", "unbalanced quotes in request"},
        };
        for (String[] tc : cases) {
            byte[] bytes = ascii("*1\r\n$4\r\nPING\r\n" + tc[0] + "*1\r\n$4\r\nPING\r\n");
            for (int cut = 0; cut <= bytes.length; cut++) {
                List<Object> out = decodeRaw(SMALL,
                        Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length));
                assertThat(out).as("%s split at %d", tc[0], cut).hasSize(2);
                assertThat(args(out.get(0))).isEqualTo(List.of("PING"));
                assertThat(out.get(1)).as("%s split at %d", tc[0], cut).isInstanceOfSatisfying(RespProtocolError.class,
                        e -> assertThat(e.replyText()).isEqualTo("ERR Protocol error: " + tc[1]));
            }
        }
    }

    @Test
    void linesWithoutEndAreBoundedByTheInlineLimit() {
        // 64-byte limit: a line may not grow past it while its end is missing
        assertThat(errorOf(SMALL, "A".repeat(64))).isNull();
        assertThat(errorOf(SMALL, "A".repeat(65))).isEqualTo("too big inline request");
        assertThat(errorOf(SMALL, "A".repeat(65) + "\r\n")).isEqualTo("too big inline request");
        assertThat(errorOf(SMALL, "*" + "1".repeat(64))).isEqualTo("too big mbulk count string");
        assertThat(errorOf(SMALL, "*1\r\n$" + "1".repeat(64))).isEqualTo("too big bulk count string");
        // a length line that ends in time but is not a number
        assertThat(errorOf(SMALL, "*" + "1".repeat(30) + "\r\n")).isEqualTo("invalid multibulk length");
        // fed in small pieces, the decoder fails as soon as the limit is passed, not at the end
        RespCommandDecoder decoder = RespCommandDecoder.withoutAuthentication(SMALL);
        EmbeddedChannel ch = new EmbeddedChannel(decoder);
        int fed = 0;
        while (ch.inboundMessages().isEmpty()) {
            ch.writeInbound(Unpooled.wrappedBuffer(ascii("AAAAAAAA")));
            fed += 8;
            assertThat(fed).isLessThanOrEqualTo(72);
        }
        assertThat(ch.<Object>readInbound()).isInstanceOf(RespProtocolError.class);
        ch.writeInbound(Unpooled.wrappedBuffer(ascii("*1\r\n$4\r\nPING\r\n")));
        assertThat(ch.inboundMessages()).as("nothing is decoded after a protocol error").isEmpty();
        ch.finishAndReleaseAll();
    }

    /**
     * A stopped decoder leaves what arrives in its buffer (counted as buffered) and asks for no read
     * of its own; resumed, it emits the buffered commands as a burst at once, with no new bytes.
     */
    @Test
    void aStoppedDecoderBuffersUntilResumed() {
        RespCommandDecoder decoder = RespCommandDecoder.withoutAuthentication(RespDecoderLimits.redisDefaults());
        java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger bursts = new java.util.concurrent.atomic.AtomicInteger();
        List<String> seen = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel(new io.netty.channel.ChannelOutboundHandlerAdapter() {
            @Override
            public void read(io.netty.channel.ChannelHandlerContext ctx) {
                reads.incrementAndGet();
                ctx.read();
            }
        }, decoder, new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                byte[][] argv = (byte[][]) msg;
                seen.add(new String(argv[1], StandardCharsets.US_ASCII));
                if (seen.size() == 1) {
                    decoder.stop(); // the connection waits after its first command
                }
            }

            @Override
            public void channelReadComplete(io.netty.channel.ChannelHandlerContext ctx) {
                bursts.incrementAndGet();
            }
        });
        ch.config().setAutoRead(false);
        reads.set(0);
        String three = "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n*2\r\n$3\r\nGET\r\n$1\r\nc\r\n";
        ch.writeInbound(Unpooled.wrappedBuffer(ascii(three)));
        assertThat(seen).containsExactly("a");
        assertThat(decoder.bufferedBytes()).isEqualTo(2L * three.length() / 3);
        ch.writeInbound(Unpooled.wrappedBuffer(ascii("*2\r\n$3\r\nGET\r\n$1\r\nd\r\n")));
        assertThat(seen).as("stopped: nothing more decoded").containsExactly("a");
        assertThat(reads.get()).as("no read asked for while stopped (Netty asks when a burst decodes nothing)").isZero();
        int burstsBefore = bursts.get();
        decoder.resume(ch.pipeline().firstContext());
        assertThat(seen).containsExactly("a", "b", "c", "d");
        assertThat(bursts.get()).as("the resumed commands end with a burst of their own").isEqualTo(burstsBefore + 1);
        assertThat(decoder.bufferedBytes()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void limitsAreTighterUntilAuthenticated() {
        RespDecoderLimits limits = RespDecoderLimits.redisDefaults();
        BooleanSupplier pending = () -> true; // a password is required and AUTH has not succeeded
        AtomicBoolean authenticationPending = new AtomicBoolean(true);
        assertThat(errorOf(limits, pending, "*11\r\n")).isEqualTo("unauthenticated multibulk length");
        assertThat(errorOf(limits, pending, "*2\r\n$4\r\nAUTH\r\n$16385\r\n")).isEqualTo("unauthenticated bulk length");
        // Redis checks proto-max-bulk-len before the unauthenticated limit
        assertThat(errorOf(limits, pending, "*1\r\n$536870913\r\n")).isEqualTo("invalid bulk length");
        assertThat(errorOf(limits, pending, "*10\r\n$16384\r\n")).isNull();
        // authenticating between two commands lifts the limit for the second one
        EmbeddedChannel ch = new EmbeddedChannel(new RespCommandDecoder(limits, authenticationPending::get),
                new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        authenticationPending.set(false); // what a successful AUTH does
                        ctx.fireChannelRead(msg);
                    }
                });
        ch.writeInbound(Unpooled.wrappedBuffer(ascii("*3\r\n$4\r\nAUTH\r\n$1\r\nu\r\n$2\r\npw\r\n*12\r\n" + "$1\r\nx\r\n".repeat(12))));
        assertThat(args(ch.readInbound())).containsExactly("AUTH", "u", "pw");
        assertThat(args(ch.readInbound())).hasSize(12);
        ch.finishAndReleaseAll();
    }

    @Test
    void bytesAfterBulkDataAreSkippedUncheckedLikeRedis() {
        assertThat(decode(RespDecoderLimits.redisDefaults(), ascii("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n")))
                .isEqualTo(List.of(List.of("PING"), List.of("PING")));
    }

    @Test
    void lengthsParseLikeString2ll() {
        assertThat(parse("0")).isZero();
        assertThat(parse("17")).isEqualTo(17);
        assertThat(parse("9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(parse("-1")).isEqualTo(-1);
        assertThat(parse("-9223372036854775808")).isEqualTo(-1);
        for (String bad : new String[] {"", "-", "-0", "00", "01", "+1", " 1", "1 ", "1x", "9223372036854775808",
                "-9223372036854775809", "99999999999999999999", "123456789012345678901"}) {
            assertThat(parse(bad)).as(bad).isEqualTo(Long.MIN_VALUE);
        }
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A pipelined client repeats its command: the name is read once into an array the commands after
     * it share while their name has the same bytes (exactly: "get" is not "GET"); arguments never.
     */
    @Test
    void aCommandNamedAsThePreviousOneSharesItsNameArray() {
        String longName = "X".repeat(RespCommandDecoder.MAX_SHARED_NAME + 1);
        List<Object> out = decodeRaw(RespDecoderLimits.redisDefaults(), ascii(
                "*2\r\n$3\r\nGET\r\n$1\r\na\r\n" + "*2\r\n$3\r\nGET\r\n$1\r\na\r\n" + "*2\r\n$3\r\nget\r\n$1\r\na\r\n"
                        + "*3\r\n$3\r\nSET\r\n$3\r\nGET\r\n$1\r\nv\r\n" + "*1\r\n$3\r\nSET\r\n" + "GET a\r\n" + "*1\r\n$3\r\nSET\r\n"
                        + "*1\r\n$33\r\n" + longName + "\r\n" + "*1\r\n$33\r\n" + longName + "\r\n"));
        byte[][][] commands = out.toArray(new byte[0][][]);
        assertThat(out.stream().map(RespCommandDecoderTest::args).toList()).containsExactly(
                List.of("GET", "a"), List.of("GET", "a"), List.of("get", "a"), List.of("SET", "GET", "v"), List.of("SET"),
                List.of("GET", "a"), List.of("SET"), List.of(longName), List.of(longName));
        assertThat(commands[1][0]).isSameAs(commands[0][0]);
        assertThat(commands[1][1]).isNotSameAs(commands[0][1]);
        assertThat(commands[2][0]).isNotSameAs(commands[1][0]);
        assertThat(commands[3][0]).isNotSameAs(commands[2][0]);
        assertThat(commands[3][1]).as("an argument with a name's bytes").isNotSameAs(commands[1][0]);
        assertThat(commands[4][0]).isSameAs(commands[3][0]);
        assertThat(commands[6][0]).as("an inline command in between").isSameAs(commands[4][0]);
        assertThat(commands[8][0]).as("longer than MAX_SHARED_NAME").isNotSameAs(commands[7][0]);
    }

    private static long parse(String s) {
        return RespCommandDecoder.parseLength(ascii("x" + s + "y"), 1, 1 + s.length());
    }

    private static String errorOf(RespDecoderLimits limits, String input) {
        return errorOf(limits, () -> false, input);
    }

    /** The protocol error detail the input leads to (fed in one piece), or null if none yet. */
    private static String errorOf(RespDecoderLimits limits, BooleanSupplier authenticationPending, String input) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespCommandDecoder(limits, authenticationPending));
        ch.writeInbound(Unpooled.wrappedBuffer(ascii(input)));
        String error = null;
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            if (msg instanceof RespProtocolError e) {
                error = e.replyText().substring("ERR Protocol error: ".length());
            }
        }
        ch.finishAndReleaseAll();
        return error;
    }

    private static List<List<String>> decode(RespDecoderLimits limits, byte[]... chunks) {
        List<List<String>> commands = new ArrayList<>();
        for (Object msg : decodeRaw(limits, chunks)) {
            assertThat(msg).isInstanceOf(byte[][].class);
            commands.add(args(msg));
        }
        return commands;
    }

    private static List<Object> decodeRaw(RespDecoderLimits limits, byte[]... chunks) {
        return decodeRaw(limits, () -> false, chunks);
    }

    /** What the decoder emits for {@code chunks}, each one read: commands and protocol errors. */
    static List<Object> decodeRaw(RespDecoderLimits limits, BooleanSupplier authenticationPending, byte[]... chunks) {
        EmbeddedChannel ch = new EmbeddedChannel(new RespCommandDecoder(limits, authenticationPending));
        for (byte[] chunk : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        List<Object> out = new ArrayList<>();
        Object msg;
        while ((msg = ch.readInbound()) != null) {
            out.add(msg);
        }
        ch.finishAndReleaseAll();
        return out;
    }

    private static List<String> args(Object msg) {
        List<String> out = new ArrayList<>();
        for (byte[] arg : (byte[][]) msg) {
            out.add(new String(arg, StandardCharsets.ISO_8859_1));
        }
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
