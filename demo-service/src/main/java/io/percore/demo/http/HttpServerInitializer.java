package io.percore.demo.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.percore.demo.server.ServerShard;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Sharded;
import io.percore.engine.Shard;
import io.percore.net.server.OrderedResponder;
import io.percore.net.server.RejectionReply;
import io.percore.net.server.RequestKinds;
import io.percore.net.server.ServerChannelContext;
import java.nio.charset.StandardCharsets;

/**
 * The per-core HTTP pipeline: the request read clock (header and body read timeouts), Netty's request decoder, the connection's {@link OrderedResponder}
 * and {@link HttpConnection}, whose responses are whole pre-encoded buffers (no response encoder
 * in the pipeline).
 */
public final class HttpServerInitializer extends ChannelInitializer<Channel> implements RejectionReply {

    private static final byte[] OVER_LIMIT = ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 37\r\n"
            + "Connection: close\r\nRetry-After: 1\r\n\r\nserver at its connection limit; retry").getBytes(StandardCharsets.US_ASCII);

    private final Keyspace keyspace;
    private final Sharded<ServerShard> servers;
    private final HttpSettings settings;
    /** Slot i is created and used only by shard i's thread. */
    private final HttpResponseCache[] caches;

    public HttpServerInitializer(Keyspace keyspace, Sharded<ServerShard> servers, HttpSettings settings) {
        this.keyspace = keyspace;
        this.servers = servers;
        this.settings = settings;
        this.caches = new HttpResponseCache[keyspace.shardCount()];
    }

    @Override
    public byte[] rejectionReply() {
        return OVER_LIMIT;
    }

    @Override
    protected void initChannel(Channel ch) {
        Shard shard = Shard.current();
        HttpResponseCache cache = caches[shard.id()];
        if (cache == null) {
            cache = caches[shard.id()] = new HttpResponseCache();
        }
        OrderedResponder<ByteBuf> responder = HttpConnection.responder(ServerChannelContext.of(ch).options().maxPendingReplies());
        RequestReadClock readClock = RequestReadClock.of(settings);
        ch.pipeline()
                .addLast("http-read-clock", readClock)
                .addLast("http-decoder", new HttpRequestDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(HttpConnection.MAX_REQUEST_LINE)
                        .setMaxHeaderSize(HttpConnection.MAX_HEADER_SIZE)
                        .setMaxChunkSize(64 * 1024)))
                .addLast("http-responder", responder)
                .addLast("http-connection", new HttpConnection(keyspace, servers.local(), shard, cache, settings, readClock, responder));
    }

    /** How this server counts requests ({@code percore.server.requests}): by method and status. */
    public static RequestKinds requestKinds() {
        return HttpConnection.requestKinds();
    }
}
