package io.percore.net.resp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder's scan of a pipelined batch: the lookahead told the first key of each complete command
 * before the first of them is emitted, at most a batch at a time, never for a lone command; the
 * scanned commands decoded from where the scan found their arguments, exactly as line by line
 * whatever the split, under the same limits and errors.
 */
class RespKeyLookaheadTest {

    /** What the lookahead was told, each call with how many commands had been emitted before it. */
    private static final class Recorder implements RespKeyLookahead {
        final List<String> calls = new ArrayList<>();
        final List<List<String>> commands = new ArrayList<>();

        @Override
        public void keysAhead(ByteBuf in, int[] keyAt, int[] keyLength, int count) {
            assertThat(count).isBetween(2, RespCommandDecoder.LOOKAHEAD_COMMANDS);
            List<String> keys = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                keys.add(in.toString(keyAt[i], keyLength[i], StandardCharsets.ISO_8859_1));
            }
            calls.add(commands.size() + " " + keys);
        }
    }

    private static Recorder feed(byte[]... chunks) {
        Recorder recorder = new Recorder();
        EmbeddedChannel ch = new EmbeddedChannel(
                RespCommandDecoder.withoutAuthentication(RespDecoderLimits.redisDefaults()).lookahead(recorder),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        if (msg instanceof RespProtocolError) {
                            recorder.commands.add(List.of("protocol error"));
                            return;
                        }
                        List<String> args = new ArrayList<>();
                        for (byte[] arg : (byte[][]) msg) {
                            args.add(new String(arg, StandardCharsets.ISO_8859_1));
                        }
                        recorder.commands.add(args);
                    }
                });
        for (byte[] chunk : chunks) {
            ch.writeInbound(Unpooled.wrappedBuffer(chunk));
        }
        ch.finishAndReleaseAll();
        return recorder;
    }

    private static String command(String... args) {
        StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            b.append('$').append(a.length()).append("\r\n").append(a).append("\r\n");
        }
        return b.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void aPipelinedBatchIsToldItsKeysOnceBeforeItsFirstCommand() {
        Recorder r = feed(ascii(command("SET", "k1", "v") + command("GET", "k\r\n2") + command("DEL", "k3", "k4")));
        assertThat(r.calls).containsExactly("0 [k1, k\r\n2, k3]");
        assertThat(r.commands).hasSize(3);
    }

    @Test
    void aLoneCommandIsNotLookedAhead() {
        Recorder r = feed(ascii(command("GET", "a")), ascii(command("GET", "b")), ascii(command("SET", "c", "d")));
        assertThat(r.calls).isEmpty();
        assertThat(r.commands).hasSize(3);
    }

    @Test
    void theLookStopsAtWhatItDoesNotReadCheaply() {
        String many = command("MSET", "m1", "1", "m2", "2", "m3", "3", "m4", "4", "m5", "5"); // 11 arguments
        String first = command("GET", "first");
        assertThat(feed(ascii(first + command("GET", "a") + command("GET", "b"))).calls).containsExactly("0 [first, a, b]");
        assertThat(feed(ascii(first + command("GET", "a") + command("GET", "b") + command("PING") + command("GET", "c"))).calls)
                .as("a command without a key").containsExactly("0 [first, a, b]");
        assertThat(feed(ascii(first + command("GET", "a") + command("GET", "b") + "GET c\r\n" + command("GET", "d"))).calls)
                .as("an inline command").containsExactly("0 [first, a, b]");
        assertThat(feed(ascii(first + command("GET", "a") + command("GET", "b") + many + command("GET", "c"))).calls)
                .as("many arguments").containsExactly("0 [first, a, b]");
        String partial = command("GET", "c");
        assertThat(feed(ascii(first + command("GET", "a") + command("GET", "b") + partial.substring(0, partial.length() - 1))).calls)
                .as("a partial command").containsExactly("0 [first, a, b]");
        assertThat(feed(ascii(first + command("GET", "a") + "*2\r\n$x\r\nGET\r\n" + command("GET", "c"))).calls)
                .as("a malformed command").containsExactly("0 [first, a]");
        assertThat(feed(ascii(first + command("GET", "a") + "*2\r\n$03\r\nGET\r\n" + command("GET", "c"))).calls)
                .as("a length with a leading zero, which Redis refuses").containsExactly("0 [first, a]");
        assertThat(feed(ascii(first), ascii(command("GET", "a")), ascii(command("GET", "b"))).calls)
                .as("one command in each read").isEmpty();
    }

    @Test
    void aBurstLongerThanABatchIsLookedAheadBatchByBatch() {
        StringBuilder burst = new StringBuilder();
        for (int i = 0; i < 40; i++) {
            burst.append(command("GET", "k" + i));
        }
        Recorder r = feed(ascii(burst.toString()));
        assertThat(r.calls).hasSize(3);
        assertThat(r.calls.get(0)).startsWith("0 [k0, k1,").endsWith(", k15]");
        assertThat(r.calls.get(1)).startsWith("16 [k16,").endsWith(", k31]");
        assertThat(r.calls.get(2)).isEqualTo("32 [k32, k33, k34, k35, k36, k37, k38, k39]");
        assertThat(r.commands).hasSize(40);
    }

    @Test
    void aBatchLongerThanTheScanWindowIsLookedAtWholeWhereverItsLinesFall() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < RespCommandDecoder.LOOKAHEAD_COMMANDS; i++) {
            keys.add(i == 2 ? "long".repeat(RespCommandDecoder.SPAN_AFTER_LONG_VALUE / 4) + i : "key" + i); // the lines after a long value past the span copied
        }
        for (int shift = 0; shift < 64; shift++) { // moves the lines after the first value across the window's end
            StringBuilder batch = new StringBuilder();
            List<List<String>> expected = new ArrayList<>();
            for (int i = 0; i < keys.size(); i++) {
                String value = i == 0 ? "a".repeat(RespCommandDecoder.SCAN_WINDOW - 40 + shift)
                        : i == 1 ? "b".repeat(3 * RespCommandDecoder.SCAN_WINDOW + shift) // past a whole window
                        : "v".repeat(i * 7 % 120);
                batch.append(command("SET", keys.get(i), value));
                expected.add(List.of("SET", keys.get(i), value));
            }
            Recorder r = feed(ascii(batch.toString()));
            assertThat(r.calls).as("shift %d", shift).containsExactly("0 " + keys);
            assertThat(r.commands).as("shift %d", shift).isEqualTo(expected);
        }
    }

    @Test
    void decodingIsTheSameAtEverySplitAndEveryKeyToldIsItsCommandsFirstKey() {
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            stream.append(i % 7 == 3 ? command("PING") : i % 5 == 1 ? "GET inline" + i + "\r\n" : command("SET", "key" + i, "v" + i));
        }
        byte[] bytes = ascii(stream.toString());
        List<List<String>> expected = feed(bytes).commands;
        assertThat(expected).hasSize(20);
        for (int cut = 0; cut <= bytes.length; cut++) {
            Recorder r = feed(Arrays.copyOfRange(bytes, 0, cut), Arrays.copyOfRange(bytes, cut, bytes.length));
            assertThat(r.commands).as("split at %d", cut).isEqualTo(expected);
            for (String call : r.calls) {
                int emitted = Integer.parseInt(call.substring(0, call.indexOf(' ')));
                String[] keys = call.substring(call.indexOf('[') + 1, call.length() - 1).split(", ");
                for (int k = 0; k < keys.length; k++) {
                    assertThat(expected.get(emitted + k).get(1)).as("split at %d, %s", cut, call).isEqualTo(keys[k]);
                }
            }
        }
    }

    @Test
    void aStoppedDecoderDoesNotLookAgainAtCommandsItAlreadyLookedAt() {
        Recorder recorder = new Recorder();
        RespCommandDecoder decoder = RespCommandDecoder.withoutAuthentication(RespDecoderLimits.redisDefaults()).lookahead(recorder);
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                recorder.commands.add(List.of(new String(((byte[][]) msg)[1], StandardCharsets.ISO_8859_1)));
                if (recorder.commands.size() == 2) {
                    decoder.stop();
                }
            }
        });
        ch.writeInbound(Unpooled.wrappedBuffer(ascii(command("GET", "a") + command("GET", "b") + command("GET", "c") + command("GET", "d"))));
        assertThat(recorder.commands).hasSize(2);
        decoder.resume(ch.pipeline().firstContext());
        assertThat(recorder.commands).hasSize(4);
        assertThat(recorder.calls).as("the resumed burst is scanned anew").containsExactly("0 [a, b, c, d]", "2 [c, d]");
        ch.writeInbound(Unpooled.wrappedBuffer(ascii(command("GET", "e") + command("GET", "f"))));
        assertThat(recorder.calls).containsExactly("0 [a, b, c, d]", "2 [c, d]", "4 [e, f]");
        ch.finishAndReleaseAll();
    }

    @Test
    void scannedCommandsMeetTheLimitsAndErrorsOfTheLineByLinePath() {
        RespDecoderLimits small = new RespDecoderLimits(1000, 100, 64);
        String big = "x".repeat(1001);
        List<Object> out = RespCommandDecoderTest.decodeRaw(small, () -> false, ascii(command("GET", "a") + command("SET", "k", big) + command("GET", "b")));
        assertThat(out).hasSize(2);
        assertThat(out.get(1)).isInstanceOf(RespProtocolError.class);
        assertThat(((RespProtocolError) out.get(1)).getMessage()).contains("invalid bulk length");

        RespDecoderLimits fewArguments = new RespDecoderLimits(1000, 2, 64);
        out = RespCommandDecoderTest.decodeRaw(fewArguments, () -> false, ascii(command("GET", "a") + command("SET", "k", "v") + command("GET", "b")));
        assertThat(((RespProtocolError) out.get(1)).getMessage()).contains("invalid multibulk length");

        String unauthenticated = "y".repeat(RespDecoderLimits.UNAUTHENTICATED_MAX_BULK_LENGTH + 1);
        out = RespCommandDecoderTest.decodeRaw(RespDecoderLimits.redisDefaults(), () -> true,
                ascii(command("AUTH", "pw") + command("SET", "k", unauthenticated) + command("GET", "b")));
        assertThat(out).hasSize(2);
        assertThat(((RespProtocolError) out.get(1)).getMessage()).contains("unauthenticated bulk length");

        out = RespCommandDecoderTest.decodeRaw(RespDecoderLimits.redisDefaults(), () -> false, ascii(command("GET", "a") + "*2\r\n$03\r\nGET\r\n$1\r\nb\r\n"));
        assertThat(((RespProtocolError) out.get(1)).getMessage()).contains("invalid bulk length");
    }

    @Test
    void aHeaderCutInTheMiddleAndCompletedByTheNextReadDecodesAsOne() {
        String second = command("GET", "second");
        for (int cut = 1; cut < 6; cut++) { // inside "*2\r\n$3\r\n": the line search has begun on the first read
            // then an inline command, read line by line: its search for the line end starts afresh
            Recorder r = feed(ascii(command("GET", "first") + second.substring(0, cut)),
                    ascii(second.substring(cut) + "P\n" + command("GET", "fourth")));
            assertThat(r.commands).as("cut %d", cut)
                    .containsExactly(List.of("GET", "first"), List.of("GET", "second"), List.of("P"), List.of("GET", "fourth"));
        }
    }
}
