package io.percore.demo.execution;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.redis.ErrorRedisMessage;
import io.netty.handler.codec.redis.RedisMessage;
import io.netty.handler.codec.redis.SimpleStringRedisMessage;
import io.percore.demo.DemoSettings;
import io.percore.demo.command.Caller;
import io.percore.demo.command.CommandContext;
import io.percore.demo.command.CommandSpec;
import io.percore.demo.command.MultiState;
import io.percore.demo.command.OnKeyOwner;
import io.percore.demo.command.ShardServices;
import io.percore.demo.shard.Keyspace;
import io.percore.demo.resp.RespError;
import io.percore.demo.shard.KeyspaceShard;
import io.percore.demo.support.RespTestClient;
import io.percore.demo.support.TestServices;
import io.percore.engine.Shard;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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

    /**
     * EXEC's single-key commands run by shard in one message each ({@link CommandCall#callEachOnItsShard}): one that throws
     * an Error on the caller's own shard is answered with an error as the other shards' failures are, and the batch
     * completes once; before, the Error left the call (and EXEC, holding its shards) while the other shard still answered.
     */
    @Test
    void anErrorOfACommandRunOnTheCallersShardInABatchIsItsReply() throws Exception {
        try (TestServices demo = TestServices.start(2, DemoSettings.forTests())) {
            CommandSpec failing = new CommandSpec("failing", 2, List.of("write"), 1, 1, 1, "string", "throws",
                    new OnKeyOwner((store, argv, now) -> {
                        throw new AssertionError("thrown by the test");
                    }), null);
            CommandSpec answering = new CommandSpec("answering", 2, List.of("write"), 1, 1, 1, "string", "answers",
                    new OnKeyOwner((store, argv, now) -> new SimpleStringRedisMessage("OK")), null);
            List<MultiState.Queued> run = List.of(
                    new MultiState.Queued(-1, failing, new byte[][] {bytes("failing"), bytes(demo.keyOn(0, "here"))}),
                    new MultiState.Queued(-1, answering, new byte[][] {bytes("answering"), bytes(demo.keyOn(1, "there"))}));
            CompletableFuture<RedisMessage[]> answered = new CompletableFuture<>();
            AtomicInteger calls = new AtomicInteger();
            demo.service.servers().fromOutside().invokeOn(0, server -> {
                CommandCall.callEachOnItsShard(ADMIT_ALL, new Context(demo.service.keyspace()), demo.service.keyspace(), run, null,
                        (answers, refused, nanos) -> {
                            calls.incrementAndGet();
                            answered.complete(answers);
                        });
                return null;
            }).join();
            RedisMessage[] answers = answered.get(30, TimeUnit.SECONDS);
            assertThat(answers[0]).isInstanceOf(ErrorRedisMessage.class);
            assertThat(((ErrorRedisMessage) answers[0]).content()).startsWith("ERR");
            assertThat(answers[1]).as("the other shard's command answered").isInstanceOf(SimpleStringRedisMessage.class);
            Thread.sleep(200);
            assertThat(calls).as("the batch completes once").hasValue(1);
        }
    }

    private static final CallPolicy ADMIT_ALL = new CallPolicy() {
        @Override
        public RespError refusal(CommandContext c, int id, CommandSpec spec, byte[][] argv) {
            return null;
        }

        @Override
        public void refused(CommandContext c, int id, byte[][] argv, RespError error) {
        }

        @Override
        public Run run() {
            return Run.HELD;
        }
    };

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
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
        public Shard shard() {
            return Shard.current();
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
