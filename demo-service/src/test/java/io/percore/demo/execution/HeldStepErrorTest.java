package io.percore.demo.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.percore.demo.DemoSettings;
import io.percore.demo.command.Caller;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.ShardServices;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A command run holding several shards that throws an {@link Error} (an OutOfMemoryError under memory pressure, a
 * StackOverflowError) is answered with an error and its shards are released, as a RuntimeException's is: before, the
 * Error ended in a stage of the reservation's future that nobody reads, the shards stayed held, and every later command
 * on them waited for ever.
 */
class HeldStepErrorTest {

    @Test
    void anErrorHoldingShardsIsAnsweredAndTheShardsAreReleased() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests())) {
            CompletableFuture<RedisMessage> answered = new CompletableFuture<>();
            demo.service.servers().fromOutside().invokeOn(0, server -> {
                BitSet both = new BitSet();
                both.set(0, 2);
                AcrossShards.runAloneThen(new Context(demo.service.keyspace()), "a step that fails an assertion", both,
                        held -> {
                            throw new AssertionError("thrown by the test");
                        }, answered::complete);
                return null;
            }).join();
            RedisMessage reply = answered.get(30, TimeUnit.SECONDS);
            assertThat(reply).isInstanceOf(ErrorRedisMessage.class);
            assertThat(((ErrorRedisMessage) reply).content()).startsWith("ERR");
            // both shards free again: a command on each key's shard, and one holding both, answer
            try (RespTestClient c = new RespTestClient(demo.respPort())) {
                String a = demo.keyOn(0, "a");
                String b = demo.keyOn(1, "b");
                assertThat(c.cmd("SET", a, "1")).isEqualTo("OK");
                assertThat(c.cmd("SET", b, "2")).isEqualTo("OK");
                assertThat(c.cmd("MSET", a, "3", b, "4")).isEqualTo("OK");
                assertThat(c.cmd("DBSIZE")).isEqualTo(2L);
            }
        }
    }

    /** A caller on shard 0 that only holds the shards: the step never reaches what a client has. */
    private static final class Context implements CommandContext {
        private final Keyspace keyspace;

        Context(Keyspace keyspace) {
            this.keyspace = keyspace;
        }

        @Override
        public ShardServices services() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Caller caller() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Keyspace keyspace() {
            return keyspace;
        }

        @Override
        public KeyspaceShard local() {
            return keyspace.local();
        }

        @Override
        public void reply(RedisMessage reply) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void replyAndClose(RedisMessage reply) {
            throw new UnsupportedOperationException();
        }

        @Override
        public PendingReply reserve() {
            throw new UnsupportedOperationException();
        }

        @Override
        public void beginBarrier() {
        }

        @Override
        public void endBarrier() {
        }
    }
}
