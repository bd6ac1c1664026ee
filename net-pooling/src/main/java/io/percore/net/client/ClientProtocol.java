package io.percore.net.client;

import io.netty.channel.Channel;

/**
 * The request/response codec hook of an {@link UpstreamClient}: which handlers a pooled
 * connection needs, and how an inbound message becomes a response. Each connection carries one
 * request at a time.
 *
 * @param <Req>  what callers send; written to the channel as is, so the handlers from
 *               {@link #initChannel} must encode it
 * @param <Resp> what callers get back; must not hold pooled buffers (the client releases the
 *               inbound message right after {@link #toResponse})
 */
public interface ClientProtocol<Req, Resp> {

    /** Adds the codec handlers to a new pooled connection (on its shard). */
    void initChannel(Channel channel);

    /** Turns one decoded inbound message into the response. Copy what you keep; the message is released afterwards. */
    Resp toResponse(Object message) throws Exception;

    /**
     * Whether {@code request} may be sent again after a failure where it may already have reached
     * the upstream (timeout, connection lost mid-request). Requests that never left (connect
     * failure) are always retried within the retry budget.
     */
    default boolean isIdempotent(Req request) {
        return false;
    }
}
