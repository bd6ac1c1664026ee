package io.percore.spring.boot.autoconfigure.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.LineEncoder;
import io.netty.handler.codec.string.LineSeparator;
import io.percore.net.client.ClientProtocol;
import java.nio.charset.StandardCharsets;

/** One text line out, one line back. */
public final class LineProtocol implements ClientProtocol<String, String> {

    @Override
    public void initChannel(Channel channel) {
        channel.pipeline().addLast(new LineBasedFrameDecoder(1024), new LineEncoder(LineSeparator.UNIX, StandardCharsets.UTF_8));
    }

    @Override
    public String toResponse(Object message) {
        return ((ByteBuf) message).toString(StandardCharsets.UTF_8);
    }

    @Override
    public boolean isIdempotent(String request) {
        return true;
    }
}
