package io.percore.demo.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.percore.demo.shard.Keyspace;
import io.percore.engine.Shard;

/**
 * The per-core HTTP pipeline: Netty's request decoder and {@link HttpConnection}, which writes
 * whole pre-encoded responses itself (no response encoder in the pipeline).
 */
public final class HttpServerInitializer extends ChannelInitializer<Channel> {

    private final Keyspace keyspace;
    private final int maxBodySize;
    /** Slot i is created and used only by shard i's thread. */
    private final HttpResponseCache[] caches;

    public HttpServerInitializer(Keyspace keyspace, int maxBodySize) {
        if (maxBodySize < 0) {
            throw new IllegalArgumentException("percore.demo.http.max-body-size must not be negative, got " + maxBodySize);
        }
        this.keyspace = keyspace;
        this.maxBodySize = maxBodySize;
        this.caches = new HttpResponseCache[keyspace.shardCount()];
    }

    @Override
    protected void initChannel(Channel ch) {
        int shard = Shard.current().id();
        if (caches[shard] == null) {
            caches[shard] = new HttpResponseCache();
        }
        ch.pipeline()
                .addLast("http-decoder", new HttpRequestDecoder(new HttpDecoderConfig()
                        .setMaxInitialLineLength(HttpConnection.MAX_REQUEST_LINE)
                        .setMaxHeaderSize(HttpConnection.MAX_HEADER_SIZE)
                        .setMaxChunkSize(64 * 1024)))
                .addLast("http-connection", new HttpConnection(keyspace, caches[shard], maxBodySize));
    }
}
