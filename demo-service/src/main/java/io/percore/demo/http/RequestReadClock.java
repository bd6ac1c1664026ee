package io.percore.demo.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * How long the request being read has been arriving, against the header and body read timeouts
 * ({@code percore.demo.http.request-header-timeout}, {@code body-read-timeout}). The idle timeout
 * cannot stop a slow-header client: every byte re-arms it. This clock starts when the first byte
 * of a request arrives (it stands before the decoder to see it) and is reset by the connection
 * when the headers and then the whole request have been decoded.
 *
 * <p>Time is counted in ticks of the connection's periodic check, not read from the system clock,
 * so the per-request cost is two field writes. A timeout fires between {@code timeout} and
 * {@code timeout + tick}. Ticks during which reading is paused (the server's own backpressure)
 * do not count against the client. A request that arrived in the same read as the end of the
 * previous one starts its clock with the next read. Used by the connection's shard thread only.
 */
final class RequestReadClock extends ChannelInboundHandlerAdapter {

    enum Phase { IDLE, HEADERS, BODY }

    private final long headerTicks;
    private final long bodyTicks;
    private Phase phase = Phase.IDLE;
    private long phaseTicks;

    RequestReadClock(long headerTicks, long bodyTicks) {
        this.headerTicks = headerTicks;
        this.bodyTicks = bodyTicks;
    }

    /** The check's period for these timeouts: an eighth of the shorter one, between 10 ms and 1 s. */
    static long tickNanos(HttpSettings settings) {
        long shorter = Math.min(settings.requestHeaderTimeout().toNanos(), settings.bodyReadTimeout().toNanos());
        return Math.max(10_000_000L, Math.min(1_000_000_000L, shorter / 8));
    }

    static RequestReadClock of(HttpSettings settings) {
        long tick = tickNanos(settings);
        return new RequestReadClock(Math.max(1, settings.requestHeaderTimeout().toNanos() / tick),
                Math.max(1, settings.bodyReadTimeout().toNanos() / tick));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.IDLE && msg instanceof ByteBuf buf && buf.isReadable()) {
            phase = Phase.HEADERS;
            phaseTicks = 0;
        }
        ctx.fireChannelRead(msg);
    }

    /** The request's header block was decoded: its body (possibly empty) is next. */
    void headersRead() {
        phase = Phase.BODY;
        phaseTicks = 0;
    }

    /** The whole request was decoded. */
    void requestRead() {
        phase = Phase.IDLE;
    }

    /**
     * One tick of the periodic check; returns the phase whose timeout has just expired, or null.
     *
     * @param reading false while the server itself has paused reading
     */
    Phase tick(boolean reading) {
        if (phase == Phase.IDLE || !reading) {
            return null;
        }
        phaseTicks++;
        long limit = phase == Phase.HEADERS ? headerTicks : bodyTicks;
        return phaseTicks > limit ? phase : null;
    }
}
