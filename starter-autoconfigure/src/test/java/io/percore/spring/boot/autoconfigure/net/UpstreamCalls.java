package io.percore.spring.boot.autoconfigure.net;

import io.percore.engine.Engine;
import io.percore.net.client.UpstreamClient;
import java.util.concurrent.TimeUnit;

/** Sends through a client the way a handler does: on a shard thread. */
public final class UpstreamCalls {

    private UpstreamCalls() {
    }

    public static <Req, Resp> Resp send(Engine engine, UpstreamClient<Req, Resp> client, int shard, Req request) throws Exception {
        return engine.submitTo(shard, () -> client.send(request))
                .thenCompose(future -> future.toCompletableFuture())
                .get(20, TimeUnit.SECONDS);
    }
}
