package io.percore.demo.commands;

import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.kv.HllSelfTest;
import io.percore.demo.resp.RespReplies;
import io.percore.engine.Shard;
import io.percore.engine.ShardFuture;
import io.percore.engine.ShardPromise;

/**
 * Runs PFSELFTEST on the connection's shard in slices of half a millisecond, each a task of its own,
 * so the shard serves its other clients in between (Redis's runs for about a second and serves nobody
 * meanwhile); the reply is Redis's {@code +OK} or its {@code TESTFAILED} error.
 */
final class HllSelfTestRun {

    private static final long SLICE_NANOS = 500_000;

    private HllSelfTestRun() {
    }

    static ShardFuture<RedisMessage> start(Shard shard, long sparseMaxBytes) {
        ShardPromise<RedisMessage> done = new ShardPromise<>(shard);
        HllSelfTest test = new HllSelfTest(sparseMaxBytes);
        shard.execute(() -> slice(shard, test, done));
        return done;
    }

    private static void slice(Shard shard, HllSelfTest test, ShardPromise<RedisMessage> done) {
        if (!test.step(SLICE_NANOS)) {
            shard.execute(() -> slice(shard, test, done));
            return;
        }
        done.complete(test.failure() == null ? RespReplies.OK : RespReplies.error(test.failure()));
    }
}
